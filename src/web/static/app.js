// Progressive enhancement only: every page works without this file.
// Search-as-you-type: the quick search box suggests titles from /api/papers/search.
(() => {
  const input = document.querySelector('input[data-suggest]');
  const list = document.getElementById('suggestions');
  if (!input || !list) return;
  let timer;
  let controller;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 3) return;
    timer = setTimeout(async () => {
      controller?.abort();
      controller = new AbortController();
      try {
        const res = await fetch(`/api/papers/search?limit=8&q=${encodeURIComponent(q)}`, { signal: controller.signal });
        if (!res.ok) return;
        const papers = await res.json();
        list.replaceChildren(...papers.map((p) => Object.assign(document.createElement('option'), { value: p.title })));
      } catch {
        /* a newer keystroke aborted this one */
      }
    }, 150);
  });
})();

// Upvotes without leaving the page: the form posts with fetch and the count updates in place.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-upvote')) return;
  event.preventDefault();
  const button = form.querySelector('button');
  button?.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: 'application/json' },
    });
    if (res.status === 401) {
      location.href = `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
      return;
    }
    if (!res.ok) {
      form.submit();
      return;
    }
    const { upvoted, upvotes } = await res.json();
    form.querySelectorAll('[data-count]').forEach((el) => {
      el.textContent = String(upvotes);
    });
    button?.setAttribute('aria-pressed', String(upvoted));
    button?.setAttribute('aria-label', `Upvote (${upvotes} upvotes)`);
  } catch {
    form.submit();
  } finally {
    button?.removeAttribute('aria-busy');
  }
});
