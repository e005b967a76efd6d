import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { records, rejection } from '../../test/expect-errors.js';
import { arxivQueryUrl, fetchArxivByIds, searchArxiv } from './arxiv-api.js';
import { createFetcher } from './http.js';

const RECORDINGS = new URL('../../../shared/data/fixtures/arxiv_api_atom/arxiv.py_2026/', import.meta.url).pathname;
const MATCHED = ['search_query', 'id_list', 'start', 'max_results'] as const;

interface Recording {
  url: string;
  status_code: number;
  body: string;
}

const recordings: Recording[] = readdirSync(RECORDINGS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(RECORDINGS, f), 'utf8')) as Recording);

const sameQuery = (a: URLSearchParams, b: URLSearchParams) =>
  MATCHED.every((k) => (a.get(k) ?? '') === (b.get(k) ?? ''));

/** Replays the recorded arXiv responses, matching requests by their query parameters; 404 for anything else. */
let server: Server;
let baseUrl: string;
let requests: URLSearchParams[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    requests.push(params);
    const hit = recordings.find((r) => sameQuery(new URL(r.url).searchParams, params));
    if (!hit) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no recording');
    res.writeHead(hit.status_code, { 'Content-Type': 'application/atom+xml; charset=utf-8' }).end(hit.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/query`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  requests = [];
});

const fetcher = createFetcher({ userAgent: 'Paperboy-test/1', minDelayMs: 0, baseBackoffMs: 10 });

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('arxivQueryUrl', () => {
  it('builds the query the arXiv API documents', () => {
    const url = new URL(
      arxivQueryUrl('https://export.arxiv.org/api/query', {
        idList: ['astro-ph/0601001', '1707.08567'],
        start: 0,
        maxResults: 100,
      }),
    );
    expect(url.origin + url.pathname).toBe('https://export.arxiv.org/api/query');
    expect(url.searchParams.get('id_list')).toBe('astro-ph/0601001,1707.08567');
    expect(url.searchParams.get('search_query')).toBe('');
    expect(url.searchParams.get('sortBy')).toBe('relevance');
    expect(url.searchParams.get('sortOrder')).toBe('descending');
  });
});

describe('fetchArxivByIds', () => {
  it('looks up a new-style id', async () => {
    const [paper] = records(await fetchArxivByIds(fetcher, baseUrl, ['1605.08386']));
    expect(paper).toMatchObject({
      id: '1605.08386',
      version: 1,
      title: 'Heat-bath random walks with Markov bases',
      authors: ['Caprice Stanley', 'Tobias Windisch'],
      primaryCategory: 'math.CO',
      categories: ['math.CO', 'math.ST'],
      comment: '20 pages, 3 figures',
    });
    expect(requests[0]?.get('max_results')).toBe('100');
  });

  it('looks up old-style ids, with and without a version', async () => {
    const [withVersion] = records(await fetchArxivByIds(fetcher, baseUrl, ['quant-ph/0201082v1']));
    expect(withVersion).toMatchObject({ id: 'quant-ph/0201082', version: 1 });
    const [without] = records(await fetchArxivByIds(fetcher, baseUrl, ['astro-ph/0601001']));
    expect(without).toMatchObject({ id: 'astro-ph/0601001', version: 1 });
    expect(requests.map((r) => r.get('id_list'))).toEqual(['quant-ph/0201082v1', 'astro-ph/0601001']);
  });

  it('looks up a new-style id with a version', async () => {
    const [paper] = records(await fetchArxivByIds(fetcher, baseUrl, ['2104.12255v1']));
    expect(paper).toMatchObject({ id: '2104.12255', version: 1, title: '0' });
  });

  it('looks up two ids in one request; arXiv leaves out the one it does not know', async () => {
    const papers = records(await fetchArxivByIds(fetcher, baseUrl, ['0808.05394', '1707.08567']));
    expect(requests).toHaveLength(1);
    expect(papers.map((p) => p.id)).toEqual(['1707.08567']);
  });

  it('returns nothing for an id arXiv does not have', async () => {
    expect(await fetchArxivByIds(fetcher, baseUrl, ['0000.0000'])).toEqual([]);
  });

  it("turns the HTTP 400 error feed into remote-error with arXiv's words", async () => {
    const error = await rejection(fetchArxivByIds(fetcher, baseUrl, ['abc']));
    expect(error.code).toBe('remote-error');
    expect(error.message).toMatch(/^arXiv API error: incorrect id format for abc/);
  });

  it('reports a 4xx that is not an arXiv error feed as http, naming the URL', async () => {
    const error = await rejection(fetchArxivByIds(fetcher, baseUrl, ['9999.99999']));
    expect(error.code).toBe('http');
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('id_list=9999.99999');
  });

  it('asks for at most 100 ids per request', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `2401.${String(i).padStart(5, '0')}`);
    await rejection(fetchArxivByIds(fetcher, baseUrl, ids));
    // The replay server knows none of these, so the first request fails; it must still carry only 100 ids.
    expect(requests[0]?.get('id_list')?.split(',')).toHaveLength(100);
  });

  it('makes no request for no ids', async () => {
    expect(await fetchArxivByIds(fetcher, baseUrl, [])).toEqual([]);
    expect(requests).toHaveLength(0);
  });
});

describe('searchArxiv', () => {
  it('pages through results 10 at a time up to max', async () => {
    const pages = await collect(searchArxiv(fetcher, baseUrl, 'testing', { pageSize: 10, max: 60 }));
    expect(pages.map((p) => p.start)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(requests.map((r) => r.get('max_results'))).toEqual(Array(6).fill('10'));
    const ids = records(pages.flatMap((p) => p.entries)).map((r) => r.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(pages.every((p) => p.total === 214881)).toBe(true);
  });

  it('pages by 15', async () => {
    const pages = await collect(searchArxiv(fetcher, baseUrl, 'testing', { pageSize: 15, max: 15 }));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.entries).toHaveLength(15);
    expect(requests.map((r) => [r.get('start'), r.get('max_results')])).toEqual([['0', '15']]);
  });

  it('returns the same papers, in the same order, in pages of 10 as in one page of 100', async () => {
    const paged = await collect(searchArxiv(fetcher, baseUrl, 'testing', { pageSize: 10, max: 60 }));
    const [whole] = await collect(searchArxiv(fetcher, baseUrl, 'testing', { max: 100 }));
    const pagedIds = records(paged.flatMap((p) => p.entries)).map((r) => r.id);
    const wholeIds = records(whole!.entries).map((r) => r.id);
    expect(wholeIds).toHaveLength(100);
    expect(pagedIds).toEqual(wholeIds.slice(0, 60));
  });

  it('stops when a page is empty even if the total promises more', async () => {
    const empty = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><opensearch:totalResults>500</opensearch:totalResults>
      <opensearch:startIndex>0</opensearch:startIndex><opensearch:itemsPerPage>10</opensearch:itemsPerPage></feed>`;
    const local = createServer((_req, res) => res.end(empty));
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/api/query`;
      expect(await collect(searchArxiv(fetcher, url, 'anything', { pageSize: 10 }))).toEqual([]);
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
  });

  it('stops at the total', async () => {
    // Replays the first two recorded pages of 10 with the total changed to 20.
    const local = createServer((req, res) => {
      const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
      requests.push(params);
      const hit = recordings.find((r) => sameQuery(new URL(r.url).searchParams, params));
      res.end(hit?.body.replace(/<opensearch:totalResults>\d+</, '<opensearch:totalResults>20<'));
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/api/query`;
      const pages = await collect(searchArxiv(fetcher, url, 'testing', { pageSize: 10 }));
      expect(pages.map((p) => [p.start, p.total, p.entries.length])).toEqual([
        [0, 20, 10],
        [10, 20, 10],
      ]);
      expect(requests).toHaveLength(2);
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
  });
});
