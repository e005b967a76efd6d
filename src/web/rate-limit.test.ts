import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { createRateCounts, type RateCounts } from './rate-counts.js';
import { clientAddress, type RateLimitOptions, rateLimit, UNKNOWN_CLIENT } from './rate-limit.js';

describe.each(engines)('rate limiter on %s', (engine) => {
  let t: TestStore;
  let counts: RateCounts;
  let limits = 0;
  beforeAll(async () => {
    t = await freshStore(engine);
    counts = createRateCounts(t.db);
  });
  afterAll(async () => {
    await counts.close();
    await t.dispose();
  });

  /** A site with one limit; `name` shares it with another site, as two processes on one store would. */
  function appWith(options: Partial<RateLimitOptions>, name = `limit-${limits++}`, on: RateCounts = counts) {
    const app = new Hono();
    app.use('*', rateLimit({ counts: on, name }, options));
    app.all('/', (c) => c.text('ok'));
    return app;
  }

  it('allows the limit per window, then 429 with the IETF draft headers and Retry-After', async () => {
    let now = 0;
    const app = appWith({ limit: 2, windowSeconds: 10, now: () => now });
    expect((await app.request('/')).headers.get('ratelimit-policy')).toBe('2;w=10');
    expect((await app.request('/')).status).toBe(200);
    now = 2_500;
    const over = await app.request('/');
    expect(over.status).toBe(429);
    expect(over.headers.get('ratelimit')).toBe('limit=2, remaining=0, reset=8');
    expect(over.headers.get('retry-after')).toBe('8');
    expect(await over.text()).toContain('Try again in 8 s');
    now = 10_000;
    expect((await app.request('/')).status).toBe(200);
  });

  it('counts by the key it is given, and by the address when the key gives none', async () => {
    const app = appWith({ limit: 1, windowSeconds: 10, key: (c) => c.req.header('x-account') });
    expect((await app.request('/', { headers: { 'x-account': 'ada' } })).status).toBe(200);
    expect((await app.request('/', { headers: { 'x-account': 'ada' } })).status).toBe(429);
    expect((await app.request('/', { headers: { 'x-account': 'grace' } })).status).toBe(200);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
  });

  it('does not count CORS preflights', async () => {
    const app = appWith({ limit: 1, windowSeconds: 10 });
    for (let i = 0; i < 3; i++) expect((await app.request('/', { method: 'OPTIONS' })).status).not.toBe(429);
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
  });

  it.each([
    ['every request written through', false],
    ['batched', true],
  ])('shares one budget between the processes on a store (%s)', async (_, batched) => {
    const other = createRateCounts(t.db);
    const name = `shared-${batched}`;
    const first = appWith({ limit: 5, windowSeconds: 60, batched }, name);
    const second = appWith({ limit: 5, windowSeconds: 60, batched }, name, other);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await (i % 2 ? second : first).request('/')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    await other.close();
  });

  it('counts a batched limit here far from the limit and writes it to the store on close', async () => {
    const mine = createRateCounts(t.db);
    const app = appWith({ limit: 300, windowSeconds: 60, batched: true }, 'batched-api', mine);
    for (let i = 0; i < 20; i++) expect((await app.request('/')).headers.get('ratelimit')).toMatch(/^limit=300,/);
    const before = await t.db.selectFrom('rate_counts').select('n').where('bucket', '=', 'batched-api').execute();
    // 300 / 8 = 37 requests may be counted here before the first write: none of the 20 was written.
    expect(before).toEqual([]);
    await mine.close();
    const after = await t.db.selectFrom('rate_counts').select('n').where('bucket', '=', 'batched-api').execute();
    expect(after).toEqual([{ n: 20 }]);
  });

  it('opens a new window in the store once the old one is over', async () => {
    let now = 1_000_000;
    const app = appWith({ limit: 1, windowSeconds: 10, now: () => now }, 'reopen');
    expect((await app.request('/')).status).toBe(200);
    now += 9_999;
    expect((await app.request('/')).status).toBe(429);
    now += 1;
    const again = await app.request('/');
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit')).toBe('limit=1, remaining=0, reset=10');
    const rows = await t.db.selectFrom('rate_counts').selectAll().where('bucket', '=', 'reopen').execute();
    expect(rows).toMatchObject([{ n: 1, window_start: new Date(now).toISOString() }]);
  });

  it('rejects nonsense options', () => {
    expect(() => rateLimit({ counts, name: 'x' }, { limit: 0 })).toThrow(RangeError);
    expect(() => rateLimit({ counts, name: 'x' }, { windowSeconds: 0 })).toThrow(RangeError);
  });
});

describe('client address', () => {
  it('takes the socket address, and X-Forwarded-For only when trusted', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text(`${clientAddress(c, false)} ${clientAddress(c, true)}`));
    const env = { incoming: { socket: { remoteAddress: '192.0.2.7' } } };
    const res = await app.request('/', { headers: { 'X-Forwarded-For': '198.51.100.3, 10.0.0.1' } }, env);
    expect(await res.text()).toBe('192.0.2.7 198.51.100.3');
    expect(await (await app.request('/')).text()).toBe(`${UNKNOWN_CLIENT} ${UNKNOWN_CLIENT}`);
  });
});
