import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress, rateLimit, UNKNOWN_CLIENT } from './rate-limit.js';

function appWith(options: Parameters<typeof rateLimit>[0]) {
  const app = new Hono();
  app.use('*', rateLimit(options));
  app.all('/', (c) => c.text('ok'));
  return app;
}

describe('rate limiter', () => {
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

  it('takes the socket address, and X-Forwarded-For only when trusted', async () => {
    const app = new Hono();
    app.get('/', (c) => c.text(`${clientAddress(c, false)} ${clientAddress(c, true)}`));
    const env = { incoming: { socket: { remoteAddress: '192.0.2.7' } } };
    const res = await app.request('/', { headers: { 'X-Forwarded-For': '198.51.100.3, 10.0.0.1' } }, env);
    expect(await res.text()).toBe('192.0.2.7 198.51.100.3');
    expect(await (await app.request('/')).text()).toBe(`${UNKNOWN_CLIENT} ${UNKNOWN_CLIENT}`);
  });

  it('rejects nonsense options', () => {
    expect(() => rateLimit({ limit: 0 })).toThrow(RangeError);
    expect(() => rateLimit({ windowSeconds: 0 })).toThrow(RangeError);
  });
});
