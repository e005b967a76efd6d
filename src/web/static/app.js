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
      } catch { /* a newer keystroke aborted this one */ }
    }, 150);
  });
})();
