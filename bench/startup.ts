// bench/startup: how soon `paperboy serve` answers after it starts, on a store of the whole corpus (SQLite). Starts the
// real serve a few times and times, from the spawn: the address logged (listening), the home page, a search, and
// /readyz turning 200 (the in-memory index built). Before serve answered at once, its first answer came only once the
// index was built: the "ready" column is also what the first answer took then, the baseline of the same run. A start
// saves its index to a snapshot file (waited for here); the next start loads it and reads only the papers changed since.
// Usage: npm run bench:startup [-- --data-dir DIR] [--starts 3]
// With --data-dir the store is kept and reused (imported only while it holds fewer papers than the corpus).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../test/browser/server.js';
import { runCli, shared } from '../test/cli.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    file: { type: 'string', default: join(shared, 'corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz') },
    starts: { type: 'string', default: '3' },
    query: { type: 'string', default: 'large language model agents' },
  },
});
const CORPUS_PAPERS = 74_728;
const dir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'paperboy-startup-'));
const env = { PAPERBOY_DATA_DIR: dir };

async function papers(): Promise<number> {
  const r = await runCli(['stats', '--json'], env);
  return r.code === 0 ? (JSON.parse(r.stdout) as { papers: number }).papers : 0;
}

/** Polls `url` every 50 ms until `ok` says yes; the ms since `t0` when it did. */
async function until(url: string, t0: number, ok: (r: Response) => boolean, timeoutMs = 180_000): Promise<number> {
  for (;;) {
    const r = await fetch(url).catch(() => undefined);
    if (r) await r.arrayBuffer();
    if (r && ok(r)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} did not answer as expected within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Waits for the index snapshot the server writes once its index is ready (the next start loads it): ms since t0. */
async function snapshotSaved(startedAt: number, t0: number, timeoutMs = 120_000): Promise<number | undefined> {
  const file = join(dir, 'search-index.snapshot');
  while (performance.now() - t0 < timeoutMs) {
    try {
      if (statSync(file).mtimeMs >= startedAt) return performance.now() - t0;
    } catch {}
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}

try {
  if ((await papers()) < CORPUS_PAPERS) {
    console.error(`importing ${values.file} into ${dir} ...`);
    const r = await runCli(['import', values.file!], env);
    if (r.code !== 0) throw new Error(`paperboy import failed: ${r.stderr.slice(-2000)}`);
  }
  const count = await papers();
  const rows: string[][] = [];
  for (let i = 1; i <= Number(values.starts); i++) {
    const hadSnapshot = existsSync(join(dir, 'search-index.snapshot'));
    const t0 = performance.now();
    const server = await startServer(env, { timeoutMs: 180_000, waitReady: false });
    const listening = performance.now() - t0;
    try {
      const home = await until(`${server.url}/`, t0, (r) => r.status === 200);
      const search = await until(
        `${server.url}/search?q=${encodeURIComponent(values.query!)}`,
        t0,
        (r) => r.status === 200,
      );
      const ready = await until(`${server.url}/readyz`, t0, (r) => r.status === 200);
      // A start from a snapshot saves it again only when papers changed since: none do here.
      const saved = hadSnapshot ? undefined : await snapshotSaved(Date.now() - (performance.now() - t0), t0);
      const s = (ms: number) => (ms / 1000).toFixed(1);
      rows.push([String(i), s(listening), s(home), s(search), s(ready), saved === undefined ? '-' : s(saved)]);
    } finally {
      await server.stop();
    }
  }
  const header = [
    'start',
    'listening s',
    'home page s',
    'first search s',
    'ready s (= first answer before)',
    'snapshot saved s',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(
    `\nbench/startup: paperboy serve on a SQLite store of ${count} papers (${dir})\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('targets: every page answered within 2 s of the start; ready within 5 s at 75k papers\n');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
} finally {
  if (!values['data-dir']) rmSync(dir, { recursive: true, force: true });
}
