// bench/search-speed: latency of keyword, semantic, hybrid and related-papers queries on the 74,728-paper corpus
// and on a 300,000-paper set (the corpus plus generated variants), with index build time and memory.
// Usage: npm run bench:search-speed [-- --engine sqlite|postgres] [--sizes 75000,300000]
import { parseArgs } from 'node:util';
import { importEntries } from '../src/ingest/importer.js';
import { readJsonlDump } from '../src/ingest/jsonl-dump.js';
import type { PaperRecord, ParsedEntry } from '../src/model/record.js';
import { createSearchService, type SearchService } from '../src/search/search.js';
import type { Db } from '../src/store/schema.js';
import { benchStore, CORPUS } from './search-stores.js';

const { values } = parseArgs({
  options: { engine: { type: 'string', default: 'sqlite' }, sizes: { type: 'string', default: '74728,300000' } },
});
const engine = values.engine as 'sqlite' | 'postgres';
const sizes = values.sizes.split(',').map(Number);
const QUERIES = 500;
const WARM_UP = 50;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** The corpus, then variants of it (title words and abstract sentences reshuffled, ids suffixed) up to `size`. */
async function* papers(size: number): AsyncGenerator<ParsedEntry> {
  const base: PaperRecord[] = [];
  for await (const e of readJsonlDump(CORPUS)) if (e.ok) base.push(e.record);
  let n = 0;
  for (const record of base) {
    if (n++ >= size) return;
    yield { ok: true, record, position: `line ${n}` };
  }
  const random = rng(7);
  for (let round = 1; n < size; round++) {
    for (const p of base) {
      if (n++ >= size) return;
      const words = p.title.split(' ');
      const donor = base[Math.floor(random() * base.length)]!.title.split(' ');
      words[Math.floor(random() * words.length)] = donor[Math.floor(random() * donor.length)]!;
      const sentences = p.abstract.split(/(?<=\.)\s+/).sort(() => random() - 0.5);
      yield {
        ok: true,
        record: { ...p, id: `${p.id}.g${round}`, title: words.join(' '), abstract: sentences.join(' ') },
        position: `variant ${n}`,
      };
    }
  }
}

/** Realistic queries from the corpus: topic words from titles, a typed prefix, an author, a whole title, a typo. */
async function queries(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('papers')
    .select(['title', 'authors'])
    .where('id', 'not like', '%.g%')
    .orderBy('id')
    .execute();
  const random = rng(11);
  const out: string[] = [];
  while (out.length < QUERIES + WARM_UP) {
    const r = rows[Math.floor(random() * rows.length)]!;
    const words = r.title.split(/\s+/).filter((w) => w.length > 3);
    const kind = out.length % 5;
    const start = Math.floor(random() * Math.max(1, words.length - 3));
    if (kind === 0 || kind === 1) out.push(words.slice(start, start + 2 + (kind % 2)).join(' '));
    else if (kind === 2)
      out.push(`${words.slice(start, start + 2).join(' ')} ${(words[start + 2] ?? 'model').slice(0, 4)}`);
    else if (kind === 3) out.push((JSON.parse(r.authors) as string[])[0] ?? r.title);
    else
      out.push(random() < 0.5 ? r.title : words.map((w) => (w.length > 6 ? w.slice(0, 2) + w.slice(3) : w)).join(' '));
  }
  return out;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Warms up on queries past the measured ones: a measured query must not be answered from the result cache. */
async function measure(run: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await run(QUERIES + i);
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  return times;
}

console.log(`engine ${engine}, ${QUERIES} queries per kind, limit 20; times in ms`);
console.log('| papers | kind | p50 | p95 | p99 | target p95 |');
console.log('|---|---|---|---|---|---|');
const notes: string[] = [];
for (const size of sizes) {
  const { store, db, dispose } = await benchStore(engine);
  try {
    await importEntries(store, papers(size), { batchSize: 5000 });
    const count = await store.countPapers();
    global.gc?.();
    const heapBefore = process.memoryUsage();
    let t = performance.now();
    let search: SearchService = await createSearchService(store, db);
    const openMs = performance.now() - t;
    const fit = await search.refit();
    search.close();
    t = performance.now();
    search = await createSearchService(store, db);
    const reopenMs = performance.now() - t;
    global.gc?.();
    const mem = process.memoryUsage();
    const qs = await queries(db);
    const ids = (await db.selectFrom('papers').select('id').orderBy('id').execute()).map((r) => r.id);
    const random = rng(5);
    const relatedIds = Array.from({ length: QUERIES + WARM_UP }, () => ids[Math.floor(random() * ids.length)]!);
    const target: Record<string, string> = {
      hybrid: count < 100_000 ? '15' : '40',
      related: count < 100_000 ? '20' : '',
    };
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const times = await measure((i) => search.search({ q: qs[i]!, mode, limit: 20 }));
      console.log(
        `| ${count} | ${mode} | ${pct(times, 50).toFixed(2)} | ${pct(times, 95).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${target[mode] ?? ''} |`,
      );
    }
    const times = await measure((i) => search.related(relatedIds[i]!, 10));
    console.log(
      `| ${count} | related (uncached) | ${pct(times, 50).toFixed(2)} | ${pct(times, 95).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${target.related} |`,
    );
    notes.push(
      `${count} papers: index load ${(openMs / 1000).toFixed(1)} s (no model), refit ${(fit.ms / 1000).toFixed(1)} s, load with vectors ${(reopenMs / 1000).toFixed(1)} s; ` +
        `heap ${((mem.heapUsed - heapBefore.heapUsed) / 1e6).toFixed(0)} MB + typed arrays ${((mem.arrayBuffers - heapBefore.arrayBuffers) / 1e6).toFixed(0)} MB, RSS ${(mem.rss / 1e6).toFixed(0)} MB`,
    );
    search.close();
  } finally {
    await dispose();
  }
}
console.log(`\n${notes.join('\n')}`);
