import { isArxivCategory, parseArxivId } from '../model/arxiv-id.js';
import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { findCodeLinks } from './code-links.js';
import { SourceError } from './errors.js';
import { attr, child, children, parseXml, text, unique } from './xml.js';

export interface ArxivFeedPage {
  /** opensearch:totalResults: how many results the whole query has. */
  total: number;
  start: number;
  perPage: number;
  entries: ParsedEntry[];
}

/** Parses one Atom response of the arXiv API (export.arxiv.org/api/query), 2016 or current format. */
export function parseArxivAtom(xml: string): ArxivFeedPage {
  const doc = parseXml(xml, 'The arXiv API response', ['entry', 'author', 'category']);
  const feed = child(doc, 'feed');
  if (!feed) {
    throw new SourceError(
      'parse',
      'The arXiv API response is not an Atom feed (no <feed> element). Check the arXiv API URL.',
    );
  }
  const rawEntries = children(feed, 'entry');
  const error = rawEntries.find(isErrorEntry);
  if (error) {
    const summary = text(error, 'summary') ?? text(error, 'id') ?? 'unknown error';
    throw new SourceError(
      'remote-error',
      `arXiv API error: ${summary} (arXiv rejected the request; check the ids or the query).`,
    );
  }
  const entries = rawEntries.map((entry, i) => toEntry(entry, `entry ${i + 1}`));
  return {
    total: count(text(feed, 'totalResults')) ?? entries.length,
    start: count(text(feed, 'startIndex')) ?? 0,
    perPage: count(text(feed, 'itemsPerPage')) ?? entries.length,
    entries,
  };
}

function isErrorEntry(entry: unknown): boolean {
  return text(entry, 'title') === 'Error' && (text(entry, 'id') ?? '').includes('/api/errors');
}

function toEntry(entry: unknown, position: string): ParsedEntry {
  const idUrl = text(entry, 'id');
  const parsedId = idUrl === undefined ? undefined : parseArxivId(idUrl);
  const title = text(entry, 'title');
  if (!parsedId)
    return { ok: false, error: idUrl ? `unrecognised arXiv id "${idUrl}"` : 'entry has no <id>', position };
  if (title === undefined) return { ok: false, error: `entry ${parsedId.id} has no title`, position };

  const abstract = text(entry, 'summary') ?? '';
  const comment = text(entry, 'comment');
  const primary = attr(child(entry, 'primary_category'), 'term');
  const terms = children(entry, 'category').map((c) => attr(c, 'term'));
  const categories = unique([primary, ...terms].filter(isCategory));
  const record: PaperRecord = {
    id: parsedId.id,
    source: 'arxiv-api',
    version: parsedId.version,
    title,
    abstract,
    authors: children(entry, 'author')
      .map((a) => text(a, 'name'))
      .filter((n): n is string => n !== undefined),
    primaryCategory: isCategory(primary) ? primary : categories[0],
    categories,
    comment,
    journalRef: text(entry, 'journal_ref'),
    // Several DOIs come separated by spaces; the store keeps one.
    doi: text(entry, 'doi')?.split(' ')[0],
    submittedAt: text(entry, 'published'),
    updatedAt: text(entry, 'updated'),
    codeUrls: findCodeLinks(abstract, comment),
  };
  return { ok: true, record, position };
}

function isCategory(term: string | undefined): term is string {
  return term !== undefined && isArxivCategory(term);
}

function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
