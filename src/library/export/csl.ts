import type { Citation } from './citation.js';

/** One item of CSL-JSON (Citation Style Language 1.0.2), as citeproc, Zotero and pandoc read it. */
export interface CslItem {
  id: string;
  type: 'article' | 'article-journal';
  title: string;
  author: ({ family: string; given: string; suffix?: string } | { literal: string })[];
  issued?: { 'date-parts': number[][] };
  abstract?: string;
  'container-title'?: string;
  DOI?: string;
  URL: string;
  /** For a preprint: arXiv is its publisher, `arXiv:<id>` its number (as citation.js and Zotero write them). */
  publisher?: string;
  number?: string;
  archive?: string;
  archive_location?: string;
  keyword?: string;
}

/** The papers as CSL-JSON items: `article` (a preprint) or `article-journal` when published in a journal. */
export function toCsl(citations: Citation[]): CslItem[] {
  return citations.map((c) => {
    const p = c.paper;
    const item: CslItem = {
      id: c.key,
      type: c.journal ? 'article-journal' : 'article',
      title: p.title,
      author: c.authors.map((a) => ({ ...a })),
      URL: c.url,
    };
    if (c.date) item.issued = { 'date-parts': [c.date.filter((n): n is number => n !== undefined)] };
    if (p.abstract.trim()) item.abstract = p.abstract;
    if (c.journal) item['container-title'] = c.journal;
    if (p.doi) item.DOI = p.doi;
    if (c.arxivId) {
      item.publisher = 'arXiv';
      item.number = `arXiv:${c.arxivId}`;
      item.archive = 'arXiv';
      item.archive_location = c.arxivId;
    }
    const keywords = [...new Set([p.primaryCategory, ...p.categories].filter((x): x is string => Boolean(x)))];
    if (keywords.length) item.keyword = keywords.join(', ');
    return item;
  });
}
