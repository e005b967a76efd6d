// bench/search-quality: nDCG@10, MAP and recall@100 of keyword (BM25), semantic (LSA) and hybrid search on the
// Cranfield and CACM collections, through the product's search service on each engine, and how many of a relevant
// paper's related papers are relevant to the same request; then a known-item test on the arXiv corpus. Usage: npm run bench:search-quality [-- --engine sqlite|postgres|both] [--known-item 1000|0] [--collections no]
// [--embedder lsa|use-lite|onnx-tiny|onnx:<folder>|a,b|all] (all: lsa and use-lite) [--semantic-weights 0.2,0.5]
import { parseArgs } from 'node:util';
import { type Embedder, paperText } from '../src/search/embedder.js';
import { FUSION } from '../src/search/fusion.js';
import { createSearchService, type SearchService } from '../src/search/search.js';
import type { Db } from '../src/store/schema.js';
import type { Store } from '../src/store/store.js';
import { benchEmbedder, embedderNames } from './embedders.js';
import { evaluate, type Summary } from './metrics.js';
import { type Collection, cacm, cranfield } from './search-collections.js';
import { benchStore, loadCorpus } from './search-stores.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    'known-item': { type: 'string', default: '1000' },
    collections: { type: 'string', default: 'yes' },
    embedder: { type: 'string', default: 'lsa' },
    'semantic-weights': { type: 'string', default: '' },
  },
});
// all: the real models here (onnx-tiny, random word vectors, and onnx:<folder> are asked for by name).
const names = values.embedder === 'all' ? ['lsa', 'use-lite'] : embedderNames(values.embedder);
const extraWeights = values['semantic-weights']
  .split(',')
  .filter(Boolean)
  .map((w) => {
    const x = Number(w);
    if (!(x >= 0 && x <= 1)) throw new Error(`--semantic-weights ${w}: give weights between 0 and 1, e.g. 0.2,0.5`);
    return x;
  });
const engines = (values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine]) as ('sqlite' | 'postgres')[];
const modes = ['keyword', 'semantic', 'hybrid'] as const;

type Scores = Record<(typeof modes)[number], Summary & { related: number }>;
interface Speed {
  documentsPerSecond: number;
  queryP50: number;
  queryP95: number;
  /** The process's CPU time (all threads) per query embedding, ms; its resident memory after the collection, MB. */
  queryCpuMs: number;
  rssMb: number;
}

async function runCollection(
  store: Store,
  db: Db,
  c: Collection,
  embedder: Embedder,
): Promise<{ scores: Scores; speed: Speed; weighted: [number, Summary][] }> {
  for (let i = 0; i < c.records.length; i += 1000) await store.upsertPapers(c.records.slice(i, i + 1000));
  const search = await createSearchService(store, db, { embedder });
  const started = performance.now();
  const { documents } = await search.refit();
  const documentsPerSecond = documents / ((performance.now() - started) / 1000);
  const out = {} as Scores;
  for (const mode of modes) {
    out[mode] = { ...evaluate(await runs(search, c, mode), c.qrels), related: await coRelevance(search, c, mode) };
  }
  search.close();
  // The vectors are stored: these services read them back instead of embedding the collection again.
  const weighted: [number, Summary][] = [];
  for (const w of extraWeights) {
    const again = await createSearchService(store, db, {
      embedder,
      fusion: { ...FUSION, keywordWeight: 1 - w, semanticWeight: w },
    });
    weighted.push([w, evaluate(await runs(again, c, 'hybrid'), c.qrels)]);
    again.close();
  }
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (const q of c.queries.values()) {
    const t = performance.now();
    await embedder.embed([q], 'query');
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  const queryCpuMs = (used.user + used.system) / 1000 / times.length;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const speed = {
    documentsPerSecond,
    queryP50: at(0.5),
    queryP95: at(0.95),
    queryCpuMs,
    rssMb: process.memoryUsage().rss / 1e6,
  };
  return { scores: out, speed, weighted };
}

async function runs(
  search: SearchService,
  c: Collection,
  mode: (typeof modes)[number],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const [id, q] of c.queries) {
    if (!c.qrels.has(id)) continue;
    const r = await search.search({ q, mode, limit: 100 });
    out.set(
      id,
      r.hits.map((h) => h.paper.id),
    );
  }
  return out;
}

/**
 * Related papers, judged by the collection's judgments: for each paper judged relevant to a request with other
 * relevant papers, the share of its 10 related papers that are relevant to the same request (mean over papers).
 */
async function coRelevance(search: SearchService, c: Collection, mode: (typeof modes)[number]): Promise<number> {
  let sum = 0;
  let papers = 0;
  for (const judged of c.qrels.values()) {
    const relevant = new Set([...judged].filter(([, gain]) => gain > 0).map(([id]) => id));
    if (relevant.size < 2) continue;
    for (const id of relevant) {
      const related = await search.related(id, 10, mode);
      sum += related.filter((p) => relevant.has(p.id)).length / 10;
      papers++;
    }
  }
  return papers ? sum / papers : 0;
}

const f = (x: number) => x.toFixed(4);
console.log(
  '| engine | embedder | collection | queries | mode | nDCG@10 | MAP | recall@100 | related: co-relevant P@10 |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
const gains: string[] = [];
const speeds: string[] = [];
const weightRows: string[] = [];
for (const engine of values.collections === 'no' ? [] : engines) {
  for (const name of names) {
    for (const make of [cranfield, cacm]) {
      const c = make();
      const { store, db, dispose } = await benchStore(engine);
      const bench = benchEmbedder(
        name,
        c.records.map((r) => paperText(r)),
      );
      const { embedder, label } = bench;
      try {
        const { scores: r, speed, weighted } = await runCollection(store, db, c, embedder);
        for (const mode of modes)
          console.log(
            `| ${engine} | ${label} | ${c.name} | ${r[mode].queries} | ${mode === 'keyword' ? 'BM25' : mode} | ${f(r[mode].ndcg10)} | ${f(r[mode].map)} | ${f(r[mode].recall100)} | ${f(r[mode].related)} |`,
          );
        gains.push(
          `${engine} ${label} ${c.name}: hybrid nDCG@10 ${((r.hybrid.ndcg10 / r.keyword.ndcg10 - 1) * 100).toFixed(1)}% over BM25 (target +5%)`,
        );
        speeds.push(
          `| ${engine} | ${label} | ${c.name} | ${c.records.length} | ${speed.documentsPerSecond.toFixed(1)} | ${speed.queryP50.toFixed(2)} | ${speed.queryP95.toFixed(2)} | ${speed.queryCpuMs.toFixed(2)} | ${speed.rssMb.toFixed(0)} |`,
        );
        for (const [w, s] of weighted)
          weightRows.push(
            `| ${engine} | ${label} | ${c.name} | ${w} | ${f(s.ndcg10)} | ${((s.ndcg10 / r.keyword.ndcg10 - 1) * 100).toFixed(1)}% |`,
          );
      } finally {
        await bench.dispose();
        await dispose();
      }
    }
  }
}
console.log(`\n${gains.join('\n')}`);
if (speeds.length) {
  console.log(
    '\n| engine | embedder | collection | documents | fit + embed, documents/s | query embedding p50 ms | p95 ms | CPU ms | process RSS after, MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(speeds.join('\n'));
}
if (weightRows.length) {
  console.log('\n| engine | embedder | collection | semantic weight | hybrid nDCG@10 | over BM25 |');
  console.log('|---|---|---|---|---|---|');
  console.log(weightRows.join('\n'));
}

const sample = Number(values['known-item']);
if (sample > 0) {
  console.log('\n| engine | known-item queries | title at rank 1 | abstract sentence in top 10 |');
  console.log('|---|---|---|---|');
  for (const engine of engines) {
    const { store, db, dispose } = await benchStore(engine);
    try {
      await loadCorpus(store);
      const search = await createSearchService(store, db);
      await search.refit();
      const r = await knownItem(store, db, search, sample);
      console.log(
        `| ${engine} | ${sample} | ${(r.title * 100).toFixed(1)}% (target 98%) | ${(r.sentence * 100).toFixed(1)}% (target 90%) |`,
      );
      search.close();
    } finally {
      await dispose();
    }
  }
}

/** Papers sampled with a fixed seed; the query is the title, then the abstract's longest sentence. */
async function knownItem(
  store: Store,
  db: Db,
  search: SearchService,
  n: number,
): Promise<{ title: number; sentence: number }> {
  const ids = (await db.selectFrom('papers').select('id').orderBy('id').execute()).map((r) => r.id);
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const picked = Array.from({ length: n }, () => ids[Math.floor(next() * ids.length)]!);
  const papers = await store.getPapers(picked);
  let title = 0;
  let sentence = 0;
  for (const p of papers) {
    const byTitle = await search.search({ q: p.title, limit: 1 });
    if (byTitle.hits[0]?.paper.id === p.id) title++;
    const sentences = p.abstract.split(/(?<=[.!?])\s+/).filter((s) => s.split(/\s+/).length >= 6);
    const s = sentences.sort((a, b) => b.length - a.length)[0] ?? p.abstract;
    const bySentence = await search.search({ q: s, limit: 10 });
    if (bySentence.hits.some((h) => h.paper.id === p.id)) sentence++;
  }
  return { title: title / papers.length, sentence: sentence / papers.length };
}
