// bench/embed: the speed of `paperboy embed` (what serve does in the background after PAPERBOY_EMBEDDER changes), on
// SQLite: LSA (fitted first, its vectors then deleted) on a few thousand papers, USE lite on a few hundred. Baseline
// of the same run: the embedder alone on the same texts, in this process, in one call (no store, no steps).
// Usage: npm run bench:embed [-- --lsa 3000 --use-lite 300]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { paperText } from '../src/search/embedder.js';
import { embedderFromConfig } from '../src/search/embedders.js';
import { loadModel } from '../src/search/index-store.js';
import { createSearchService } from '../src/search/search.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { runCli } from '../test/cli.js';
import { corpusSlice } from '../test/corpus.js';

const { values } = parseArgs({
  options: { lsa: { type: 'string', default: '3000' }, 'use-lite': { type: 'string', default: '300' } },
});

async function measure(kind: 'lsa' | 'use-lite', n: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-embed-'));
  try {
    const records = await corpusSlice(n);
    const { store, db } = openSqliteStore(join(dir, 'paperboy.db'));
    await store.upsertPapers(records);
    const embedder = embedderFromConfig(loadConfig({ PAPERBOY_EMBEDDER: kind }));
    if (kind === 'lsa') {
      const search = await createSearchService(store, db);
      await search.refit();
      search.close();
      await db.deleteFrom('paper_vectors').execute();
      const saved = (await loadModel(db, 'lsa'))!;
      embedder.restore!(saved.data, saved.model);
    }
    await store.close();
    const texts = records.map((r) => paperText(r));
    await embedder.embed(texts.slice(0, 8), 'document');
    const t0 = performance.now();
    await embedder.embed(texts, 'document');
    const baseline = (performance.now() - t0) / 1000;
    await embedder.close?.();

    const t1 = performance.now();
    const r = await runCli(['embed'], { PAPERBOY_DATA_DIR: dir, PAPERBOY_EMBEDDER: kind });
    const wall = (performance.now() - t1) / 1000;
    if (r.code !== 0) throw new Error(`paperboy embed failed: ${r.stderr.slice(-2000)}`);
    const m = /embedded (\d+) papers .* \(([\d.]+) papers\/s\)/.exec(r.stdout);
    if (!m || Number(m[1]) !== n) throw new Error(`unexpected output of paperboy embed: ${r.stdout}`);
    const rate = Number(m[2]);
    return [
      kind,
      String(n),
      (n / baseline).toFixed(0),
      rate.toFixed(0),
      (rate / (n / baseline)).toFixed(2),
      wall.toFixed(1),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [await measure('lsa', Number(values.lsa)), await measure('use-lite', Number(values['use-lite']))];
const head = ['embedder', 'papers', 'baseline papers/s', 'embed papers/s', 'ratio', 'embed wall s'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log(
  'baseline: the embedder alone on the same texts in one call; embed papers/s: as `paperboy embed` reports it',
);
