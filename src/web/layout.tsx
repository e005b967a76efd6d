import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { script, stylesheet } from './assets.js';
import type { FeedLink } from './feeds/links.js';

export interface PageProps {
  title: string;
  description?: string | undefined;
  /** Path of this page, for the canonical URL and to mark the current navigation item. */
  path: string;
  baseUrl: string;
  feeds?: FeedLink[] | undefined;
  query?: string | undefined;
  ogType?: 'website' | 'article';
  /** The page's picture for link previews (a paper's thumbnail), a path on this site. */
  image?: { path: string; width: number; height: number } | undefined;
  /** A class on <body> for page-specific layout (e.g. the search page hides the header search on phones). */
  bodyClass?: string | undefined;
  children: Child;
}

const NAV = [
  ['/', 'Daily'],
  ['/week', 'Weekly'],
  ['/month', 'Monthly'],
  ['/trending', 'Trending'],
  ['/search', 'Search'],
  ['/about', 'About'],
] as const;

/** Replaced by the handle for a signed-in visitor (src/web/personalize.ts), so pages stay the same for everyone. */
export const SIGN_IN_LINK = '<a class="account" href="/signin">Sign in</a>';

const DEFAULT_DESCRIPTION =
  "The research community's front page for new papers: daily, weekly and trending, with search and feeds.";

export function Layout(props: PageProps) {
  const description = props.description ?? DEFAULT_DESCRIPTION;
  const current = NAV.findLast(([href]) =>
    href === '/' ? props.path === '/' || props.path.startsWith('/day/') : props.path.startsWith(href),
  )?.[0];
  return (
    <>
      {/* Without a doctype browsers lay the page out in quirks mode. */}
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title}</title>
          <meta name="description" content={description} />
          <meta name="color-scheme" content="light dark" />
          <link rel="canonical" href={`${props.baseUrl}${props.path}`} />
          <meta property="og:site_name" content="Paperboy" />
          <meta property="og:title" content={props.title} />
          <meta property="og:description" content={description} />
          <meta property="og:type" content={props.ogType ?? 'website'} />
          <meta property="og:url" content={`${props.baseUrl}${props.path}`} />
          {props.image ? (
            <>
              <meta property="og:image" content={`${props.baseUrl}${props.image.path}`} />
              <meta property="og:image:width" content={String(props.image.width)} />
              <meta property="og:image:height" content={String(props.image.height)} />
            </>
          ) : null}
          <meta name="twitter:card" content="summary" />
          <link rel="stylesheet" href={stylesheet.path} />
          <link rel="icon" href="data:," />
          {(props.feeds ?? []).map((f) => (
            <link rel="alternate" type={f.type} href={f.href} title={f.title} />
          ))}
          <script src={script.path} defer />
        </head>
        <body class={props.bodyClass}>
          <a class="skip" href="#content">
            Skip to content
          </a>
          <header class="site">
            <div class="wrap">
              <a class="brand" href="/">
                Paperboy
              </a>
              <nav class="main" aria-label="Main">
                {NAV.map(([href, label]) => (
                  <a href={href} aria-current={href === current ? 'page' : undefined}>
                    {label}
                  </a>
                ))}
              </nav>
              <form class="quick" role="search" action="/search" method="get">
                <label class="skip" for="quick-q">
                  Search papers
                </label>
                <input
                  id="quick-q"
                  type="search"
                  name="q"
                  value={props.query ?? ''}
                  placeholder="Search papers"
                  list="suggestions"
                  data-suggest
                  autocomplete="off"
                />
                <datalist id="suggestions" />
                <button type="submit">Search</button>
              </form>
              {raw(SIGN_IN_LINK)}
            </div>
          </header>
          <main id="content" class="wrap" tabindex={-1}>
            {props.children}
          </main>
          <footer class="site">
            <div class="wrap">
              Paperboy, a self-hosted Daily Papers. Metadata from arXiv and Hugging Face; each abstract carries its own
              licence. <a href="/docs">API</a> · <a href="/feed.atom">Atom</a> · <a href="/feed.rss">RSS</a> ·{' '}
              <a href="/about">About</a>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}

export function SubscribeBanner() {
  return (
    <aside class="banner" aria-label="Subscribe">
      <p>
        <strong>Get trending papers in your email inbox!</strong>{' '}
        <span class="detail">A daily or weekly digest, with alerts for your topics.</span>
      </p>
      <a class="button" href="/subscribe">
        Subscribe
      </a>
    </aside>
  );
}
