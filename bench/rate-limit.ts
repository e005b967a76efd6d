// What a rate limit shared across processes costs per request (src/web/rate-counts.ts), against no limit in the same
// run: requests through a Hono app in this process, one after another, on each engine.
//   npm run bench:rate-limit [-- --requests 5000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Hono, type MiddlewareHandler } from 'hono';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { OpenedStore } from '../src/store/store.js';
import { createRateCounts, type RateCounts } from '../src/web/rate-counts.js';
import { rateLimit } from '../src/web/rate-limit.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '5000' } } });
const requests = Number(values.requests);
const adminUrl = process.env.PAPERBOY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function measure(app: Hono, clients: number): Promise<number> {
  for (let i = 0; i < 2000; i++) await app.request('/', { headers: { 'x-client': String(i % clients) } });
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const res = await app.request('/', { headers: { 'x-client': String(i % clients) } });
    if (res.status !== 200) throw new Error(`answered ${res.status}: the limit is too low for the benchmark`);
  }
  return ((performance.now() - started) * 1000) / requests;
}

const counters: RateCounts[] = [];
const delta = (us: number) => `${us >= 0 ? '+' : ''}${us.toFixed(1)}`;

/** The limiter before this one, counted in each process's memory (git history: src/web/rate-limit.ts), to compare. */
function memoryLimit(limit: number, windowSeconds: number): MiddlewareHandler {
  const windowMs = windowSeconds * 1000;
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const t = Date.now();
    const key = c.req.header('x-client') ?? '';
    let w = windows.get(key);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    const reset = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
    const headers = {
      'RateLimit-Policy': `${limit};w=${windowSeconds}`,
      RateLimit: `limit=${limit}, remaining=${Math.max(0, limit - w.count)}, reset=${reset}`,
    };
    if (w.count > limit) return c.text('Too many requests', 429);
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

function appWith(opened: OpenedStore | undefined, batched: boolean, name: string): Hono {
  const app = new Hono();
  if (opened) {
    const counts = createRateCounts(opened.db);
    counters.push(counts);
    app.use(
      '*',
      rateLimit(
        { counts, name },
        { limit: 1_000_000_000, windowSeconds: 300, batched, key: (c) => c.req.header('x-client') },
      ),
    );
  }
  app.get('/', (c) => c.text('ok'));
  return app;
}

const rows: string[][] = [];
for (const engine of ['sqlite', 'postgres'] as const) {
  let opened: OpenedStore;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
    opened = openSqliteStore(join(dir, 'paperboy.db'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `paperboy_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    opened = await openPostgresStore(url.toString());
    cleanup = async () => {
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.end();
    };
  }
  try {
    await measure(appWith(undefined, false, ''), 100);
    const base = await measure(appWith(undefined, false, ''), 100);
    rows.push([engine, 'no limit (baseline)', base.toFixed(1), '']);
    const memory = new Hono();
    memory.use('*', memoryLimit(1_000_000_000, 300));
    memory.get('/', (c) => c.text('ok'));
    const before = await measure(memory, 100);
    rows.push([engine, 'in memory, one process (before)', before.toFixed(1), delta(before - base)]);
    for (const [label, batched] of [
      ['batched, far from the limit (API reads)', true],
      ['written through (write limits)', false],
    ] as const) {
      const us = await measure(appWith(opened, batched, label), 100);
      rows.push([engine, label, us.toFixed(1), delta(us - base)]);
    }
  } finally {
    for (const counts of counters.splice(0)) await counts.close();
    await opened.store.close();
    await cleanup();
  }
}
const head = ['engine', 'limiter', 'µs/request', 'vs baseline'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(`${requests} requests one after another from 100 clients, after 2,000 to warm up.`);
