import { html, raw } from 'hono/html';
import { authorKey } from '../model/record.js';

export const paperPath = (id: string) => `/papers/${id}`;
export const authorPath = (name: string) => `/authors/${encodeURIComponent(name)}`;
export const categoryPath = (category: string) => `/categories/${encodeURIComponent(category)}`;
export const userPath = (handle: string) => `/users/${encodeURIComponent(handle)}`;

/** Authors a card names before "and K more". */
const MAX_AUTHORS = 6;
/** The paper page names every author, but past this many it names the first ones and opens the rest on a click. */
const MAX_AUTHORS_OPEN = 15;
const FIRST_AUTHORS = 12;

const authorLinks = (names: string[], from: number) =>
  names.map(
    (name, i) =>
      html`${from + i > 0 ? ', ' : ''}${authorKey(name) ? html`<a href="${authorPath(name)}">${name}</a>` : name}`,
  );

/**
 * Author names, each a quiet link to the author's page (a name without a letter or digit names no page). A card names
 * the first few and counts the rest; `all` (the paper page) names everyone, the long tail of a large collaboration
 * behind "and K more" (a <details>, no JavaScript).
 */
export function Authors(props: { authors: string[]; all?: boolean }) {
  const { authors } = props;
  if (props.all && authors.length > MAX_AUTHORS_OPEN) {
    return html`${authorLinks(authors.slice(0, FIRST_AUTHORS), 0)} <details class="more-authors"><summary>and ${
      authors.length - FIRST_AUTHORS
    } more</summary>${authorLinks(authors.slice(FIRST_AUTHORS), FIRST_AUTHORS)}</details>`;
  }
  const shown = props.all ? authors : authors.slice(0, MAX_AUTHORS);
  const more = authors.length - shown.length;
  return html`${authorLinks(shown, 0)}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Previous/next page links that keep the rest of the query string. */
export function Pager(props: { path: string; params: URLSearchParams; page: number; hasNext: boolean }) {
  const link = (page: number) => {
    const params = new URLSearchParams(props.params);
    if (page <= 1) params.delete('page');
    else params.set('page', String(page));
    const qs = params.toString();
    return `${props.path}${qs ? `?${qs}` : ''}`;
  };
  if (props.page <= 1 && !props.hasNext) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.page > 1 ? (
        <a href={link(props.page - 1)} rel="prev">
          {raw('&larr;')} Previous page
        </a>
      ) : (
        <span />
      )}
      {props.hasNext ? (
        <a href={link(props.page + 1)} rel="next">
          Next page {raw('&rarr;')}
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

/** Where to follow a list: its feeds, and (for searches, categories, authors) an email alert. */
export function FeedLinks(props: {
  base: string;
  query?: string | undefined;
  alert?: { search?: string; category?: string; author?: string };
}) {
  const qs = props.query ? `?${props.query}` : '';
  const alert = props.alert
    ? `/subscribe?${new URLSearchParams(props.alert as Record<string, string>).toString()}`
    : undefined;
  return (
    <p class="feeds">
      Follow this list: <a href={`${props.base}/feed.atom${qs}`}>Atom</a> ·{' '}
      <a href={`${props.base}/feed.rss${qs}`}>RSS</a> · <a href={`${props.base}/feed.json${qs}`}>JSON Feed</a>
      {alert ? (
        <>
          {' '}
          · <a href={alert}>Email alerts</a>
        </>
      ) : null}
    </p>
  );
}
