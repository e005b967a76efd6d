import type { Child } from 'hono/jsx';

const css = `
:root { color-scheme: light dark; --fg: #1a1a1a; --muted: #5f6368; --bg: #fff; --card: #f6f7f9; --accent: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #a0a4a8; --bg: #121212; --card: #1e1f22; --accent: #ff8a80; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 56rem; margin: 0 auto; padding: 0 1rem; }
header { display: flex; align-items: baseline; gap: 1rem; padding-top: 1rem; }
header a.brand { font-weight: 700; font-size: 1.25rem; color: inherit; text-decoration: none; }
.banner { background: var(--card); border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; }
article { background: var(--card); border-radius: .5rem; padding: 1rem; margin: .75rem 0; }
article h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
a { color: var(--accent); }
.meta { color: var(--muted); font-size: .9rem; }
.abstract { white-space: pre-line; }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 1rem; }
`;

export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{css}</style>
      </head>
      <body>
        <header>
          <a class="brand" href="/">Paperboy</a>
          <span class="meta">Daily Papers by the research community</span>
        </header>
        <main>{props.children}</main>
        <footer>Paperboy — a self-hosted Daily Papers. Metadata from arXiv and Hugging Face; each abstract carries its own licence.</footer>
      </body>
    </html>
  );
}
