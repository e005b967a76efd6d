// bench/alert-threshold: where to set a saved search's alert threshold (src/digest/sources.ts MIN_MATCH). For each
// judged query of Cranfield and CACM, its 10 best keyword hits, each with the share of the query it matches (its
// BM25 score over the most BM25 could give, src/search/query-plan.ts bestScore); then, per threshold, the precision of
// the hits at or above it and the share of queries that would still send something. Usage: npm run bench:alert-threshold
import { createSearchService } from '../src/search/search.js';
import { cacm, cranfield } from './search-collections.js';
import { benchStore } from './search-stores.js';

const THRESHOLDS = Array.from({ length: 17 }, (_, i) => i * 0.05);

const rows: string[] = [];
const chosen: string[] = [];
for (const make of [cranfield, cacm]) {
  const c = make();
  const { store, db, dispose } = await benchStore('sqlite');
  try {
    for (let i = 0; i < c.records.length; i += 1000) await store.upsertPapers(c.records.slice(i, i + 1000));
    const search = await createSearchService(store, db);
    // [share of the query matched, relevant?] of every query's top 10.
    const judged: { query: string; hits: [number, boolean][] }[] = [];
    for (const [id, q] of c.queries) {
      const qrels = c.qrels.get(id);
      if (!qrels) continue;
      const r = await search.search({ q, mode: 'keyword', limit: 10 });
      judged.push({ query: id, hits: r.hits.map((h) => [h.match ?? 0, (qrels.get(h.paper.id) ?? 0) > 0]) });
    }
    search.close();
    let picked: number | undefined;
    for (const t of THRESHOLDS) {
      let kept = 0;
      let relevant = 0;
      let alerting = 0;
      for (const q of judged) {
        const above = q.hits.filter(([share]) => share >= t);
        kept += above.length;
        relevant += above.filter(([, r]) => r).length;
        if (above.length) alerting++;
      }
      const precision = kept ? relevant / kept : 0;
      if (picked === undefined && precision >= 0.5) picked = t;
      rows.push(
        `| ${c.name} | ${t.toFixed(2)} | ${kept} | ${precision.toFixed(3)} | ${((alerting / judged.length) * 100).toFixed(1)}% | ${(kept / judged.length).toFixed(2)} |`,
      );
    }
    chosen.push(`${c.name}: precision of the hits sent reaches 0.5 at a threshold of ${picked?.toFixed(2) ?? 'never'}`);
  } finally {
    await dispose();
  }
}
console.log('| collection | threshold | hits sent (of top 10s) | precision | queries sending any | hits per query |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\n${chosen.join('\n')}`);
