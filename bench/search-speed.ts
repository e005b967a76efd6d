// bench/search-speed: latency of keyword, semantic, hybrid and related-papers queries on the 74,728-paper corpus
// and on a 300,000-paper set (the corpus plus generated variants), with index build time and memory; per embedder,
// with the latency of the query's embedding alone. LSA is fitted on every paper; another embedder embeds the first
// --sample papers for real (its documents/s) and their vectors are reused for the rest, since the cost of a search
// depends on how many vectors there are and their dimensions, not on their values. Several embedders each run in
// a process of their own, so that memory is each one's.
// Usage: npm run bench:search-speed [-- --engine sqlite|postgres] [--sizes 75000,300000]
//        [--embedder lsa|use-lite|onnx-tiny|onnx:<folder>|a,b|all] [--sample 256]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importEntries } from '../src/ingest/importer.js';
import { readJsonlDump } from '../src/ingest/jsonl-dump.js';
import type { PaperRecord, ParsedEntry } from '../src/model/record.js';
import { paperText } from '../src/search/embedder.js';
import { saveVectors } from '../src/search/index-store.js';
import { createSearchService, type SearchService } from '../src/search/search.js';
import type { Db } from '../src/store/schema.js';
import { benchEmbedder, embedderNames } from './embedders.js';
import { benchStore, CORPUS } from './search-stores.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'sqlite' },
    sizes: { type: 'string', default: '74728,300000' },
    embedder: { type: 'string', default: 'lsa' },
    sample: { type: 'string', default: '256' },
    'rows-only': { type: 'boolean', default: false },
  },
});
const engine = values.engine as 'sqlite' | 'postgres';
const sizes = values.sizes.split(',').map(Number);
const names = embedderNames(values.embedder);
const sample = Number(values.sample);
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

/**
 * Warms up on queries past the measured ones: a measured query must not be answered from the result cache. Returns
 * each query's wall time, and the process's CPU time per query (all threads: a worker's and ONNX Runtime's count).
 */
async function measure(run: (i: number) => Promise<unknown>): Promise<{ times: number[]; cpuMs: number }> {
  for (let i = 0; i < WARM_UP; i++) await run(QUERIES + i);
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  return { times, cpuMs: (used.user + used.system) / 1000 / QUERIES };
}

const MB = (bytes: number) => `${bytes < 0 ? '-' : '+'}${Math.abs(bytes / 1e6).toFixed(0)}`;

/** Rows of the latency table and a line of notes per size, for one embedder. */
async function runEmbedder(name: string): Promise<{ rows: string[]; notes: string[] }> {
  const rows: string[] = [];
  const notes: string[] = [];
  for (const size of sizes) {
    const { store, db, dispose } = await benchStore(engine);
    try {
      await importEntries(store, papers(size), { batchSize: 5000 });
      const count = await store.countPapers();
      const ids = (await db.selectFrom('papers').select('id').orderBy('id').execute()).map((r) => r.id);
      // The papers embedded for real, and the vocabulary of onnx-tiny (about 15,000 words).
      const first = (
        await db
          .selectFrom('papers')
          .select(['title', 'abstract'])
          .orderBy('id')
          .limit(Math.max(sample, 2000))
          .execute()
      ).map((p) => paperText(p));
      const bench = benchEmbedder(name, name === 'onnx-tiny' ? first : []);
      const { embedder, label } = bench;
      try {
        global.gc?.();
        const before = process.memoryUsage();
        let t = performance.now();
        let search: SearchService;
        let vectorsNote: string;
        if (embedder.fit) {
          search = await createSearchService(store, db, { embedder });
          const openMs = performance.now() - t;
          const fit = await search.refit();
          search.close();
          vectorsNote = `index load ${(openMs / 1000).toFixed(1)} s (no model), refit ${(fit.ms / 1000).toFixed(1)} s (${(fit.documents / (fit.ms / 1000)).toFixed(0)} papers/s)`;
        } else {
          const texts = first.slice(0, sample);
          await embedder.embed(texts.slice(0, 4), 'document');
          const cpu = process.cpuUsage();
          t = performance.now();
          const vectors = await embedder.embed(texts, 'document');
          const wall = (performance.now() - t) / 1000;
          const used = process.cpuUsage(cpu);
          const cpuS = (used.user + used.system) / 1e6;
          await saveVectors(
            db,
            embedder.model()!,
            ids.map((id, i): [string, Float32Array] => [id, vectors[i % vectors.length]!]),
          );
          vectorsNote = `${texts.length} papers embedded at ${(texts.length / wall).toFixed(1)} papers/s, ${(texts.length / cpuS).toFixed(1)} per CPU-second (all threads), their vectors reused for the rest`;
        }
        t = performance.now();
        search = await createSearchService(store, db, { embedder });
        const reopenMs = performance.now() - t;
        const qs = await queries(db);
        const random = rng(5);
        const relatedIds = Array.from({ length: QUERIES + WARM_UP }, () => ids[Math.floor(random() * ids.length)]!);
        const target: Record<string, string> = {
          'query embedding': '8',
          hybrid: count < 100_000 ? '15' : '40',
          'related (uncached)': count < 100_000 ? '20' : '',
        };
        const row = (kind: string, { times, cpuMs }: { times: number[]; cpuMs: number }) =>
          rows.push(
            `| ${count} | ${label} | ${kind} | ${pct(times, 50).toFixed(2)} | ${pct(times, 95).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${cpuMs.toFixed(2)} | ${target[kind] ?? ''} |`,
          );
        row('query embedding', await measure((i) => embedder.embed([qs[i]!], 'query')));
        for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
          row(mode, await measure((i) => search.search({ q: qs[i]!, mode, limit: 20 })));
        }
        row('related (uncached)', await measure((i) => search.related(relatedIds[i]!, 10)));
        global.gc?.();
        const mem = process.memoryUsage();
        notes.push(
          `${count} papers, ${label}: ${vectorsNote}; load with ${embedder.dimensions()}-dimension vectors ${(reopenMs / 1000).toFixed(1)} s; ` +
            `after the queries: heap ${MB(mem.heapUsed - before.heapUsed)} MB, typed arrays ${MB(mem.arrayBuffers - before.arrayBuffers)} MB, ` +
            `RSS ${(mem.rss / 1e6).toFixed(0)} MB (${MB(mem.rss - before.rss)} MB since the store was filled)`,
        );
        search.close();
      } finally {
        await bench.dispose();
      }
    } finally {
      await dispose();
    }
  }
  return { rows, notes };
}

if (values['rows-only']) {
  const { rows, notes } = await runEmbedder(names[0]!);
  console.log(JSON.stringify({ rows, notes }));
} else {
  console.log(`engine ${engine}, ${QUERIES} queries per kind, limit 20; times in ms; CPU: the process's, per query`);
  console.log('| papers | embedder | kind | p50 | p95 | p99 | CPU | target p95 |');
  console.log('|---|---|---|---|---|---|---|---|');
  const notes: string[] = [];
  for (const name of names) {
    let result: { rows: string[]; notes: string[] };
    if (names.length === 1) result = await runEmbedder(name);
    else {
      const args = ['--engine', engine, '--sizes', values.sizes, '--embedder', name, '--sample', values.sample];
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), ...args, '--rows-only'],
        { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      const last = child.stdout.trim().split('\n').at(-1) ?? '';
      if (child.status !== 0 || !last.startsWith('{')) throw new Error(`the run of ${name} failed: ${child.stdout}`);
      result = JSON.parse(last) as typeof result;
    }
    for (const r of result.rows) console.log(r);
    notes.push(...result.notes);
  }
  console.log(`\n${notes.join('\n')}`);
}
