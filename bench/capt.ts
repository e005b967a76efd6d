import { createSearchService } from '../src/search/search.js';
import { ndcgAt } from '../src/search/metrics.js';
import { cacm, cranfield } from './search-collections.js';
import { benchStore } from './search-stores.js';
import { LsaEmbedder, paperText } from '../src/search/embedder.js';
for (const make of [cacm, cranfield]) {
  const c = make();
  const { store, dispose } = await benchStore('sqlite');
  for (let i = 0; i < c.records.length; i += 1000) await store.upsertPapers(c.records.slice(i, i + 1000));
  const embedder = new LsaEmbedder();
  const search = await createSearchService(store, { embedder });
  await search.refit();
  const model = (embedder as unknown as { current: { captured(t: string): number } }).current;
  const docs = c.records.map((r) => model.captured(paperText({ title: r.title, abstract: r.abstract })));
  docs.sort((a, b) => a - b);
  console.log(c.name, 'doc captured median', docs[Math.floor(docs.length / 2)]!.toFixed(3), 'p10', docs[Math.floor(docs.length / 10)]!.toFixed(3));
  const rows = [];
  for (const [id, q] of c.queries) {
    const j = c.qrels.get(id); if (!j) continue;
    const r: Record<string, number> = {};
    for (const mode of ['keyword', 'hybrid'] as const) r[mode] = ndcgAt((await search.search({ q, mode, limit: 100 })).hits.map((h) => h.paper.id), j, 10);
    rows.push({ d: r.hybrid! - r.keyword!, cap: model.captured(q) });
  }
  rows.sort((a, b) => a.cap - b.cap);
  const n = rows.length; const third = Math.ceil(n / 3);
  for (let i = 0; i < 3; i++) { const part = rows.slice(i * third, (i + 1) * third); console.log(' tercile', i, 'cap', part[0]!.cap.toFixed(3), '-', part.at(-1)!.cap.toFixed(3), 'mean delta', (part.reduce((a, b) => a + b.d, 0) / part.length).toFixed(4)); }
  search.close(); await dispose();
}
