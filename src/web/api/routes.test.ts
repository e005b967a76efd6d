import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAYS,
  HOSTILE_ID,
  LATEST_DAY,
  type LoadedPapers,
  loadTestPapers,
  OLD_STYLE_ID,
  PER_DAY,
} from '../../../test/fixture-papers.js';
import { checkDocument, type Doc, responseSchema, validate } from '../../../test/openapi-check.js';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import type { SearchService } from '../../search/search.js';
import { createSearchService } from '../../search/search.js';
import { apiRoutes } from './routes.js';

const baseUrl = 'http://papers.test';

interface Entry {
  paper: { id: string; feedDay: string | null; upvotes: number };
  submittedBy: { name: string } | null;
}
interface ApiPaper {
  id: string;
  feedDay: string | null;
  categories: string[];
  codeUrls: string[];
  githubRepo: string | null;
  highlight?: { title: string; snippet: string };
}

describe.each(engines)('JSON API on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let loaded: LoadedPapers;
  let app: ReturnType<typeof apiRoutes>;
  let doc: Doc;

  beforeAll(async () => {
    t = await freshStore(engine);
    loaded = await loadTestPapers(t.store);
    search = await createSearchService(t.store, t.db);
    await search.refit();
    app = apiRoutes(testDeps(t, search, { baseUrl }), { rateLimit: false });
    doc = (await (await app.request('/openapi.json')).json()) as Doc;
  });
  afterAll(async () => {
    search?.close();
    await t?.dispose();
  });

  /** GETs a path and checks the body against the document's schema for that operation and status. */
  async function get<T>(
    url: string,
    op: { path: string; status?: number },
    init?: RequestInit,
  ): Promise<{ res: Response; body: T }> {
    const res = await app.request(url, init);
    const status = op.status ?? 200;
    const text = await res.text();
    expect(res.status, `${url}: ${text.slice(0, 300)}`).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = JSON.parse(text) as T;
    expect(validate(doc, responseSchema(doc, op.path, 'get', status), body)).toEqual([]);
    return { res, body };
  }
  const daily = (qs: string) => get<Entry[]>(`/api/daily_papers${qs}`, { path: '/api/daily_papers' });
  const ids = (entries: Entry[]) => entries.map((e) => e.paper.id);

  it('serves a sound OpenAPI 3.1 document describing every operation', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(checkDocument(doc)).toEqual([]);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/collections',
      '/api/collections/{id}',
      '/api/collections/{id}/export',
      '/api/collections/{id}/import',
      '/api/collections/{id}/papers/{paperId}',
      '/api/daily_papers',
      '/api/follows',
      '/api/me',
      '/api/not-interested',
      '/api/papers',
      '/api/papers/search',
      '/api/papers/{id}',
      '/api/papers/{id}/export',
      '/api/papers/{id}/not-interested',
      '/api/papers/{id}/related',
      '/api/papers/{id}/upvote',
      '/api/recommendations',
    ]);
    // Personal operations name the token scheme, which the document defines; reading papers (and public collections)
    // needs none.
    const methods: Record<string, string[]> = {
      '/api/me': ['get'],
      '/api/papers/{id}/upvote': ['post', 'delete'],
      '/api/collections': ['get', 'post'],
      '/api/collections/{id}': ['get', 'patch', 'delete'],
      '/api/collections/{id}/papers/{paperId}': ['put', 'delete'],
      '/api/collections/{id}/import': ['post'],
      '/api/follows': ['get', 'post', 'delete'],
      '/api/recommendations': ['get'],
      '/api/papers/{id}/not-interested': ['post', 'delete'],
      '/api/not-interested': ['delete'],
    };
    const open = new Set(['get /api/collections/{id}']);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(Object.keys(item).sort(), path).toEqual([...(methods[path] ?? ['get'])].sort());
      for (const [method, op] of Object.entries(item) as [
        string,
        { security?: unknown; responses: Record<string, unknown> },
      ][]) {
        if (methods[path] && !open.has(`${method} ${path}`)) {
          expect(op.security, `${method} ${path}`).toEqual([{ token: [] }]);
          expect(Object.keys(op.responses), `${method} ${path}`).toContain('401');
        } else expect(op.security, `${method} ${path}`).toBeUndefined();
      }
    }
    expect((doc as unknown as { components: { securitySchemes: unknown } }).components.securitySchemes).toEqual({
      token: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    const html = await (await app.request('/docs')).text();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(html).toContain(`${method.toUpperCase()} ${path}`);
        for (const p of op.parameters ?? []) expect(html).toContain(`<code>${p.name}</code>`);
      }
    }
    expect(html).toContain(`curl &#39;${baseUrl}/api/daily_papers?`);
    expect(html).toContain(
      `curl -X POST -H &#39;Authorization: Bearer pb_...&#39; &#39;${baseUrl}/api/papers/2503.11731/upvote&#39;`,
    );
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
  });

  it('gives the latest day by default, in the feed order, with Hugging Face field names', async () => {
    const { body } = await daily('');
    expect(body).toHaveLength(PER_DAY + 1);
    expect(new Set(body.map((e) => e.paper.feedDay))).toEqual(new Set([LATEST_DAY]));
    expect(body[0]!.paper.upvotes).toBe(50);
    expect(body[0]).toMatchObject({
      thumbnail: null,
      mediaUrls: [],
      isAuthorParticipating: false,
      submittedBy: { name: 'alice' },
    });
  });

  it('selects a day, an ISO week and a month', async () => {
    const day = await daily('?date=2025-03-18');
    expect(ids(day.body).sort()).toEqual([...loaded.byDay.get('2025-03-18')!].sort());
    const of = (...days: string[]) => days.flatMap((d) => loaded.byDay.get(d)!).sort();
    expect(ids((await daily('?week=2026-W01')).body).sort()).toEqual(of('2025-12-29', '2026-01-04'));
    expect(ids((await daily('?week=2025-W52')).body).sort()).toEqual(of('2025-12-28'));
    expect(ids((await daily('?week=2026-W02')).body).sort()).toEqual(of('2026-01-05'));
    expect(ids((await daily('?month=2025-03')).body).sort()).toEqual(of('2025-03-18', '2025-03-31'));
    expect(ids((await daily('?month=2025-12&limit=100')).body).sort()).toEqual(of('2025-12-28', '2025-12-29'));
    expect((await daily('?date=2025-03-19')).body).toEqual([]);
    expect((await daily('?week=2026-W53')).body).toEqual([]);
  });

  it('pages with p and limit, sorts, and filters by submitter', async () => {
    const pages = await Promise.all([0, 1, 2].map((p) => daily(`?date=2025-03-18&limit=2&p=${p}`)));
    expect(pages.map((r) => r.body.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flatMap((r) => ids(r.body))).size).toBe(PER_DAY);
    const trending = await daily(`?date=${LATEST_DAY}&sort=trending`);
    expect(trending.body.map((e) => e.paper.upvotes)).toEqual([50, 40, 30, 20, 10, 0]);
    const newest = await daily(`?date=${LATEST_DAY}&sort=publishedAt`);
    expect(ids(newest.body).sort()).toEqual(ids(trending.body).sort());
    const alice = await daily(`?date=${LATEST_DAY}&submitter=ALICE`);
    expect(alice.body).toHaveLength(3);
    expect(alice.body.every((e) => e.submittedBy?.name === 'alice')).toBe(true);
    expect((await daily(`?date=${LATEST_DAY}&submitter=alice&limit=2&p=1`)).body).toHaveLength(1);
  });

  it('rejects bad parameters with a 400 that names them', async () => {
    const bad = async (qs: string, fields: string[]) => {
      const { body } = await get<{ error: { code: string; message: string; fields: { field: string }[] } }>(
        `/api/daily_papers${qs}`,
        { path: '/api/daily_papers', status: 400 },
      );
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.fields.map((f) => f.field).sort()).toEqual(fields);
      for (const f of fields) expect(body.error.message).toContain(f);
    };
    await bad('?date=2025-02-30', ['query.date']);
    await bad('?week=2025-W53', ['query.week']);
    await bad('?month=2025-13', ['query.month']);
    await bad('?limit=0&p=-1', ['query.limit', 'query.p']);
    await bad('?limit=101', ['query.limit']);
    await bad('?sort=upvotes', ['query.sort']);
    await bad('?date=2025-03-18&week=2026-W01', ['query.date', 'query.week']);
    await get('/api/papers?limit=abc', { path: '/api/papers', status: 400 });
    await get('/api/papers?cursor=bm9wZQ', { path: '/api/papers', status: 400 });
  });

  it('returns one paper by id, with or without version, old-style ids with their slash', async () => {
    const first = loaded.records[0]!;
    const one = await get<{ id: string; versions: unknown[]; url: string; arxivUrl: string }>(
      `/api/papers/${first.id}`,
      { path: '/api/papers/{id}' },
    );
    expect(one.body).toMatchObject({
      id: first.id,
      title: first.title,
      url: `${baseUrl}/papers/${first.id}`,
      arxivUrl: `https://arxiv.org/abs/${first.id}`,
    });
    expect((await get<{ id: string }>(`/api/papers/${first.id}v3`, { path: '/api/papers/{id}' })).body.id).toBe(
      first.id,
    );
    for (const path of [OLD_STYLE_ID, encodeURIComponent(OLD_STYLE_ID), `${OLD_STYLE_ID}v2`]) {
      const old = await get<{ id: string; version: number; versions: { version: number }[] }>(`/api/papers/${path}`, {
        path: '/api/papers/{id}',
      });
      expect(old.body).toMatchObject({ id: OLD_STYLE_ID, version: 2 });
      expect(old.body.versions.map((v) => v.version)).toEqual([1, 2]);
    }
    const missing = await get<{ error: { code: string; message: string } }>('/api/papers/2501.00000', {
      path: '/api/papers/{id}',
      status: 404,
    });
    expect(missing.body.error).toMatchObject({ code: 'not_found' });
    expect(missing.body.error.message).toContain('2501.00000');
    await get('/api/papers/not-an-id', { path: '/api/papers/{id}', status: 400 });
  });

  it('lists every paper newest first, page by page through the Link header', async () => {
    const all = await t.store.listPapers({ sort: 'date', to: '9999-12-31', limit: 1000 });
    const seen: string[] = [];
    let url: string | null = '/api/papers?limit=7';
    while (url) {
      const page: { res: Response; body: ApiPaper[] } = await get<ApiPaper[]>(url, { path: '/api/papers' });
      seen.push(...page.body.map((p) => p.id));
      const link = page.res.headers.get('link');
      if (link) expect(link).toMatch(new RegExp(`^<${baseUrl}/api/papers\\?cursor=[\\w-]+&limit=7>; rel="next"$`));
      url = link ? link.slice(1 + baseUrl.length, link.indexOf('>')) : null;
    }
    expect(seen).toEqual(all.map((p) => p.id));
  });

  it('searches with filters and highlights, and finds related papers', async () => {
    const target = loaded.records[3]!;
    const words = target.title.split(/\s+/).slice(0, 4).join(' ');
    const { body } = await get<ApiPaper[]>(`/api/papers/search?q=${encodeURIComponent(words)}&limit=5`, {
      path: '/api/papers/search',
    });
    expect(body.length).toBeGreaterThan(0);
    expect(body.map((p) => p.id)).toContain(target.id);
    expect(body.some((p) => p.highlight!.title.includes('<mark>'))).toBe(true);
    const expected = await search.search({ q: words, limit: 5, offset: 0 });
    expect(body.map((p) => p.id)).toEqual(expected.hits.map((h) => h.paper.id));
    const cat = target.categories![0]!;
    const inCat = await get<ApiPaper[]>(`/api/papers/search?q=${encodeURIComponent(words)}&category=${cat}`, {
      path: '/api/papers/search',
    });
    expect(inCat.body.every((p) => p.categories.includes(cat))).toBe(true);
    const withCode = await get<ApiPaper[]>(`/api/papers/search?q=${encodeURIComponent(words)}&has_code=true`, {
      path: '/api/papers/search',
    });
    expect(withCode.body.every((p) => p.codeUrls.length > 0 || p.githubRepo)).toBe(true);
    await get('/api/papers/search', { path: '/api/papers/search', status: 400 });
    await get('/api/papers/search?q=x&limit=121', { path: '/api/papers/search', status: 400 });
    await get('/api/papers/search?q=x&limit=120', { path: '/api/papers/search' });
    await get('/api/papers/search?q=x&limit=100&p=11', { path: '/api/papers/search', status: 400 });
    const byId = await get<ApiPaper[]>(`/api/papers/search?q=${OLD_STYLE_ID}v1`, { path: '/api/papers/search' });
    expect(byId.body.map((p) => p.id)).toEqual([OLD_STYLE_ID]);

    const related = await get<ApiPaper[]>(`/api/papers/${target.id}/related?limit=3`, {
      path: '/api/papers/{id}/related',
    });
    expect(related.body.length).toBeGreaterThan(0);
    expect(related.body.length).toBeLessThanOrEqual(3);
    expect(related.body.map((p) => p.id)).not.toContain(target.id);
    await get(`/api/papers/${OLD_STYLE_ID}/related`, { path: '/api/papers/{id}/related' });
    await get('/api/papers/2501.00000/related', { path: '/api/papers/{id}/related', status: 404 });
  });

  it('limits each client to the configured requests per window, then answers 429 with RateLimit headers', async () => {
    let now = 1_000_000;
    const limited = apiRoutes(testDeps(t, search, { baseUrl }), {
      rateLimit: { limit: 3, windowSeconds: 60, now: () => now },
    });
    const hit = (ip?: string) =>
      limited.request('/api/daily_papers', ip ? { headers: { 'X-Forwarded-For': ip } } : undefined);
    for (const remaining of [2, 1, 0]) {
      const ok = await hit();
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit')).toBe(`limit=3, remaining=${remaining}, reset=60`);
    }
    now += 15_000;
    const over = await hit('203.0.113.9'); // not trusted by default: still the same client
    expect(over.status).toBe(429);
    expect(over.headers.get('ratelimit-policy')).toBe('3;w=60');
    expect(over.headers.get('ratelimit')).toBe('limit=3, remaining=0, reset=45');
    expect(over.headers.get('retry-after')).toBe('45');
    const body = await over.json();
    expect(validate(doc, responseSchema(doc, '/api/daily_papers', 'get', 429), body)).toEqual([]);
    expect(body).toMatchObject({ error: { code: 'rate_limited' } });
    now += 45_000;
    expect((await hit()).status).toBe(200);

    const behindProxy = apiRoutes(testDeps(t, search, { baseUrl }), {
      rateLimit: { limit: 1, windowSeconds: 60, trustProxy: true },
    });
    const via = (ip: string) =>
      behindProxy.request('/api/daily_papers', { headers: { 'X-Forwarded-For': `${ip}, 10.0.0.1` } });
    expect((await via('198.51.100.1')).status).toBe(200);
    expect((await via('198.51.100.2')).status).toBe(200);
    expect((await via('198.51.100.1')).status).toBe(429);
  });

  it('keeps its errors, validation and headers when mounted in the site at /', async () => {
    const site = new Hono();
    site.route('/', apiRoutes(testDeps(t, search, { baseUrl }), { rateLimit: false }));
    site.get('/', (c) => c.html('<h1>home</h1>'));
    site.notFound((c) => c.html('<h1>not found</h1>', 404));
    expect(await (await site.request('/api/daily_papers?limit=0')).json()).toMatchObject({
      error: { code: 'invalid_request' },
    });
    expect(await (await site.request('/api/papers/2501.00000')).json()).toMatchObject({ error: { code: 'not_found' } });
    expect(await (await site.request('/api/unknown')).json()).toMatchObject({ error: { code: 'not_found' } });
    const page = await site.request('/');
    expect(page.headers.get('etag')).toBeNull();
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect((await site.request('/elsewhere')).status).toBe(404);
    expect((await site.request(`/api/papers/${OLD_STYLE_ID}`)).status).toBe(200);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing'],
      ['POST', '/api/papers'],
      ['GET', '/api/daily_papers/extra'],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('answers a repeated feed request from memory until papers change', async () => {
    const { body: before } = await daily('?limit=3');
    const first = before[0]!.paper;
    // Written by another process (beside this store): not announced here, the remembered page stands.
    await t.db
      .updateTable('papers')
      .set({ upvotes: first.upvotes + 41 })
      .where('id', '=', first.id)
      .execute();
    expect((await daily('?limit=3')).body[0]!.paper.upvotes).toBe(first.upvotes);
    // A vote through the store announces itself: the next request reads the papers again.
    await t.store.transaction((_trx, papers) => papers.addVotes(first.id, 1, 4));
    const { body: after } = await daily('?limit=3');
    expect(after.find((e) => e.paper.id === first.id)?.paper.upvotes).toBe(first.upvotes + 42);
    await t.db.updateTable('papers').set({ upvotes: first.upvotes }).where('id', '=', first.id).execute();
    await t.store.transaction((_trx, papers) => papers.addVotes(first.id, -1, -4));
  });

  it('caches with a weak ETag and 304, and allows any origin', async () => {
    const url = `/api/daily_papers?date=${DAYS[0]}`;
    const res = await app.request(url, { headers: { Origin: 'https://elsewhere.example' } });
    const tag = res.headers.get('etag')!;
    expect(tag).toMatch(/^W\/"[^"]+"$/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const again = await app.request(url, { headers: { 'If-None-Match': tag, Origin: 'https://elsewhere.example' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(tag);
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
    const head = await app.request(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(tag);
    const preflight = await app.request('/api/papers', {
      method: 'OPTIONS',
      headers: { Origin: 'https://x.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST,DELETE,OPTIONS');
    expect((await app.request('/openapi.json')).headers.get('access-control-allow-origin')).toBe('*');
    expect((await app.request(`/api/papers/${HOSTILE_ID}`)).headers.get('access-control-expose-headers')).toContain(
      'Link',
    );
  });

  it('keeps cursor pages consistent while papers arrive', async () => {
    const first = await app.request('/api/papers?limit=3');
    const page1 = (await first.json()) as ApiPaper[];
    const next = /^<([^>]+)>/.exec(first.headers.get('link')!)![1]!;
    const before = (await t.store.listPapers({ sort: 'date', to: '9999-12-31', limit: 1000 })).map((p) => p.id);
    const day = page1[2]!.feedDay!;
    await t.store.upsertPapers([
      { id: '2712.99999', source: 'arxiv-api', title: 'A paper of a newer day', abstract: 'x', listedOn: '2027-12-01' },
      { id: '2712.99998', source: 'arxiv-api', title: 'A paper added to the same day', abstract: 'x', listedOn: day },
    ]);
    const rest: string[] = [];
    for (let url: string | undefined = next; url; ) {
      const res = await app.request(url.slice(baseUrl.length));
      rest.push(...((await res.json()) as ApiPaper[]).map((p) => p.id));
      url = /^<([^>]+)>/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect([...page1.map((p) => p.id), ...rest]).toEqual(before);
  });
});
