// bench/scale: one web process against two on one PostgreSQL database (issue 17, item 9).
// Creates its own database (dropped at the end), imports the 74,728-paper corpus with the real `paperboy import`
// (timed: the first import and a re-import), fits the search model, then for `serve --processes 1` and `--processes 2`:
// the time to the first answer (/healthz) and to ready (/readyz) from spawn, autocannon on distinct-query search, home
// and a paper page, and a read/write mix (autocannon reading while writers vote through the API and comment through
// the form); req/s, p50, p99, the load generator's CPU, and RSS per process. Then two separate `serve` processes on
// the same database: a vote through one, and how long until the other's API shows it (p50/p99 over --writes writes).
// Web processes are measured in passes of 1, 2, 2 and 1: most of a drift of the machine's speed cancels out of the
// means.
// Usage: npm run bench:scale [-- --duration 10] [--connections 10] [--writes 200] [--keep-db NAME]
//   [--warmup 2] [--search-warmup 20] (seconds per web process before each row)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { accountForEmail } from '../src/accounts/accounts.js';
import { createApiToken } from '../src/accounts/api-tokens.js';
import { createSession } from '../src/accounts/sessions.js';
import { openStore } from '../src/store/open.js';
import { root, runCli, startCli } from '../test/cli.js';
import { autocannon, type Load } from './autocannon.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    /** Seconds of warm-up per web process before each row; search's own below. */
    warmup: { type: 'string', default: '2' },
    'search-warmup': { type: 'string', default: '20' },
    writes: { type: 'string', default: '200' },
    /** Reuse (and keep) this database: imported once, then only measured. */
    'keep-db': { type: 'string' },
    file: {
      type: 'string',
      default: join(root, '../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz'),
    },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const cannon = (url: string, seconds: number, paths?: { file: string; start: number }) =>
  autocannon(url, { seconds, connections, paths });
const warmup = Number(values.warmup);
const searchWarmup = Number(values['search-warmup']);
const WRITES = Number(values.writes);
const CORPUS_PAPERS = 74_728;
/** The passes, by their count of web processes (see the loop). */
const PASSES = [1, 2, 2, 1];
/** Tells this run's writers (accounts, addresses) from an earlier run's. */
const runStamp = Math.floor(Date.now() / 1000);
const ADMIN_URL = process.env.PAPERBOY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = values['keep-db'] ?? `paperboy_scale_${process.pid}`;
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
const bin = join(root, 'bin/paperboy.js');
const log = (m: string) => console.error(`[scale ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const t0 = performance.now();

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

interface Serve {
  url: string;
  child: ChildProcess;
  output(): string;
  firstAnswerMs: number;
  readyMs: number;
  /** Until every web process said its For you ranking was open (it counts papers' terms meanwhile). */
  forYouMs: number;
  /** Whether the search index came from the snapshot file of an earlier start. */
  fromSnapshot: boolean;
  stop(): Promise<void>;
}

/** `paperboy serve` on a free port; resolves when /readyz answers 200, with the times from spawn to alive and ready. */
async function startServe(processes: number, port: number): Promise<Serve> {
  const spawned = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--no-digest', '--processes', String(processes)], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL,
      PORT: String(port),
      PAPERBOY_SOURCES: 'none',
      PAPERBOY_API_RATE_LIMIT: '0',
      PAPERBOY_TRUST_PROXY: 'true',
      PAPERBOY_DIGEST_CRON: 'off',
      PAPERBOY_REFIT_CRON: 'off',
      PAPERBOY_TRENDING_CRON: 'off',
      PAPERBOY_THUMBNAILS_CRON: 'off',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const until = async (path: string): Promise<number> => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`paperboy serve ended:\n${out.slice(-3000)}`);
      if (performance.now() - spawned > 300_000) throw new Error(`paperboy serve: no 200 from ${path} in 300 s`);
      const ok = await fetch(url + path, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - spawned;
      await sleep(20);
    }
  };
  const firstAnswerMs = await until('/healthz');
  const readyMs = await until('/readyz');
  // Measured once For you is open in every web process too: until then each counts every paper's terms.
  while (
    (out.match(/for-you ranking ready/g) ?? []).length < processes &&
    performance.now() - spawned < 300_000 &&
    child.exitCode === null
  )
    await sleep(50);
  if ((out.match(/for-you ranking ready/g) ?? []).length < processes)
    throw new Error(`paperboy serve: For you did not open in every web process within 300 s:\n${out.slice(-3000)}`);
  const forYouMs = performance.now() - spawned;
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    url,
    child,
    output: () => out,
    firstAnswerMs,
    readyMs,
    forYouMs,
    fromSnapshot: out.includes('index loaded from'),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await ended;
      clearTimeout(timer);
    },
  };
}

/** RSS in MB of a process and of its children (the web processes of `--processes N`). */
function rssOfTree(pid: number): { pid: number; mb: number }[] {
  const rss = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {}
  return [pid, ...children].map((p) => ({ pid: p, mb: rss(p) }));
}

/** Rounds of a fixed loop (map lookups and a scan of 32 MB) in one second: how fast the machine is now. */
function machineSpeed(): number {
  const map = new Map<string, number>();
  for (let i = 0; i < 100_000; i++) map.set(`k${i}`, i);
  const scan = new Float64Array(4_000_000);
  let rounds = 0;
  let sum = 0;
  const end = performance.now() + 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100_000; i++) sum += map.get(`k${i}`)!;
    for (let i = 0; i < scan.length; i += 8) sum += scan[i]!;
    rounds++;
  }
  return sum >= 0 ? rounds : -rounds;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Distinct searches (none answered from a cache): two or three words of the corpus's titles. */
async function distinctSearches(db: pg.Client, n: number): Promise<string[]> {
  const titles = (await db.query<{ title: string }>('SELECT title FROM papers ORDER BY id')).rows.map((r) => r.title);
  let seed = 17;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  const out = new Set<string>();
  for (let tries = 0; out.size < n && tries < n * 20; tries++) {
    const words = titles[Math.floor(random() * titles.length)]!.split(/\s+/).filter((w) => /^[A-Za-z-]{4,}$/.test(w));
    const start = Math.floor(random() * Math.max(1, words.length - 2));
    const q = words.slice(start, start + 2 + Math.floor(random() * 2)).join(' ');
    if (q) out.add(`/search?q=${encodeURIComponent(q).replace(/%20/g, '+')}`);
  }
  return [...out];
}

interface Writer {
  email: string;
  token: string;
  session: string;
  csrf?: string | undefined;
  csrfCookie?: string | undefined;
}

/** Writers vote (API, bearer token) and comment (the form, with its CSRF token) until `stop`; latency of each write. */
async function writeLoop(
  url: string,
  writers: Writer[],
  papers: string[],
  stop: () => boolean,
  ip: string,
): Promise<{ ms: number[]; failed: number; statuses: Map<number, number> }> {
  const ms: number[] = [];
  const statuses = new Map<number, number>();
  let failed = 0;
  let i = 0;
  while (!stop()) {
    const w = writers[i % writers.length]!;
    const paper = papers[(i * 7919) % papers.length]!;
    i++;
    const started = performance.now();
    let status = 0;
    try {
      if (i % 4 !== 0) {
        const r = await fetch(`${url}/api/papers/${paper}/upvote`, {
          method: i % 8 < 4 ? 'POST' : 'DELETE',
          headers: { authorization: `Bearer ${w.token}`, 'x-forwarded-for': ip },
        });
        await r.arrayBuffer();
        status = r.status;
      } else {
        if (!w.csrf) {
          const page = await fetch(`${url}/papers/${paper}`, {
            headers: { cookie: `pb_session=${w.session}`, 'x-forwarded-for': ip },
          });
          for (const line of page.headers.getSetCookie()) {
            const m = /^pb_csrf=([^;]+)/.exec(line);
            if (m) w.csrfCookie = m[1];
          }
          w.csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
        }
        const r = await fetch(`${url}/papers/${paper}/comments`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            cookie: `pb_session=${w.session}; pb_csrf=${w.csrfCookie ?? ''}`,
            'x-forwarded-for': ip,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ csrf: w.csrf ?? '', body: `Scale comment ${i}: does $x^2$ hold?` }),
        });
        await r.arrayBuffer();
        status = r.status;
      }
    } catch {
      status = 0;
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 200 && status < 400) ms.push(performance.now() - started);
    else failed++;
  }
  return { ms, failed, statuses };
}

/** The writers' answers by status, e.g. "200:600 429:12" (0: no answer). */
const statusesOf = (written: { statuses: Map<number, number> }[]) => {
  const all = new Map<number, number>();
  for (const w of written) for (const [status, n] of w.statuses) all.set(status, (all.get(status) ?? 0) + n);
  return [...all].map(([status, n]) => `${status}:${n}`).join(' ');
};

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// ---------- main ----------

const dir = mkdtempSync(join(tmpdir(), 'paperboy-scale-'));
const env = { DATABASE_URL };
const keep = values['keep-db'] !== undefined;
let opened: Awaited<ReturnType<typeof openStore>> | undefined;
const running: Serve[] = [];
try {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  const exists = (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount === 1;
  await client.end();
  if (!exists) await admin(`CREATE DATABASE "${dbName}"`);

  const importRows: [string, string][] = [];
  const stats = async () => {
    const r = await runCli(['stats', '--json'], env);
    return (JSON.parse(r.stdout) as { papers: number }).papers;
  };
  if ((await stats()) < CORPUS_PAPERS) {
    for (const pass of ['first import', 're-import']) {
      log(`${pass} of the corpus (paperboy import)`);
      const started = performance.now();
      const child = startCli(['import', values.file!], env);
      const r = await child.result;
      if (r.code !== 0) throw new Error(`paperboy import failed (${r.code}): ${r.stderr.slice(-2000)}`);
      const s = (performance.now() - started) / 1000;
      importRows.push([
        `PostgreSQL ${pass}`,
        `${s.toFixed(1)} s, ${Math.round(CORPUS_PAPERS / s)} papers/s (${r.stdout.trim().split('\n').pop()})`,
      ]);
      log(importRows.at(-1)![1]);
    }
    log('fitting the search model (paperboy refit)');
    const refit = await runCli(['refit'], env);
    if (refit.code !== 0) throw new Error(`paperboy refit failed: ${refit.stderr}`);
  }
  const papers = await stats();

  // Writers: accounts with a session (comments) and a write token (votes), as readers would have.
  opened = await openStore({ dataDir: dir, databaseUrl: DATABASE_URL });
  const writers: Writer[] = [];
  // A hundred per pass's mix, and a hundred for the staleness.
  for (let i = 0; i < (PASSES.length + 1) * 100; i++) {
    // New accounts and addresses each run: the write limits count per account and per address in the database, which
    // --keep-db keeps from one run to the next.
    const email = `scale-${runStamp}-${i}@example.org`;
    const { account } = await accountForEmail(opened.db, email, new Date(Date.now() - 3 * 86_400_000));
    const { token } = await createApiToken(opened.db, account.id, { name: 'bench', scope: 'write' }, new Date());
    writers.push({ email, token, session: await createSession(opened.db, account.id, new Date()) });
  }
  const pgc = new pg.Client({ connectionString: DATABASE_URL });
  await pgc.connect();
  const recent = (
    await pgc.query<{ id: string }>('SELECT id FROM papers ORDER BY feed_day DESC NULLS LAST, id LIMIT 500')
  ).rows.map((r) => r.id);
  const pathsFile = join(dir, 'paths.json');
  const searches = await distinctSearches(pgc, 20_000);
  writeFileSync(pathsFile, JSON.stringify(searches.slice(0, 10_000)));
  // Warm-up searches apart from the measured ones. A long warm-up goes round its list again, but thousands of searches
  // apart: the search cache keeps an answer only from a question's second ask among its last 2,000.
  const warmPathsFile = join(dir, 'warm-paths.json');
  writeFileSync(warmPathsFile, JSON.stringify(searches.slice(10_000)));
  await pgc.end();

  interface Row {
    pass: number;
    processes: number;
    route: string;
    load: Load;
    writes?: { n: number; p50: number; p99: number; failed: number };
  }
  const rows: Row[] = [];
  const startup: {
    pass: number;
    processes: number;
    first: number;
    ready: number;
    forYou: number;
    fromSnapshot: boolean;
    rss: string;
  }[] = [];
  let writerOffset = 0;
  const speeds: number[] = [];
  // 1, 2, 2, then 1 process again: the machine's speed may drift during a run (this one's shared cores did, by a third
  // within minutes), and each count's mean over a pass before and a pass after the middle cancels most of a steady
  // drift (not all: a 2-process pass warms up longer, so a route's rows are not placed alike in the two kinds of pass).
  for (const [index, processes] of PASSES.entries()) {
    const pass = index + 1;
    speeds.push(machineSpeed());
    log(`serve --processes ${processes}`);
    const serve = await startServe(processes, await freePort());
    running.push(serve);
    const pids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${serve.url}/healthz`);
      pids.add(r.headers.get('paperboy-pid') ?? '?');
      await r.arrayBuffer();
    }
    log(
      `first answer ${serve.firstAnswerMs.toFixed(0)} ms, ready ${serve.readyMs.toFixed(0)} ms, pids seen ${[...pids].join(',')}`,
    );
    const paper = `/papers/${recent[0]}`;
    const measure = async (
      route: string,
      url: string,
      opts: { paths?: { file: string; start: number }; warm?: { file: string; start: number }; warmup?: number } = {},
    ) => {
      // Per web process: N processes share the warm-up's requests, and each compiles its own hot code (V8's JIT).
      const seconds = (opts.warmup ?? warmup) * processes;
      if (seconds > 0) await cannon(url, seconds, opts.warm);
      const load = await cannon(url, duration, opts.paths);
      rows.push({ pass, processes, route, load });
      log(`  ${route}: ${Math.round(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.codes}`);
    };
    // Search runs most of a process's code, and V8 compiles it for tens of seconds: its compiler threads (on the core
    // one process leaves idle, but not two) still took 0.6 ms a search after 3 s per process, 0.2 ms after 20 s.
    await measure('search, distinct queries', `${serve.url}/`, {
      paths: { file: pathsFile, start: processes === 1 ? 0 : 5000 },
      warm: { file: warmPathsFile, start: processes === 1 ? 0 : 5000 },
      warmup: searchWarmup,
    });
    await measure('home', `${serve.url}/`);
    await measure('paper page', `${serve.url}${paper}`);
    // The mix: autocannon reads paper pages while 4 writers (apart from its 10 connections) vote and comment.
    const mixWriters = writers.slice(writerOffset, writerOffset + 100);
    writerOffset += 100;
    let over = false;
    const writing = Array.from({ length: 4 }, (_, k) =>
      writeLoop(
        serve.url,
        mixWriters.slice(k * 25, k * 25 + 25),
        recent,
        () => over,
        `10.${runStamp % 250}.${Math.floor(runStamp / 250) % 250}.${pass * 10 + k}`,
      ),
    );
    const readPaths = join(dir, 'read-paths.json');
    writeFileSync(readPaths, JSON.stringify(recent.slice(0, 200).map((id) => `/papers/${id}`)));
    const load = await cannon(`${serve.url}/`, duration, { file: readPaths, start: 0 });
    over = true;
    const written = await Promise.all(writing);
    const ms = written.flatMap((w) => w.ms);
    const failed = written.reduce((a, w) => a + w.failed, 0);
    rows.push({
      pass,
      processes,
      route: 'mix: paper reads + votes and comments',
      load,
      writes: { n: ms.length, p50: pct(ms, 50), p99: pct(ms, 99), failed },
    });
    log(
      `  mix: reads ${Math.round(load.rps)} req/s p99 ${load.p99} ms; writes ${ms.length} (${(ms.length / duration).toFixed(0)}/s) p99 ${pct(ms, 99).toFixed(0)} ms, failed ${failed}${failed ? ` (statuses ${statusesOf(written)})` : ''}`,
    );
    const rss = rssOfTree(serve.child.pid!)
      .map((p) => `${p.mb.toFixed(0)}`)
      .join(' + ');
    startup.push({
      pass,
      processes,
      first: serve.firstAnswerMs,
      ready: serve.readyMs,
      forYou: serve.forYouMs,
      fromSnapshot: serve.fromSnapshot,
      rss,
    });
    await serve.stop();
    running.pop();
  }

  // Staleness: two separate serve processes; a vote through A, then B's API until it shows.
  log('staleness: two serve processes, a vote through one, read back through the other');
  const a = await startServe(1, await freePort());
  running.push(a);
  const b = await startServe(1, await freePort());
  running.push(b);
  const lags: number[] = [];
  let missing = 0;
  for (let i = 0; i < WRITES; i++) {
    const w = writers[PASSES.length * 100 + (i % 100)]!;
    const id = recent[(i * 31) % recent.length]!;
    const before = (await (await fetch(`${b.url}/api/papers/${id}`)).json()) as { upvotes: number };
    const voted = await fetch(`${a.url}/api/papers/${id}/upvote`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.token}` },
    });
    const after = (await voted.json()) as { upvotes?: number };
    const start = performance.now();
    const want = after.upvotes ?? before.upvotes + 1;
    let seen = false;
    while (performance.now() - start < 10_000) {
      const now = (await (await fetch(`${b.url}/api/papers/${id}`)).json()) as { upvotes: number };
      if (now.upvotes >= want) {
        seen = true;
        break;
      }
      await sleep(10);
    }
    if (seen) lags.push(performance.now() - start);
    else missing++;
    await fetch(`${a.url}/api/papers/${id}/upvote`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${w.token}` },
    });
  }
  await a.stop();
  await b.stop();
  running.length = 0;

  const mean = (route: string, processes: number) => {
    const of = rows.filter((r) => r.processes === processes && r.route === route);
    return of.reduce((a, r) => a + r.load.rps, 0) / of.length;
  };
  console.log(
    `\nbench/scale: ${papers} papers on PostgreSQL; autocannon ${connections} connections, ${duration} s per row after a warm-up per web process of ${searchWarmup} s (search) or ${warmup} s (the others)`,
  );
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('targets: 2 processes >= 1.5x one on distinct-query search, its p99 <= 100 ms; staleness p99 <= 2 s;');
  console.log('         RSS <= 700 MB per web process; first answer <= 2 s, ready <= 5 s; import >= 3,000 papers/s\n');
  for (const [k, v] of importRows) console.log(`${k}: ${v}`);
  console.log(
    `\nmachine speed before each pass (a fixed loop's rounds in 1 s; ${PASSES.map((p) => `${p}`).join(', ')} processes): ${speeds.join(', ')}`,
  );
  console.log(
    '\n| pass | processes | route | req/s | x 1 process | p50 ms | p99 ms | non-2xx | errors | load generator CPU | writes |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.load.rps / mean(r.route, 1);
    const w = r.writes
      ? `${r.writes.n} (${(r.writes.n / duration).toFixed(0)}/s), p50 ${r.writes.p50.toFixed(0)} ms, p99 ${r.writes.p99.toFixed(0)} ms, failed ${r.writes.failed}`
      : '';
    console.log(
      `| ${r.pass} | ${r.processes} | ${r.route} | ${Math.round(r.load.rps)} | ${ratio.toFixed(2)} | ${r.load.p50} | ${r.load.p99} | ${r.load.non2xx} | ${r.load.errors} | ${r.load.cpu.toFixed(2)} cores | ${w} |`,
    );
  }
  console.log('\n| route | 1 process, mean req/s | 2 processes, mean req/s | 2 processes / 1 |');
  console.log('|---|---|---|---|');
  for (const route of [...new Set(rows.map((r) => r.route))])
    console.log(
      `| ${route} | ${Math.round(mean(route, 1))} | ${Math.round(mean(route, 2))} | ${(mean(route, 2) / mean(route, 1)).toFixed(2)} |`,
    );
  console.log(
    '\n| pass | processes | index | first answer | ready | For you open | RSS per process after the loads, MB (primary + web processes) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (const s of startup)
    console.log(
      `| ${s.pass} | ${s.processes} | ${s.fromSnapshot ? 'from the snapshot' : 'built'} | ${sec(s.first)} | ${sec(s.ready)} | ${sec(s.forYou)} | ${s.rss} |`,
    );
  console.log(
    `\nstaleness over ${WRITES} votes (through one process, read back through the other's API): p50 ${pct(lags, 50).toFixed(0)} ms, p99 ${pct(lags, 99).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms; not seen within 10 s: ${missing}`,
  );
} finally {
  for (const s of running) await s.stop();
  await opened?.store.close();
  rmSync(dir, { recursive: true, force: true });
  if (!keep) await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error(e));
}
