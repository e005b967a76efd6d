import type { FeedLink } from './layout.js';

/** The `<link rel=alternate>` set of a list page whose feeds live at `${base}/feed.{atom,rss,json}`. */
export function alternateFeeds(base: string, title: string, query?: string): FeedLink[] {
  const qs = query ? `?${query}` : '';
  return [
    { type: 'application/atom+xml', href: `${base}/feed.atom${qs}`, title: `${title} (Atom)` },
    { type: 'application/rss+xml', href: `${base}/feed.rss${qs}`, title: `${title} (RSS)` },
    { type: 'application/feed+json', href: `${base}/feed.json${qs}`, title: `${title} (JSON Feed)` },
  ];
}
