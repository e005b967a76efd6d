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

// A form that answers JSON to fetch (upvote, save, not interested): posted without leaving the page, its answer handed
// to `apply`. Signed out: to sign-in and back; any other failure: the plain form post, which works without this file.
function enhance(matches, apply) {
  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !matches(form)) return;
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
      apply(form, button, await res.json());
    } catch {
      form.submit();
    } finally {
      button?.removeAttribute('aria-busy');
    }
  });
}

// Upvotes: the count updates in place.
enhance(
  (form) => form.hasAttribute('data-upvote'),
  (form, button, { upvoted, upvotes }) => {
    form.querySelectorAll('[data-count]').forEach((el) => {
      el.textContent = String(upvotes);
    });
    button?.setAttribute('aria-pressed', String(upvoted));
    button?.setAttribute('aria-label', `Upvote (${upvotes} upvotes)`);
  },
);

// Save: the button shows whether the paper is saved.
enhance(
  (form) => form.hasAttribute('data-save'),
  (_form, button, { saved }) => button?.setAttribute('aria-pressed', String(saved)),
);

// Share on the paper page: the system's share sheet where there is one, else the address copied to the clipboard.
// Without this file the link is the paper's address, to open or copy.
document.addEventListener('click', async (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-share]') : null;
  if (!link) return;
  const status = link.parentElement?.querySelector('[data-share-status]');
  const title = document.querySelector('h1')?.textContent?.trim() ?? document.title;
  if (navigator.share) {
    event.preventDefault();
    try {
      await navigator.share({ title, url: link.href });
    } catch {
      /* the reader closed the share sheet */
    }
    return;
  }
  if (!navigator.clipboard) return;
  event.preventDefault();
  try {
    await navigator.clipboard.writeText(link.href);
    if (status) status.textContent = 'Link copied';
  } catch {
    if (status) status.textContent = `Copy this link: ${link.href}`;
  }
});

// The subscription form's time zone, from the browser's, while the reader has not picked one (without this file
// the form offers UTC, to change by hand). A zone missing from the list (an alias) is added to it.
(() => {
  const select = document.querySelector('select[data-detect-zone]');
  if (!(select instanceof HTMLSelectElement)) return;
  const untouched = [...select.options].find((o) => o.defaultSelected) === select.selectedOptions[0];
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!untouched || !zone) return;
  if (![...select.options].some((o) => o.value === zone)) select.add(new Option(zone, zone), 0);
  select.value = zone;
  select.form?.querySelector('[data-zone-note]')?.removeAttribute('hidden');
})();

// A value to copy (a new API token on the account page): its Copy button shows where the clipboard can be written.
// Without this file the value stays selectable in its read-only field.
for (const button of document.querySelectorAll('button[data-copy]')) {
  if (navigator.clipboard) button.hidden = false;
}
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  const field = document.getElementById(button.getAttribute('data-copy') ?? '');
  const status = button.parentElement?.querySelector('[data-copy-status]');
  if (!field) return;
  try {
    await navigator.clipboard.writeText(field.value);
    if (status) status.textContent = 'Copied';
  } catch {
    field.select();
    if (status) status.textContent = 'Select it and copy it by hand';
  }
});

// For you: "Not interested" and "More like this" without leaving the page. Not interested dims the card and offers
// the undo (the order changes on the next visit); More like this saves the paper, so its Save button shows it.
enhance(
  (form) => form.hasAttribute('data-not-interested') || form.hasAttribute('data-more-like-this'),
  (form, button, answer) => {
    const card = form.closest('li.paper');
    const status = form.parentElement?.querySelector('[data-steer-status]');
    if (form.hasAttribute('data-not-interested')) {
      const marked = answer.notInterested === true;
      button?.setAttribute('aria-pressed', String(marked));
      card?.classList.toggle('dismissed', marked);
      let undo = form.querySelector('input[name="undo"]');
      if (marked && !undo) {
        undo = Object.assign(document.createElement('input'), { type: 'hidden', name: 'undo', value: '1' });
        form.append(undo);
      } else if (!marked) undo?.remove();
      if (status) status.textContent = marked ? 'It and papers like it go down from now on.' : 'Taken back.';
    } else {
      card?.querySelector('button[data-save]')?.setAttribute('aria-pressed', 'true');
      if (status) status.textContent = 'Saved: papers like it come up from now on.';
    }
  },
);
