import { Feed, type Item } from 'feed';
import { arxivLinks } from '../../model/arxiv-id.js';
import { escapeHtml } from '../../model/html.js';
import type { Paper } from '../../model/paper.js';
import { texToUnicode } from '../../model/tex-unicode.js';
import { cleanName, xmlSafe } from '../../model/text.js';
import { feedDay } from '../../store/rows.js';
import { paperPageUrl } from '../api/present.js';

export const FEED_FORMATS = ['atom', 'rss', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export interface FeedMeta {
  title: string;
  description: string;
  /** Absolute URL of the page the feed follows. */
  pageUrl: string;
  /** Absolute URL of this feed without its extension and with its query: `${feedBase}.atom${query}`. */
  feedBase: string;
  query: string;
  baseUrl: string;
}

const dayDate = (p: Paper) => {
  const day = feedDay(p);
  return new Date(day ? `${day}T00:00:00Z` : p.createdAt);
};

/** Author names without bidirectional overrides, should the store hold any: they would reverse the text after them. */
const names = (p: Paper) => p.authors.map(cleanName);

/** A line of plain text said about a paper before its abstract (why For you ranks it there), by paper id. */
export type FeedNotes = ReadonlyMap<string, string>;

/** The note (if any), then the abstract as HTML, followed by the paper's links. */
function descriptionHtml(p: Paper, note: string | undefined): string {
  const links: string[] = [];
  const arxiv = arxivLinks(p.id);
  if (arxiv) links.push(`<a href="${escapeHtml(arxiv.abs)}">arXiv</a>`, `<a href="${escapeHtml(arxiv.pdf)}">PDF</a>`);
  for (const url of new Set([...(p.githubRepo ? [p.githubRepo] : []), ...p.codeUrls]))
    links.push(`<a href="${escapeHtml(url)}">code</a>`);
  const byline = `<p>${escapeHtml(names(p).join(', '))}${p.categories.length ? ` · ${escapeHtml(p.categories.join(' · '))}` : ''}</p>`;
  return `${note ? `<p>${escapeHtml(note)}</p>` : ''}${byline}<p>${escapeHtml(texToUnicode(p.abstract))}</p>${links.length ? `<p>${links.join(' · ')}</p>` : ''}`;
}

/**
 * Text goes into the XML as CDATA, unescaped by the library, and readers read titles (Atom's `type="html"` and RSS's
 * alike) and every description as HTML: so those are HTML-escaped exactly once here. JSON Feed's title is plain text.
 */
function item(p: Paper, format: FeedFormat, baseUrl: string, note: string | undefined): Item {
  const link = paperPageUrl(baseUrl, p.id);
  const authors = names(p);
  return {
    title: format === 'json' ? cleanName(texToUnicode(p.title)) : escapeHtml(cleanName(texToUnicode(p.title))),
    id: link,
    guid: link,
    link,
    date: dayDate(p),
    published: dayDate(p),
    description: descriptionHtml(p, note),
    category: p.categories.map((c) => ({ name: c, term: c })),
    // The library reads the first author without checking there is one (papers from a saved page have none).
    ...(authors.length
      ? { author: format === 'rss' ? [{ name: authors.join(', ') }] : authors.map((name) => ({ name })) }
      : {}),
  };
}

interface JsonFeedItem {
  id: string;
  author?: unknown;
  [key: string]: unknown;
}

/** The library writes JSON Feed 1.0; 1.1 names the version so, and lists `authors` instead of one `author`. */
function toJsonFeed11(text: string, papers: Paper[], meta: FeedMeta, notes: FeedNotes | undefined): string {
  const feed = JSON.parse(text) as { author?: unknown; items: JsonFeedItem[]; [key: string]: unknown };
  const { author: _feedAuthor, items, ...rest } = feed;
  return JSON.stringify(
    {
      ...rest,
      version: 'https://jsonfeed.org/version/1.1',
      language: 'en',
      authors: [{ name: 'Paperboy', url: meta.baseUrl }],
      items: items.map(({ author: _author, ...it }, i) => {
        const p = papers[i]!;
        const note = notes?.get(p.id);
        return {
          ...it,
          content_text: note ? `${note}\n\n${p.abstract}` : p.abstract,
          external_url: arxivLinks(p.id)?.abs,
          authors: names(p).map((name) => ({ name })),
        };
      }),
    },
    null,
    2,
  );
}

export function renderFeed(format: FeedFormat, meta: FeedMeta, papers: Paper[], notes?: FeedNotes): string {
  const updated = papers.reduce((max, p) => (p.modifiedAt > max ? p.modifiedAt : max), '1970-01-01T00:00:00.000Z');
  const feed = new Feed({
    id: `${meta.feedBase}.atom${meta.query}`,
    title: meta.title,
    description: meta.description,
    link: meta.pageUrl,
    language: 'en',
    generator: 'Paperboy',
    updated: new Date(updated),
    author: { name: 'Paperboy', link: meta.baseUrl },
    feedLinks: Object.fromEntries(FEED_FORMATS.map((f) => [f, `${meta.feedBase}.${f}${meta.query}`])),
  });
  for (const p of papers) feed.addItem(item(p, format, meta.baseUrl, notes?.get(p.id)));
  if (format === 'rss') return xmlSafe(feed.rss2());
  if (format === 'atom') return xmlSafe(feed.atom1());
  return toJsonFeed11(feed.json1(), papers, meta, notes);
}
