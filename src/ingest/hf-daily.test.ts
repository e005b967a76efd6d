import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { records } from '../../test/expect-errors.js';
import type { PaperRecord } from '../model/record.js';
import { SourceError } from './errors.js';
import { fetchDailyPapers, parseDailyPapers, type TextFetcher } from './hf-daily.js';

/**
 * No recorded daily_papers response exists: entries are built from the documented field list (API-NOTES.md),
 * with real paper metadata read from a raw arXiv day file at test time.
 */
const RAW = fileURLToPath(new URL('../../../shared/data/fixtures/daily_arxiv_raw/2026-07-01.jsonl', import.meta.url));

interface RawPaper {
  id: string;
  title: string;
  summary: string;
  authors: string[];
}

let raw: RawPaper[];

function dailyEntry(
  paper: RawPaper,
  i: number,
  overrides: { paper?: Record<string, unknown>; entry?: Record<string, unknown> } = {},
) {
  const submitter = {
    _id: `u${i}`,
    avatarUrl: 'https://example.org/a.png',
    isPro: false,
    fullname: 'A. K.',
    user: 'akhaliq',
    type: 'user',
  };
  return {
    paper: {
      id: paper.id,
      authors: paper.authors.map((name, j) => ({ _id: `a${i}-${j}`, name, hidden: false })),
      publishedAt: '2026-06-30T17:59:59.000Z',
      title: paper.title,
      summary: paper.summary,
      upvotes: 10 + i,
      discussionId: `d${i}`,
      ai_summary: 'A one-line summary.',
      ai_keywords: ['auctions'],
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      submittedOnDailyAt: '2026-07-01T13:02:03.000Z',
      submittedOnDailyBy: submitter,
      withdrawnAt: null,
      organization: null,
      ...overrides.paper,
    },
    publishedAt: '2026-07-01T13:02:03.000Z',
    title: paper.title,
    summary: paper.summary,
    thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${paper.id}.png`,
    mediaUrls: [],
    numComments: i,
    submittedBy: submitter,
    isAuthorParticipating: false,
    ...overrides.entry,
  };
}

function parseOne(entry: unknown, date?: string): PaperRecord {
  return records(parseDailyPapers(JSON.stringify([entry]), date))[0]!;
}

beforeAll(async () => {
  raw = (await readFile(RAW, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .slice(0, 8)
    .map((line) => JSON.parse(line) as RawPaper);
});

describe('parseDailyPapers', () => {
  it('maps a documented entry to a record', () => {
    const paper = raw[0]!;
    const rec = parseOne(
      dailyEntry(paper, 3, {
        paper: {
          githubRepo: 'https://github.com/example/auctions',
          githubStars: 7,
          projectPage: 'https://example.org/auctions',
        },
      }),
    );
    expect(rec).toEqual({
      id: paper.id,
      source: 'hf-daily',
      title: paper.title,
      abstract: paper.summary.replace(/\s+/g, ' ').trim(),
      authors: paper.authors,
      submittedAt: '2026-06-30T17:59:59.000Z',
      dailyOn: '2026-07-01',
      upvotes: 13,
      numComments: 3,
      submittedBy: 'akhaliq',
      githubRepo: 'https://github.com/example/auctions',
      githubStars: 7,
      projectPage: 'https://example.org/auctions',
      codeUrls: ['https://github.com/example/auctions'],
    });
    expect(rec.abstract).not.toContain('\n');
  });

  it('takes the feed day from submittedOnDailyAt, else the requested date, else the entry date', () => {
    const paper = raw[1]!;
    expect(parseOne(dailyEntry(paper, 0), '2026-07-09').dailyOn).toBe('2026-07-01');
    const noDailyAt = dailyEntry(paper, 0, {
      paper: { submittedOnDailyAt: null },
      entry: { publishedAt: '2026-07-03T08:00:00.000Z' },
    });
    expect(parseOne(noDailyAt, '2026-07-02').dailyOn).toBe('2026-07-02');
    expect(parseOne(noDailyAt).dailyOn).toBe('2026-07-03');
  });

  it('names the submitter from the paper, then the entry, as an object or a string', () => {
    const paper = raw[1]!;
    const by = (paperBy: unknown, entryBy: unknown) =>
      parseOne(dailyEntry(paper, 0, { paper: { submittedOnDailyBy: paperBy }, entry: { submittedBy: entryBy } }))
        .submittedBy;
    expect(by({ user: 'alice', fullname: 'Alice A.' }, { user: 'bob' })).toBe('alice');
    expect(by({ fullname: 'Alice A.' }, { user: 'bob' })).toBe('Alice A.');
    expect(by('carol', null)).toBe('carol');
    expect(by(null, { user: 'bob' })).toBe('bob');
    expect(by(undefined, undefined)).toBeUndefined();
  });

  it('merges githubRepo with the code links of the abstract, without duplicates', () => {
    const paper = {
      ...raw[2]!,
      summary: `${raw[2]!.summary}\nCode: github.com/example/tool. Weights: https://huggingface.co/example/tool-7b`,
    };
    const rec = parseOne(dailyEntry(paper, 0, { paper: { githubRepo: 'https://github.com/example/tool' } }));
    expect(rec.codeUrls).toEqual(['https://github.com/example/tool', 'https://huggingface.co/example/tool-7b']);
  });

  it('is lenient about nulls, unknown fields and odd enrichment fields, and falls back to the entry summary', () => {
    const paper = raw[3]!;
    const entry = dailyEntry(paper, 0, {
      paper: {
        summary: null,
        authors: null,
        upvotes: null,
        githubStars: 'many',
        projectPage: 42,
        somethingNew: { nested: true },
      },
      entry: { numComments: null, submittedBy: null, anotherField: [1, 2] },
    });
    const rec = parseOne(entry);
    expect(rec).toMatchObject({
      id: paper.id,
      title: paper.title,
      abstract: paper.summary.replace(/\s+/g, ' ').trim(),
    });
    expect([rec.authors, rec.upvotes, rec.githubStars, rec.projectPage, rec.numComments]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads a negative, fractional or unsafe count as absent (found by fuzzing: numComments -1)', () => {
    const rec = parseOne(
      dailyEntry(raw[0]!, 0, { paper: { upvotes: 2.5, githubStars: 2 ** 53 }, entry: { numComments: -1 } }),
    );
    expect([rec.upvotes, rec.githubStars, rec.numComments]).toEqual([undefined, undefined, undefined]);
    expect(parseOne(dailyEntry(raw[0]!, 0, { paper: { upvotes: 0 }, entry: { numComments: 3 } }))).toMatchObject({
      upvotes: 0,
      numComments: 3,
    });
  });

  it('rejects entries without an arXiv id or a title, with their number, and keeps the others', () => {
    const entries = parseDailyPapers(
      JSON.stringify([
        dailyEntry(raw[0]!, 0),
        dailyEntry(raw[1]!, 1, { paper: { id: 'not-an-id' } }),
        dailyEntry(raw[2]!, 2, { paper: { title: 12 } }),
        { title: 'no paper object' },
        dailyEntry(raw[4]!, 4, { paper: { id: `${raw[4]!.id}v2` } }),
      ]),
    );
    expect(entries.map((e) => e.ok)).toEqual([true, false, false, false, true]);
    const errors = entries.flatMap((e) => (e.ok ? [] : [e.error]));
    expect(errors[0]).toBe('entry 2: paper.id: is not an arXiv id');
    expect(errors[1]).toMatch(/^entry 3: paper\.title: expected string, received number/);
    expect(errors[2]).toMatch(/^entry 4: paper: expected object/);
    expect(entries[4]!.ok && entries[4]!.record.id).toBe(raw[4]!.id);
  });

  it('throws a parse SourceError on invalid JSON and on a body that is not an array', () => {
    expect(() => parseDailyPapers('<!doctype html><html>Rate limited</html>')).toThrow(SourceError);
    expect(() => parseDailyPapers('[{"paper": ')).toThrow(/^the daily papers response is not valid JSON/);
    expect(() => parseDailyPapers('{"error":"Invalid date"}')).toThrow(
      /^expected an array of daily papers, got object: the body starts with "\{"error":"Invalid date"\}"/,
    );
    try {
      parseDailyPapers('null');
      expect.unreachable();
    } catch (error) {
      expect((error as SourceError).code).toBe('parse');
    }
  });
});

describe('fetchDailyPapers against a local server', () => {
  let server: Server;
  let baseUrl: string;
  const requests: URLSearchParams[] = [];
  let respond: (params: URLSearchParams) => { status: number; body: string } = () => ({ status: 500, body: '' });

  const fetcher: TextFetcher = {
    async getText(url) {
      const response = await fetch(url);
      return { status: response.status, body: await response.text(), headers: response.headers };
    },
  };

  /** Serves `entries` for `date` in pages of `limit`, as the API does. */
  const feed = (date: string, entries: unknown[]) => (params: URLSearchParams) => {
    if (params.get('date') !== date) return { status: 200, body: '[]' };
    const limit = Number(params.get('limit'));
    const p = Number(params.get('p'));
    return { status: 200, body: JSON.stringify(entries.slice(p * limit, (p + 1) * limit)) };
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/api/daily_papers') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not Found"}');
        return;
      }
      requests.push(url.searchParams);
      const { status, body } = respond(url.searchParams);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });

  it('pages through a day while pages come back full', async () => {
    requests.length = 0;
    respond = feed(
      '2026-07-01',
      raw.slice(0, 5).map((paper, i) => dailyEntry(paper, i)),
    );
    const entries = await fetchDailyPapers(fetcher, `${baseUrl}/`, '2026-07-01', { limit: 3 });
    expect(requests.map((q) => Object.fromEntries(q))).toEqual([
      { date: '2026-07-01', p: '0', limit: '3' },
      { date: '2026-07-01', p: '1', limit: '3' },
    ]);
    expect(records(entries).map((r) => r.id)).toEqual(raw.slice(0, 5).map((p) => p.id));
    expect(entries.map((e) => e.position)).toEqual([
      'page 1, entry 1',
      'page 1, entry 2',
      'page 1, entry 3',
      'page 2, entry 1',
      'page 2, entry 2',
    ]);
  });

  it('asks for one more page when the last one was exactly full, and uses limit 100 by default', async () => {
    requests.length = 0;
    respond = feed(
      '2026-07-02',
      raw.slice(0, 6).map((paper, i) => dailyEntry(paper, i)),
    );
    expect(await fetchDailyPapers(fetcher, baseUrl, '2026-07-02', { limit: 3 })).toHaveLength(6);
    expect(requests.map((q) => q.get('p'))).toEqual(['0', '1', '2']);

    requests.length = 0;
    expect(await fetchDailyPapers(fetcher, baseUrl, '2026-07-02')).toHaveLength(6);
    expect(requests.map((q) => q.get('limit'))).toEqual(['100']);
  });

  it('reports a rejected entry with its page', async () => {
    respond = feed('2026-07-01', [
      dailyEntry(raw[0]!, 0),
      dailyEntry(raw[1]!, 1),
      dailyEntry(raw[2]!, 2, { paper: { id: 'x' } }),
    ]);
    const entries = await fetchDailyPapers(fetcher, baseUrl, '2026-07-01', { limit: 2 });
    expect(entries[2]).toEqual({
      ok: false,
      position: 'page 2, entry 1',
      error: 'page 2, entry 1: paper.id: is not an arXiv id',
    });
  });

  it('throws an http SourceError on a non-200 answer', async () => {
    respond = () => ({ status: 429, body: '{"error":"Too many requests"}' });
    const error = await fetchDailyPapers(fetcher, baseUrl, '2026-07-01').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('http');
    expect((error as SourceError).message).toMatch(/answered HTTP 429 \(rate limited: wait a few minutes/);

    const notFound = await fetchDailyPapers(fetcher, `${baseUrl}/v2`, '2026-07-01').catch((e: unknown) => e);
    expect((notFound as SourceError).message).toContain('check the API base URL');
  });

  it('throws a parse SourceError naming the URL on malformed JSON and on a non-array body', async () => {
    respond = () => ({ status: 200, body: '[{"paper": {"id": "2606.30776", "title": "Cut' });
    const malformed = await fetchDailyPapers(fetcher, baseUrl, '2026-07-01').catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(SourceError);
    expect((malformed as SourceError).code).toBe('parse');
    expect((malformed as SourceError).message).toMatch(
      /daily_papers\?date=2026-07-01&p=0&limit=100: the daily papers response is not valid JSON/,
    );

    respond = () => ({ status: 200, body: '{"papers": []}' });
    const notArray = await fetchDailyPapers(fetcher, baseUrl, '2026-07-01').catch((e: unknown) => e);
    expect((notArray as SourceError).code).toBe('parse');
    expect((notArray as SourceError).message).toContain('expected an array of daily papers');
  });

  it('stops with an error when the server ignores the page parameter', async () => {
    const page = raw.slice(0, 2).map((paper, i) => dailyEntry(paper, i));
    respond = () => ({ status: 200, body: JSON.stringify(page) });
    const error = await fetchDailyPapers(fetcher, baseUrl, '2026-07-01', { limit: 2 }).catch((e: unknown) => e);
    expect((error as SourceError).code).toBe('remote-error');
    expect((error as SourceError).message).toContain('ignore the "p" parameter');
  });

  it('refuses a date that is not YYYY-MM-DD before asking the server', async () => {
    requests.length = 0;
    await expect(fetchDailyPapers(fetcher, baseUrl, '07/01/2026')).rejects.toThrow(/date must be YYYY-MM-DD/);
    expect(requests).toHaveLength(0);
  });
});
