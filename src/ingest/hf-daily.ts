import { z } from 'zod';
import { parseArxivId } from '../model/arxiv-id.js';
import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { findCodeLinks } from './code-links.js';
import { SourceError } from './errors.js';

/** What this client needs of an HTTP fetcher (src/ingest/http.ts provides one). */
export interface TextFetcher {
  getText(url: string): Promise<{ status: number; body: string; headers: Headers }>;
}

/**
 * Fields that only enrich a paper: a null, or a value of a type the API did not use to send, reads as absent
 * instead of costing the whole entry. Unknown fields are ignored.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);
/** Upvotes, comments, stars: a negative, fractional or unsafe number is as good as absent. */
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A user as the API names one: an object with `user`/`fullname`, or (leniently) a bare name. */
const UserRef = z.union([z.string(), z.object({ user: z.string().nullish(), fullname: z.string().nullish() })]);

const Paper = z.object({
  id: z.string().refine((id) => parseArxivId(id) !== undefined, 'is not an arXiv id'),
  title: z.string().refine((t) => t.trim() !== '', 'is empty'),
  summary: optional(z.string()),
  authors: optional(z.array(z.object({ name: optional(z.string()) }))),
  publishedAt: optional(z.string()),
  upvotes: optional(count),
  githubRepo: optional(z.string()),
  githubStars: optional(count),
  projectPage: optional(z.string()),
  submittedOnDailyAt: optional(z.string()),
  submittedOnDailyBy: optional(UserRef),
});

const Entry = z.object({
  paper: Paper,
  publishedAt: optional(z.string()),
  summary: optional(z.string()),
  numComments: optional(count),
  submittedBy: optional(UserRef),
});
type Entry = z.infer<typeof Entry>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses one response of `GET /api/daily_papers`: an array of feed entries, each wrapping a `paper`. `date` is
 * the day that was asked for, used as the feed day of entries that do not carry their own. Entries are
 * positioned `entry N`; one that is not a paper with an arXiv id and a title becomes a rejected entry.
 */
export function parseDailyPapers(json: string, date?: string): ParsedEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SourceError('parse', `the daily papers response is not valid JSON (${message}): ${describeBody(json)}`, {
      cause: err,
    });
  }
  if (!Array.isArray(value)) {
    throw new SourceError(
      'parse',
      `expected an array of daily papers, got ${value === null ? 'null' : typeof value}: ${describeBody(json)}; check the API base URL (e.g. https://huggingface.co/api)`,
    );
  }
  return value.map((item, index): ParsedEntry => {
    const position = `entry ${index + 1}`;
    const parsed = Entry.safeParse(item);
    if (!parsed.success) {
      const reason = parsed.error.issues.map(
        (i) => `${i.path.join('.') || 'the entry'}: ${i.message.replace(/^Invalid input: /, '')}`,
      );
      return { ok: false, error: `${position}: ${reason.slice(0, 3).join('; ')}`, position };
    }
    return { ok: true, record: toRecord(parsed.data, date), position };
  });
}

function toRecord(entry: Entry, date: string | undefined): PaperRecord {
  const { paper } = entry;
  const summary = paper.summary ?? entry.summary ?? '';
  const githubRepo = paper.githubRepo || undefined;
  const codeUrls = new Set<string>();
  if (githubRepo) codeUrls.add(findCodeLinks(githubRepo)[0] ?? githubRepo);
  for (const url of findCodeLinks(summary)) codeUrls.add(url);
  return {
    id: parseArxivId(paper.id)!.id,
    source: 'hf-daily',
    title: collapse(paper.title),
    abstract: collapse(summary),
    authors: paper.authors?.flatMap((a) => (a.name?.trim() ? [collapse(a.name)] : [])),
    submittedAt: paper.publishedAt ?? undefined,
    dailyOn: dayOf(paper.submittedOnDailyAt) ?? (date && DAY.test(date) ? date : undefined) ?? dayOf(entry.publishedAt),
    upvotes: paper.upvotes ?? undefined,
    numComments: entry.numComments ?? undefined,
    submittedBy: userName(paper.submittedOnDailyBy) ?? userName(entry.submittedBy),
    githubRepo,
    githubStars: paper.githubStars ?? undefined,
    projectPage: paper.projectPage || undefined,
    codeUrls: [...codeUrls],
  };
}

/**
 * Fetches every paper of one feed day, page after page (`p=0,1,...`) while pages come back full. Positions
 * read `page P, entry N` (P from 1).
 */
export async function fetchDailyPapers(
  fetcher: TextFetcher,
  baseUrl: string,
  date: string,
  opts: { limit?: number } = {},
): Promise<ParsedEntry[]> {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError(`limit must be 1..100, got ${limit}`);
  if (!DAY.test(date)) throw new RangeError(`date must be YYYY-MM-DD, got "${date}"`);

  const all: ParsedEntry[] = [];
  let previousIds = '';
  for (let p = 0; ; p++) {
    const url = `${baseUrl.replace(/\/+$/, '')}/daily_papers?date=${date}&p=${p}&limit=${limit}`;
    const response = await fetcher.getText(url);
    if (response.status !== 200) {
      throw new SourceError(
        'http',
        `${url} answered HTTP ${response.status}${httpAdvice(response.status)}: ${describeBody(response.body)}`,
      );
    }
    let page: ParsedEntry[];
    try {
      page = parseDailyPapers(response.body, date);
    } catch (err) {
      if (err instanceof SourceError) throw new SourceError(err.code, `${url}: ${err.message}`, { cause: err });
      throw err;
    }
    const ids = page.map((e) => (e.ok ? e.record.id : e.error)).join(' ');
    if (p > 0 && ids === previousIds) {
      throw new SourceError(
        'remote-error',
        `${url} returned the same papers as page p=${p - 1}: the server seems to ignore the "p" parameter; check the API base URL`,
      );
    }
    previousIds = ids;
    for (const entry of page) {
      const position = `page ${p + 1}, ${entry.position}`;
      all.push(entry.ok ? { ...entry, position } : { ok: false, position, error: `page ${p + 1}, ${entry.error}` });
    }
    if (page.length < limit) return all;
  }
}

function userName(
  ref: string | { user?: string | null | undefined; fullname?: string | null | undefined } | null | undefined,
): string | undefined {
  if (typeof ref === 'string') return ref || undefined;
  return ref?.user || ref?.fullname || undefined;
}

function dayOf(timestamp: string | null | undefined): string | undefined {
  const day = timestamp?.slice(0, 10);
  return day && DAY.test(day) ? day : undefined;
}

function httpAdvice(status: number): string {
  if (status === 429) return ' (rate limited: wait a few minutes and run again)';
  if (status === 404) return ' (not found: check the API base URL, e.g. https://huggingface.co/api)';
  if (status >= 500) return ' (a server error: try again later)';
  return '';
}

function describeBody(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  if (text === '') return 'the body is empty';
  return `the body starts with "${text.length > 120 ? `${text.slice(0, 117)}...` : text}"`;
}

function collapse(text: string): string {
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}
