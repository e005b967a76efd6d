import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, signedInBrowser } from '../../../test/browser-session.js';
import { type Doc, responseSchema, validate } from '../../../test/openapi-check.js';
import { openTestSite, type TestSite } from '../../../test/site.js';
import { engines } from '../../../test/stores.js';
import { createApiToken, revokeApiToken } from '../../accounts/api-tokens.js';
import { collectionPapers } from '../../library/collections.js';
import type { PaperRecord } from '../../model/record.js';

const BASE = 'http://paperboy.test';
const NOW = new Date('2026-07-03T09:00:00Z');
const PAPERS: PaperRecord[] = ['2607.00001', '2607.00002', 'hep-th/9901001'].map((id, i) => ({
  id,
  source: 'arxiv-api' as const,
  title: `Paper number ${i} {with} 100% braces`,
  abstract: 'x',
  authors: ['Ada Lovelace'],
  submittedAt: '2026-07-01T10:00:00Z',
  listedOn: '2026-07-02',
}));
const [A, B, OLD] = PAPERS.map((p) => p.id) as [string, string, string];

interface ApiCollection {
  id: string;
  kind: string;
  name: string;
  visibility: string;
  shareUrl: string | null;
  papers: number;
  items?: { paper: { id: string }; note: string; position: number }[];
}

describe.each(engines)('collections in the JSON API on %s', (engine) => {
  let site: TestSite;
  let doc: Doc;
  let people = 0;

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: 'api-library-test-secret-long-enough-for-hmac',
      clock: () => NOW,
      papers: PAPERS,
    });
    doc = (await (await site.app.request('/openapi.json')).json()) as Doc;
  });
  afterAll(() => site?.close());

  /** A signed-in client: its browser, and the form token a page of the site gave it. */
  async function client() {
    const { browser, account } = await signedInBrowser(site.app, site.t.db, {
      email: `api${people++}@example.org`,
      ip: `10.8.0.${people}`,
      now: NOW,
    });
    return { browser, account, csrf: await browser.csrf('/library') };
  }

  /** Calls the API as the browser (its cookies), sending JSON; checks the answer against the OpenAPI document. */
  async function call<T>(
    b: Browser | undefined,
    method: string,
    path: string,
    opts: { body?: unknown; csrf?: string; status?: number; op?: string; token?: string } = {},
  ): Promise<{ res: Response; body: T }> {
    const headers: Record<string, string> = { 'x-forwarded-for': b?.ip ?? '10.8.9.9' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (b?.cookies.size) headers.cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await site.app.request(path, {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
    });
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBe(opts.status ?? 200);
    const body = (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
    if (opts.op && res.headers.get('content-type')?.startsWith('application/json'))
      expect(validate(doc, responseSchema(doc, opts.op, method.toLowerCase(), res.status), body)).toEqual([]);
    return { res, body };
  }

  it('lists, creates, reads, changes and deletes collections for the signed-in account', async () => {
    const { browser: b, csrf } = await client();
    const { body: list, res } = await call<ApiCollection[]>(b, 'GET', '/api/collections', { op: '/api/collections' });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(list.map((c) => [c.kind, c.name])).toEqual([['saved', 'Saved']]);

    const { body: created } = await call<ApiCollection>(b, 'POST', '/api/collections', {
      body: { name: 'Thesis', visibility: 'link' },
      csrf,
      status: 201,
      op: '/api/collections',
    });
    expect(created).toMatchObject({ kind: 'named', name: 'Thesis', visibility: 'link', papers: 0 });
    expect(created.shareUrl).toMatch(/^http:\/\/paperboy\.test\/library\/shared\/[A-Za-z0-9_-]{22}$/);

    const item = `/api/collections/${created.id}/papers`;
    await call(b, 'PUT', `${item}/${A}`, { csrf, op: '/api/collections/{id}/papers/{paperId}' });
    await call(b, 'PUT', `${item}/${OLD}`, { csrf, body: { note: 'old but gold' } });
    const { body: moved } = await call<{ position: number; note: string }>(b, 'PUT', `${item}/hep-th%2F9901001`, {
      csrf,
      body: { position: 0 },
      op: '/api/collections/{id}/papers/{paperId}',
    });
    expect(moved).toMatchObject({ position: 0, note: 'old but gold' });
    await call(b, 'PUT', `${item}/${B}v3`, { csrf, body: {} });
    await call(b, 'DELETE', `${item}/${A}`, { csrf, status: 204 });

    const { body: detail } = await call<ApiCollection>(b, 'GET', `/api/collections/${created.id}`, {
      op: '/api/collections/{id}',
    });
    expect(detail.items?.map((i) => [i.paper.id, i.position, i.note])).toEqual([
      [OLD, 0, 'old but gold'],
      [B, 2, ''],
    ]);

    const { body: renamed } = await call<ApiCollection>(b, 'PATCH', `/api/collections/${created.id}`, {
      csrf,
      body: { name: 'Thesis, part 2', newLink: true },
      op: '/api/collections/{id}',
    });
    expect(renamed.name).toBe('Thesis, part 2');
    expect(renamed.shareUrl).not.toBe(created.shareUrl);

    // `saved` names the reading list.
    await call(b, 'PUT', `/api/collections/saved/papers/${A}`, { csrf });
    const { body: saved } = await call<ApiCollection>(b, 'GET', '/api/collections/saved');
    expect(saved.items?.map((i) => i.paper.id)).toEqual([A]);
    expect(saved.kind).toBe('saved');
    const refused = await call<{ error: { code: string } }>(b, 'DELETE', '/api/collections/saved', {
      csrf,
      status: 400,
    });
    expect(refused.body.error.code).toBe('invalid_request');

    await call(b, 'DELETE', `/api/collections/${created.id}`, { csrf, status: 204 });
    await call(b, 'GET', `/api/collections/${created.id}`, { status: 404 });
  });

  it('refuses the signed out (401), a write without the form token (403), and another account’s collection (404)', async () => {
    const { browser: ada, csrf } = await client();
    const { body: col } = await call<ApiCollection>(ada, 'POST', '/api/collections', {
      body: { name: 'Private' },
      csrf,
      status: 201,
    });
    await call(ada, 'PUT', `/api/collections/${col.id}/papers/${A}`, { csrf });

    const anon = await call<{ error: { code: string } }>(undefined, 'GET', '/api/collections', { status: 401 });
    expect(anon.body.error.code).toBe('unauthorized');
    await call(undefined, 'POST', '/api/collections', { body: { name: 'x' }, status: 401 });
    await call(undefined, 'GET', `/api/collections/${col.id}`, { status: 404 });
    await call(undefined, 'GET', `/api/collections/${col.id}/export`, { status: 404 });

    for (const [method, path, body] of [
      ['POST', '/api/collections', { name: 'x' }],
      ['PATCH', `/api/collections/${col.id}`, { visibility: 'public' }],
      ['DELETE', `/api/collections/${col.id}`, undefined],
      ['PUT', `/api/collections/${col.id}/papers/${B}`, {}],
      ['DELETE', `/api/collections/${col.id}/papers/${A}`, undefined],
      ['POST', `/api/collections/${col.id}/import`, { text: B }],
    ] as const) {
      const { body: err } = await call<{ error: { code: string } }>(ada, method, path, { body, status: 403 });
      expect(err.error.code).toBe('forbidden');
      await call(ada, method, path, { body, csrf: 'forged', status: 403 });
    }

    const { browser: bob, csrf: bobCsrf } = await client();
    await call(bob, 'GET', `/api/collections/${col.id}`, { status: 404 });
    await call(bob, 'GET', `/api/collections/${col.id}/export?format=ris`, { status: 404 });
    for (const [method, path, body] of [
      ['PATCH', `/api/collections/${col.id}`, { visibility: 'public' }],
      ['DELETE', `/api/collections/${col.id}`, undefined],
      ['PUT', `/api/collections/${col.id}/papers/${B}`, {}],
      ['DELETE', `/api/collections/${col.id}/papers/${A}`, undefined],
      ['POST', `/api/collections/${col.id}/import`, { text: B }],
    ] as const) {
      const { body: err } = await call<{ error: { code: string } }>(bob, method, path, {
        body,
        csrf: bobCsrf,
        status: 404,
      });
      expect(err.error.code).toBe('not_found');
    }
    // Ada's token is bound to her session: it does not pass for Bob.
    await call(bob, 'POST', '/api/collections', { body: { name: 'x' }, csrf, status: 403 });
    expect((await collectionPapers(site.t.db, col.id)).map((i) => i.paper.id)).toEqual([A]);

    await call(ada, 'PATCH', `/api/collections/${col.id}`, { csrf, body: { visibility: 'public' } });
    const { body: open } = await call<ApiCollection>(bob, 'GET', `/api/collections/${col.id}`);
    expect(open.shareUrl).toBeNull();
    expect(open.items?.map((i) => i.paper.id)).toEqual([A]);
  });

  it('works for scripts with a personal token: a read token reads, a write token writes, a revoked one is refused', async () => {
    const { account } = await client();
    const read = await createApiToken(site.t.db, account.id, { name: 'reader', scope: 'read' }, NOW);
    const write = await createApiToken(site.t.db, account.id, { name: 'writer', scope: 'write' }, NOW);
    const { body: made } = await call<ApiCollection>(undefined, 'POST', '/api/collections', {
      token: write.token,
      body: { name: 'By script' },
      status: 201,
    });
    await call(undefined, 'PUT', `/api/collections/${made.id}/papers/${A}`, {
      token: write.token,
      body: { note: 'hi' },
    });
    const { body: list } = await call<ApiCollection[]>(undefined, 'GET', '/api/collections', {
      token: read.token,
      op: '/api/collections',
    });
    expect(list.map((c) => [c.name, c.papers])).toEqual([
      ['Saved', 0],
      ['By script', 1],
    ]);
    const { res, body } = await call<{ error: { code: string } }>(undefined, 'DELETE', `/api/collections/${made.id}`, {
      token: read.token,
      status: 403,
    });
    expect(body.error.code).toBe('forbidden');
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    await revokeApiToken(site.t.db, write.info.id, account.id);
    await call(undefined, 'DELETE', `/api/collections/${made.id}`, { token: write.token, status: 401 });
    expect((await collectionPapers(site.t.db, made.id)).map((i) => [i.paper.id, i.note])).toEqual([[A, 'hi']]);
  });

  it('imports ids into a collection and exports collections and papers in each format', async () => {
    const { browser: b, csrf } = await client();
    const { body: col } = await call<ApiCollection>(b, 'POST', '/api/collections', {
      body: { name: 'Exported' },
      csrf,
      status: 201,
    });
    const { body: report } = await call<{ added: number; lines: { outcome: string }[] }>(
      b,
      'POST',
      `/api/collections/${col.id}/import`,
      { csrf, body: { text: `${A}\n${B}\nnonsense` }, op: '/api/collections/{id}/import' },
    );
    expect(report.added).toBe(2);
    expect(report.lines.map((l) => l.outcome)).toEqual(['added', 'added', 'invalid']);

    const { res, body: bib } = await call<string>(b, 'GET', `/api/collections/${col.id}/export`);
    expect(res.headers.get('content-type')).toBe('application/x-bibtex; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Exported.bib"');
    const parsed = parseBibtex(bib, { english: false, caseProtection: false });
    expect(parsed.entries.map((e) => [e.key, e.fields.title])).toEqual([
      ['lovelace2026paper', 'Paper number 0 {with} 100% braces'],
      ['lovelace2026papera', 'Paper number 1 {with} 100% braces'],
    ]);
    const { body: csl } = await call<{ id: string }[]>(b, 'GET', `/api/collections/${col.id}/export?format=csl-json`);
    expect(csl.map((i) => i.id)).toEqual(['lovelace2026paper', 'lovelace2026papera']);
    const { res: risRes } = await call(b, 'GET', `/api/papers/${OLD}/export?format=ris`);
    expect(risRes.headers.get('content-type')).toBe('application/x-research-info-systems; charset=utf-8');
    await call(undefined, 'GET', '/api/papers/2999.00001/export', { status: 404 });
    await call(undefined, 'GET', `/api/papers/${A}/export?format=word`, { status: 400 });
  });
});
