// bench/web: the site under load. Fills a SQLite store with the whole corpus (the real `paperboy import`), starts the
// real `paperboy serve` and a bare Node http server as child processes, and runs autocannon against each route on
// loopback. Prints req/s, p50 and p99 latency, non-2xx answers and the ratio to the bare server.
// Usage: npm run bench:web [-- --data-dir DIR] [--duration 10] [--connections 10] [--warmup 2] [--query "..."]
//                            [--only home,paper] [--cpu-prof] [--api-rate-limit N]
// With --data-dir the store is kept and reused (imported only while it holds fewer papers than the corpus).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type RunningServer, startServer } from '../test/browser/server.js';
import { runCli, startCli } from '../test/cli.js';
import { autocannon, type Load as Result } from './autocannon.js';

const CORPUS_PAPERS = 74_728;
const root = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    file: {
      type: 'string',
      default: join(root, '../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz'),
    },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    query: { type: 'string', default: 'large language model agents' },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    /** The API's limit per client and 5 minutes; 0 (the default here) turns it off. A limit no run reaches measures its cost. */
    'api-rate-limit': { type: 'string', default: '0' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const cannon = (url: string, seconds: number, paths?: { file: string; start: number }) =>
  autocannon(url, { seconds, connections, paths });
const warmup = Number(values.warmup);

interface Route {
  name: string;
  path: string;
  /** Requests go through this list of paths instead (written to a file for autocannon's process). */
  paths?: string[];
  /** Printed beside the result. */
  target: { rps?: number; p99: number };
}

/** A bare Node http server answering a fixed string: the ceiling of this machine, Node and autocannon. */
async function startBare(): Promise<{ url: string; child: ChildProcess }> {
  const code =
    "const s=require('http').createServer((q,r)=>{r.setHeader('Content-Type','text/plain');r.end('ok')});" +
    "s.listen(0,'127.0.0.1',()=>console.log(s.address().port))";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((res, rej) => {
    child.stdout!.once('data', (d: Buffer) => res(d.toString().trim()));
    child.once('exit', (c) => rej(new Error(`the bare server ended with ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

/** Searches that differ from one another (so that none is answered from memory): words of the corpus's titles. */
const DISTINCT_QUERIES = 8000;
function distinctSearches(dir: string): string[] {
  const db = new Database(join(dir, 'paperboy.db'), { readonly: true });
  try {
    const titles = (db.prepare('SELECT title FROM papers ORDER BY id').all() as { title: string }[]).map(
      (r) => r.title,
    );
    let seed = 17;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
    const out = new Set<string>();
    for (let tries = 0; out.size < DISTINCT_QUERIES && tries < DISTINCT_QUERIES * 20; tries++) {
      const words = titles[Math.floor(random() * titles.length)]!.split(/\s+/).filter((w) => /^[A-Za-z-]{4,}$/.test(w));
      const start = Math.floor(random() * Math.max(1, words.length - 2));
      const q = words.slice(start, start + 2 + Math.floor(random() * 2)).join(' ');
      if (q) out.add(`/search?q=${encodeURIComponent(q).replace(/%20/g, '+')}`);
    }
    return [...out];
  } finally {
    db.close();
  }
}

async function storePapers(env: Record<string, string>): Promise<number> {
  const r = await runCli(['stats', '--json'], env);
  if (r.code !== 0) throw new Error(`paperboy stats failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { papers: number }).papers;
}

/** The real `paperboy import` of the corpus, its progress shown. */
async function importCorpus(env: Record<string, string>): Promise<void> {
  const started = Date.now();
  const child = startCli(['import', values.file!], env);
  child.stderr!.pipe(process.stderr);
  const r = await child.result;
  if (r.code !== 0) throw new Error(`paperboy import failed (${r.code}): ${r.stderr.slice(-2000)}`);
  console.error(`${r.stdout.trim().split('\n').pop()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Self time per function and per file or package in a .cpuprofile, the largest first, counting only the samples taken
 * within `window` (microseconds since the profile started, which is about when the process was spawned).
 */
function summarizeProfile(file: string, window: [number, number], top = 15): string {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at >= window[0] && at <= window[1]) selfByNode.set(id, (selfByNode.get(id) ?? 0) + dt);
  });
  const total = [...selfByNode.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const where = new Map<string, number>();
  for (const [id, us] of selfByNode) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(root, '');
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1] ??
      (short.startsWith('src/')
        ? short
        : short.startsWith('node:')
          ? 'node internals'
          : short || `(VM) ${functionName}`);
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    where.set(pkg, (where.get(pkg) ?? 0) + us);
  }
  const fmt = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `self time by file or package:\n${fmt(where)}\nself time by function:\n${fmt(fn)}`;
}

const keep = values['data-dir'] !== undefined;
const dataDir = keep ? resolve(values['data-dir']!) : mkdtempSync(join(tmpdir(), 'paperboy-bench-web-'));
mkdirSync(dataDir, { recursive: true });
const env = { PAPERBOY_DATA_DIR: dataDir };
const profDir = join(root, 'test-output/cpu-prof');
let server: RunningServer | undefined;
function hasSearchModel(dir: string): boolean {
  const db = new Database(join(dir, 'paperboy.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM search_models').get() as { n: number }).n > 0;
  } finally {
    db.close();
  }
}

let bare: ChildProcess | undefined;
let spawnedAt = 0;
/** When each route was measured, in microseconds since paperboy serve was spawned (to read its CPU profile). */
const windows: { route: string; from: number; to: number }[] = [];

try {
  const before = await storePapers(env);
  if (before < CORPUS_PAPERS) {
    console.error(`importing the corpus into ${dataDir} (${before} papers there now)`);
    await importCorpus(env);
  } else {
    console.error(`reusing the store in ${dataDir} (${before} papers)`);
  }
  const papers = await storePapers(env);
  // A deployment has its search model fitted; without one the server would fit it in the background during the
  // measurement (and every stored vector would invalidate the page cache).
  if (!hasSearchModel(dataDir)) {
    console.error('fitting the search model once (paperboy refit)');
    const refit = await runCli(['refit'], env);
    if (refit.code !== 0) throw new Error(`paperboy refit failed: ${refit.stderr}`);
  }

  if (values['cpu-prof']) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
  }
  const started = Date.now();
  spawnedAt = performance.now();
  // The API's per-client rate limit would turn the benchmark into a measure of 429s: lifted unless --api-rate-limit.
  server = await startServer(
    {
      ...env,
      LOG_LEVEL: 'info',
      PAPERBOY_API_RATE_LIMIT: values['api-rate-limit'],
      PAPERBOY_DIGEST_CRON: 'off',
      PAPERBOY_REFIT_CRON: 'off',
    },
    {
      timeoutMs: 180_000,
      nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    },
  );
  const indexLine = /search index ready in (\d+) ms/.exec(server.output())?.[1];
  console.error(
    `paperboy serve listening on ${server.url} after ${((Date.now() - started) / 1000).toFixed(1)} s (search index ${indexLine ?? '?'} ms)`,
  );
  const started2 = await startBare();
  bare = started2.child;

  // A paper of the home feed, so that its page is one a reader reaches.
  const home = await (await fetch(`${server.url}/`)).text();
  const paperPath = /<h2><a href="(\/papers\/[^"]+)"/.exec(home)?.[1];
  if (!paperPath) throw new Error('the home feed lists no paper: is the store empty?');

  const routes: Route[] = [
    { name: 'home', path: '/', target: { rps: 1500, p99: 50 } },
    { name: 'paper', path: paperPath, target: { p99: 100 } },
    {
      name: 'search',
      path: `/search?q=${encodeURIComponent(values.query!).replace(/%20/g, '+')}`,
      target: { p99: 100 },
    },
    { name: 'api', path: '/api/daily_papers', target: { p99: 100 } },
  ];
  routes.push({
    name: 'search-distinct',
    path: `/search?q=… (${DISTINCT_QUERIES} different queries)`,
    paths: distinctSearches(dataDir),
    target: { p99: 100 },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const chosen = routes.filter((r) => !only || only.includes(r.name));

  const rows: { route: string; bytes: string; r: Result; target: string; ok: string }[] = [];
  const measure = async (name: string, url: string, target: Route['target'] | undefined, paths?: string[]) => {
    const first = paths ? `${new URL(url).origin}${paths[0]}` : url;
    const check = await fetch(first);
    const bytes = (await check.arrayBuffer()).byteLength;
    if (check.status !== 200) console.error(`warning: GET ${first} answered ${check.status} before the run`);
    let file: { file: string; start: number } | undefined;
    if (paths) {
      file = { file: join(dataDir, 'bench-paths.json'), start: 0 };
      writeFileSync(file.file, JSON.stringify(paths));
    }
    // The warm-up takes its paths from the far end of the list, so that the measured requests are all new (the run
    // would have to pass 6,000 requests to reach them).
    if (warmup > 0) await cannon(url, warmup, file && { ...file, start: Math.floor((paths!.length * 3) / 4) });
    const from = (performance.now() - spawnedAt) * 1000;
    const r = await cannon(url, duration, file);
    windows.push({ route: name, from, to: (performance.now() - spawnedAt) * 1000 });
    const okRps = target?.rps === undefined || r.rps >= target.rps;
    const okP99 = target === undefined || r.p99 <= target.p99;
    rows.push({
      route: name,
      bytes: String(bytes),
      r,
      target: target ? `${target.rps ? `>= ${target.rps} req/s, ` : ''}p99 <= ${target.p99} ms` : '',
      ok: target ? (okRps && okP99 && r.non2xx === 0 && r.errors === 0 ? 'yes' : 'NO') : '',
    });
    console.error(`  ${name}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.codes}`);
  };

  console.error(`running autocannon: ${connections} connections, ${duration} s per route after a ${warmup} s warm-up`);
  await measure('bare node http', started2.url, undefined);
  for (const route of chosen) {
    await measure(
      `${route.name} ${route.path}`,
      route.paths ? `${server.url}/` : `${server.url}${route.path}`,
      route.target,
      route.paths,
    );
  }
  const bareRps = rows[0]!.r.rps;

  const header = ['route', 'bytes', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'x bare', 'target', 'met'];
  const cells = rows.map((row) => [
    row.route,
    row.bytes,
    Math.round(row.r.rps).toString(),
    String(row.r.p50),
    String(row.r.p99),
    String(row.r.non2xx),
    String(row.r.errors),
    (row.r.rps / bareRps).toFixed(3),
    row.target,
    row.ok,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((v, i) => (i === 0 || i >= 8 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  console.log(
    `\nbench/web: ${papers} papers in a SQLite store; ${connections} connections, ${duration} s per route, loopback`,
  );
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('targets: home feed >= 1,500 req/s with p99 <= 50 ms; every route p99 <= 100 ms\n');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
  if (rows.some((r) => r.route.startsWith('search '))) {
    console.log(
      '\nnote: the search row repeats one query, answered from memory after the first (src/store/result-cache.ts); ' +
        'search-distinct sends a different query every time, so each is ranked, fetched and rendered afresh.',
    );
  }
  const limited = rows.filter((r) => /\b429:/.test(r.r.codes));
  for (const r of limited)
    console.log(
      `\nnote: ${r.route} answered ${r.r.codes}: the API's rate limit (per client address) answered most of the run.`,
    );
} finally {
  bare?.kill();
  await server?.stop();
  if (!keep) rmSync(dataDir, { recursive: true, force: true });
}

if (values['cpu-prof']) {
  // One profile per thread: the main thread's is the largest (the other is tsx's module loader).
  const profiles = existsSync(profDir)
    ? readdirSync(profDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(profDir, f))
    : [];
  const main = profiles.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!main) console.log(`\nno CPU profile was written to ${profDir}`);
  else {
    console.log(`\nCPU profile of paperboy serve: ${main} (open it in Chrome DevTools > Performance)`);
    for (const w of windows.slice(1))
      console.log(`\nwhile measuring ${w.route}:\n${summarizeProfile(main, [w.from, w.to])}`);
  }
}
