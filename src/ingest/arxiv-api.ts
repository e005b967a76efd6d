import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { type ArxivFeedPage, parseArxivAtom } from './arxiv-atom.js';
import { SourceError } from './errors.js';
import type { Fetcher } from './http.js';

/** The arXiv API takes up to this many ids per request in our use (its own limit is higher, URLs are not). */
const IDS_PER_REQUEST = 100;

export interface ArxivSearchOptions {
  /** Results per request (default 100; arXiv allows up to 2000). */
  pageSize?: number;
  /** Stop after this many results (default: all of them). */
  max?: number;
  sortBy?: 'relevance' | 'lastUpdatedDate' | 'submittedDate';
  sortOrder?: 'ascending' | 'descending';
}

export interface ArxivSearchPage {
  entries: ParsedEntry[];
  start: number;
  total: number;
}

/**
 * Looks papers up by id (with or without version; new or old style), 100 ids per request.
 * arXiv silently leaves out ids it does not know, so the result may be shorter than `ids`.
 */
export async function fetchArxivByIds(fetcher: Fetcher, baseUrl: string, ids: string[]): Promise<ParsedEntry[]> {
  const entries: ParsedEntry[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
    const chunk = ids.slice(i, i + IDS_PER_REQUEST);
    const page = await query(fetcher, baseUrl, { idList: chunk, start: 0, maxResults: IDS_PER_REQUEST });
    entries.push(...page.entries);
  }
  return entries;
}

/** Looks one paper up on arXiv: its record, undefined when arXiv does not know the id; throws SourceError as fetchArxivByIds. */
export type PaperLookup = (id: string) => Promise<PaperRecord | undefined>;

export function arxivLookup(fetcher: Fetcher, baseUrl: string): PaperLookup {
  return async (id) => {
    const entries = await fetchArxivByIds(fetcher, baseUrl, [id]);
    return entries.flatMap((e) => (e.ok && e.record.id === id ? [e.record] : []))[0];
  };
}

/** Looks papers up on arXiv, 100 ids per request: the records arXiv knows (it leaves out the others); throws SourceError. */
export type PapersLookup = (ids: string[]) => Promise<PaperRecord[]>;

export function arxivPapersLookup(fetcher: Fetcher, baseUrl: string): PapersLookup {
  return async (ids) => {
    const wanted = new Set(ids);
    const entries = await fetchArxivByIds(fetcher, baseUrl, [...wanted]);
    return entries.flatMap((e) => (e.ok && wanted.has(e.record.id) ? [e.record] : []));
  };
}

/** Runs an arXiv search query (`cat:cs.CL AND ti:transformer`), yielding one page of results at a time. */
export async function* searchArxiv(
  fetcher: Fetcher,
  baseUrl: string,
  searchQuery: string,
  opts: ArxivSearchOptions = {},
): AsyncGenerator<ArxivSearchPage> {
  const pageSize = opts.pageSize ?? 100;
  const max = opts.max ?? Infinity;
  let start = 0;
  let seen = 0;
  while (seen < max) {
    const page = await query(fetcher, baseUrl, {
      searchQuery,
      start,
      maxResults: Math.min(pageSize, max - seen),
      sortBy: opts.sortBy,
      sortOrder: opts.sortOrder,
    });
    if (page.entries.length === 0) return;
    yield { entries: page.entries, start, total: page.total };
    seen += page.entries.length;
    start += page.entries.length;
    if (start >= page.total) return;
  }
}

interface QueryParams {
  searchQuery?: string | undefined;
  idList?: string[] | undefined;
  start: number;
  maxResults: number;
  sortBy?: ArxivSearchOptions['sortBy'];
  sortOrder?: ArxivSearchOptions['sortOrder'];
}

export function arxivQueryUrl(baseUrl: string, p: QueryParams): string {
  const url = new URL(baseUrl);
  url.searchParams.set('search_query', p.searchQuery ?? '');
  url.searchParams.set('id_list', (p.idList ?? []).join(','));
  url.searchParams.set('sortBy', p.sortBy ?? 'relevance');
  url.searchParams.set('sortOrder', p.sortOrder ?? 'descending');
  url.searchParams.set('start', String(p.start));
  url.searchParams.set('max_results', String(p.maxResults));
  return url.toString();
}

async function query(fetcher: Fetcher, baseUrl: string, params: QueryParams): Promise<ArxivFeedPage> {
  const url = arxivQueryUrl(baseUrl, params);
  const res = await fetcher.getText(url);
  if (res.status >= 200 && res.status < 300) return parseArxivAtom(res.body);
  // arXiv answers a bad query with HTTP 400 and an error feed; parsing it throws the error it names.
  let cause: unknown;
  try {
    parseArxivAtom(res.body);
  } catch (error) {
    if (error instanceof SourceError && error.code === 'remote-error') throw error;
    cause = error;
  }
  throw new SourceError('http', `HTTP ${res.status} from ${url}. Check the arXiv API URL (PAPERBOY_ARXIV_API_URL).`, {
    cause,
  });
}
