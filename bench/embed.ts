// bench/embed: the speed of `paperboy embed` (what serve does in the background after PAPERBOY_EMBEDDER changes), on
// SQLite, a row per embedder: LSA (fitted first, its vectors then deleted) on a few thousand papers, USE lite on a few
// hundred, the test's tiny ONNX model (a tokenizer and one Gather: what transformers.js and ONNX Runtime cost around
// a model, not a real model's speed) on a thousand, and an ONNX model folder of yours with --onnx. Baseline of the
// same run: the embedder alone on the same texts, in this process, in one call (no store, no steps), with its CPU
// time (all threads) and how much this process's RSS grew. The peak RSS is the `paperboy embed` process's.
// Usage: npm run bench:embed [-- --lsa 3000 --use-lite 300 --onnx-tiny 1000 --onnx <folder> --onnx-papers 300]
// (0 leaves an embedder out)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { paperText } from '../src/search/embedder.js';
import { loadModel } from '../src/search/index-store.js';
import { createSearchService } from '../src/search/search.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { startCli } from '../test/cli.js';
import { corpusSlice } from '../test/corpus.js';
import { benchEmbedder } from './embedders.js';

const { values } = parseArgs({
  options: {
    lsa: { type: 'string', default: '3000' },
    'use-lite': { type: 'string', default: '300' },
    'onnx-tiny': { type: 'string', default: '1000' },
    onnx: { type: 'string' },
    'onnx-papers': { type: 'string', default: '300' },
  },
});

/** The high-water mark of a process's resident memory so far, in bytes (undefined once it has ended). */
function peakRss(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function measure(name: string, n: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-embed-'));
  const records = await corpusSlice(n);
  const texts = records.map((r) => paperText(r));
  const bench = benchEmbedder(name, texts);
  const { embedder } = bench;
  try {
    const { store, db } = openSqliteStore(join(dir, 'paperboy.db'));
    await store.upsertPapers(records);
    if (embedder.fit) {
      const search = await createSearchService(store, db);
      await search.refit();
      search.close();
      await db.deleteFrom('paper_vectors').execute();
      const saved = (await loadModel(db, 'lsa'))!;
      embedder.restore!(saved.data, saved.model);
    }
    await store.close();
    const rssBefore = process.memoryUsage().rss;
    await embedder.embed(texts.slice(0, 8), 'document');
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await embedder.embed(texts, 'document');
    const baseline = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu);
    const baselineCpu = (used.user + used.system) / 1e6;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    await embedder.close?.();

    const t1 = performance.now();
    const child = startCli(['embed'], { PAPERBOY_DATA_DIR: dir, PAPERBOY_EMBEDDER: bench.setting });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 50);
    const r = await child.result;
    clearInterval(sampler);
    const wall = (performance.now() - t1) / 1000;
    if (r.code !== 0) throw new Error(`paperboy embed failed: ${r.stderr.slice(-2000)}`);
    const m = /embedded (\d+) papers .* \(([\d.]+) papers\/s\)/.exec(r.stdout);
    if (!m || Number(m[1]) !== n) throw new Error(`unexpected output of paperboy embed: ${r.stdout}`);
    const rate = Number(m[2]);
    return [
      bench.label,
      String(n),
      (n / baseline).toFixed(1),
      (n / baselineCpu).toFixed(1),
      (rssGrowth / 1e6).toFixed(0),
      rate.toFixed(1),
      (rate / (n / baseline)).toFixed(2),
      wall.toFixed(1),
      (peak / 1e6).toFixed(0),
    ];
  } finally {
    await bench.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: [string, number][] = [
  ['lsa', Number(values.lsa)],
  ['use-lite', Number(values['use-lite'])],
  ['onnx-tiny', Number(values['onnx-tiny'])],
];
if (values.onnx) runs.push([`onnx:${values.onnx}`, Number(values['onnx-papers'])]);
const rows: string[][] = [];
for (const [name, n] of runs) if (n > 0) rows.push(await measure(name, n));
const head = [
  'embedder',
  'papers',
  'baseline papers/s',
  'per CPU-s',
  'RSS growth MB',
  'embed papers/s',
  'ratio',
  'embed wall s',
  'embed peak RSS MB',
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log(
  "baseline: the embedder alone on the same texts in one call (per CPU-s: per second of this process's CPU, all threads; " +
    'RSS growth: of this process meanwhile); embed papers/s: as `paperboy embed` reports it; ratio = embed / baseline',
);
