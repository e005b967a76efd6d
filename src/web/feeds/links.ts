import { FEED_CONTENT_TYPES, FEED_FORMATS, type FeedFormat } from './build.js';

export interface FeedLink {
  rel: 'alternate';
  type: string;
  href: string;
  title: string;
}

const FORMAT_NAMES: Record<FeedFormat, string> = { atom: 'Atom', rss: 'RSS', json: 'JSON Feed' };

/** What a page at `path` is a list of, and where its feeds live; undefined for pages without feeds. */
export function feedOf(path: string): { base: string; title: string } | undefined {
  if (path === '/' || path === '') return { base: '', title: 'Daily Papers' };
  if (path === '/trending') return { base: '/trending', title: 'Trending papers' };
  if (path === '/search') return { base: '/search', title: 'Search' };
  const m = /^\/(categories|authors)\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const value = decodeURIComponent(m[2]!);
  return { base: path, title: m[1] === 'authors' ? `Papers by ${value}` : `Papers in ${value}` };
}

/**
 * The `<link rel="alternate">` set for a page's `<head>`: its Atom, RSS and JSON feeds. `query` (without `?`) is
 * carried over, so a search page's feeds follow the same search. Pages without feeds get none.
 */
export function feedLinks(path: string, query?: string): FeedLink[] {
  const feed = feedOf(path);
  if (!feed) return [];
  const qs = query ? `?${query.replace(/^\?/, '')}` : '';
  return FEED_FORMATS.map((format) => ({
    rel: 'alternate',
    type: FEED_CONTENT_TYPES[format].split(';')[0]!,
    href: `${feed.base}/feed.${format}${qs}`,
    title: `${feed.title} (${FORMAT_NAMES[format]})`,
  }));
}
