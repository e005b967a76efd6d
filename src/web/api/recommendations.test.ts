import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser } from '../../../test/browser-session.js';
import {
  FOR_YOU_DAY as DAY,
  dayIds,
  forYouPapers,
  idsOf,
  NEAR_DUPLICATE,
  OLD_DAY as OLD,
} from '../../../test/for-you-papers.js';
import { type Doc, responseSchema, validate } from '../../../test/openapi-check.js';
import { openTestSite, type TestSite, testDeps } from '../../../test/site.js';
import { engines } from '../../../test/stores.js';
import type { Account } from '../../accounts/accounts.js';
import { createApiToken } from '../../accounts/api-tokens.js';
import { toggleVote } from '../../accounts/votes.js';
import { weekOf } from '../../model/dates.js';
import { createApp } from '../app.js';

const BASE = 'http://paperboy.test';
const SECRET = 'api-for-you-test-secret-long-enough-for-hmac';
const NOW = new Date('2026-07-02T09:00:00Z');

interface Rec {
  paper: { id: string; title: string };
  score: number;
  reasons: { kind: string; text: string; paperId?: string; words?: string[] }[];
}

describe.each(engines)('recommendations in the JSON API on %s', (engine) => {
  let site: TestSite;
  let doc: Doc;
  let people = 0;

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => NOW,
      papers: forYouPapers,
      forYou: true,
    });
    doc = (await (await site.app.request('/openapi.json')).json()) as Doc;
  });
  afterAll(() => site?.close());

  /** A reader with a read token and a write token. */
  async function reader(): Promise<{ account: Account; read: string; write: string }> {
    people++;
    const { account } = await signedInBrowser(site.app, site.t.db, {
      email: `api${people}@example.org`,
      ip: `10.6.0.${people}`,
      now: NOW,
    });
    const read = await createApiToken(site.t.db, account.id, { name: 'read', scope: 'read' }, NOW);
    const write = await createApiToken(site.t.db, account.id, { name: 'write', scope: 'write' }, NOW);
    return { account, read: read.token, write: write.token };
  }

  async function call<T>(
    method: string,
    path: string,
    opts: { token?: string; status?: number; op?: string; app?: TestSite['app'] } = {},
  ): Promise<{ res: Response; body: T }> {
    const headers: Record<string, string> = { 'x-forwarded-for': '10.6.9.9' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await (opts.app ?? site.app).request(path, { method, headers });
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBe(opts.status ?? 200);
    const body = JSON.parse(text) as T;
    if (opts.op)
      expect(validate(doc, responseSchema(doc, opts.op, method.toLowerCase(), res.status), body)).toEqual([]);
    return { res, body };
  }
  const ranked = async (token: string, query = `date=${DAY}&limit=1000`) =>
    (await call<Rec[]>('GET', `/api/recommendations?${query}`, { token, op: '/api/recommendations' })).body;

  it('returns every paper of the day best first, with reasons, when the limit is at least their number', async () => {
    const r = await reader();
    await Promise.all(idsOf('quantum', OLD).map((id) => toggleVote(site.t.store, r.account, id, NOW)));
    const { res, body } = await call<Rec[]>('GET', `/api/recommendations?date=${DAY}&limit=1000`, {
      token: r.read,
      op: '/api/recommendations',
    });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(body.map((x) => x.paper.id).sort()).toEqual([...dayIds].sort());
    expect(
      body
        .slice(0, 2)
        .map((x) => x.paper.id)
        .sort(),
    ).toEqual(idsOf('quantum', DAY).sort());
    expect(body[0]!.score).toBeGreaterThan(body.at(-1)!.score);
    expect(body[0]!.reasons.find((x) => x.kind === 'closest')?.text).toMatch(/^Close to “On .+” \(you upvoted it\)$/);
    expect(body[0]!.reasons.find((x) => x.kind === 'words')?.text).toMatch(/^Words: /);
    // A smaller limit: the first of the same order; a week: its papers too.
    expect((await ranked(r.read, `date=${DAY}&limit=2`)).map((x) => x.paper.id)).toEqual(
      body.slice(0, 2).map((x) => x.paper.id),
    );
    expect((await ranked(r.read, `week=${weekOf(DAY)}&limit=1000`)).map((x) => x.paper.id).sort()).toEqual(
      [...dayIds].sort(),
    );
    // The default day is the latest.
    expect((await ranked(r.read, 'limit=1000')).map((x) => x.paper.id)).toEqual(body.map((x) => x.paper.id));
  });

  it('starts cold in trending order, saying so', async () => {
    const r = await reader();
    const body = await ranked(r.read);
    expect(body).toHaveLength(dayIds.length);
    expect(body.every((x) => x.reasons.length === 1 && x.reasons[0]!.kind === 'trending')).toBe(true);
    expect(body[0]!.reasons[0]!.text).toBe('Trending (you have no likes yet)');
  });

  it('marks a paper not interested with a write token, takes it back, and resets', async () => {
    const r = await reader();
    await Promise.all(idsOf('robots', OLD).map((id) => toggleVote(site.t.store, r.account, id, NOW)));
    const before = (await ranked(r.read)).map((x) => x.paper.id);
    const marked = idsOf('robots', DAY)[0]!;
    const op = '/api/papers/{id}/not-interested';
    const { body } = await call('POST', `/api/papers/${marked}/not-interested`, { token: r.write, op });
    expect(body).toEqual({ id: marked, notInterested: true });
    const after = (await ranked(r.read)).map((x) => x.paper.id);
    expect(after.slice(-2).sort()).toEqual([marked, NEAR_DUPLICATE].sort());
    await call('DELETE', `/api/papers/${marked}/not-interested`, { token: r.write, op });
    expect((await ranked(r.read)).map((x) => x.paper.id)).toEqual(before);
    await call('POST', `/api/papers/${marked}/not-interested`, { token: r.write });
    const reset = await call('DELETE', '/api/not-interested', { token: r.write, op: '/api/not-interested' });
    expect(reset.body).toEqual({ notInterested: 0 });
    expect((await ranked(r.read)).map((x) => x.paper.id)).toEqual(before);
    await call('POST', '/api/papers/2699.99999/not-interested', { token: r.write, status: 404, op });
  });

  it('refuses a read token writing (403) and anyone without a token (401)', async () => {
    const r = await reader();
    const id = dayIds[0]!;
    await call('POST', `/api/papers/${id}/not-interested`, { token: r.read, status: 403 });
    await call('DELETE', `/api/papers/${id}/not-interested`, { token: r.read, status: 403 });
    await call('DELETE', '/api/not-interested', { token: r.read, status: 403 });
    const marks = await site.t.db
      .selectFrom('not_interested')
      .selectAll()
      .where('account_id', '=', r.account.id)
      .execute();
    expect(marks).toEqual([]);
    await call('GET', `/api/recommendations?date=${DAY}`, { status: 401, op: '/api/recommendations' });
    await call('POST', `/api/papers/${id}/not-interested`, { status: 401 });
    await call('DELETE', '/api/not-interested', { status: 401 });
    await call('GET', `/api/recommendations?date=${DAY}`, { token: 'pb_not-a-token', status: 401 });
  });

  it('says what is wrong with a period or a limit, and asks to come back while it is being prepared', async () => {
    const r = await reader();
    await call('GET', '/api/recommendations?date=2026-13-45', { token: r.read, status: 400 });
    await call('GET', '/api/recommendations?week=2026-27', { token: r.read, status: 400 });
    await call('GET', `/api/recommendations?date=${DAY}&week=2026-W27`, { token: r.read, status: 400 });
    await call('GET', `/api/recommendations?date=${DAY}&limit=1001`, { token: r.read, status: 400 });
    const preparing = createApp(testDeps(site.t, site.search, { baseUrl: BASE }, { secret: SECRET, clock: () => NOW }));
    const { res } = await call('GET', `/api/recommendations?date=${DAY}`, {
      token: r.read,
      status: 503,
      app: preparing,
      op: '/api/recommendations',
    });
    expect(res.headers.get('retry-after')).toBe('15');
  });
});
