import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { importEntries } from '../ingest/importer.js';
import type { PaperRecord } from '../model/record.js';
import { createApp } from '../web/app.js';
import { webDeps } from '../web/deps.js';
import { databaseSearch, WARMING_NOTICE } from './db-search.js';
import { createSearchService } from './search.js';
import type { SearchService } from './types.js';
import { warmingSearch } from './warming.js';

const SLICE = 600;

describe.each(engines)('search while the index warms up, on %s', (engine) => {
  let t: TestStore;
  let papers: PaperRecord[];
  beforeAll(async () => {
    papers = await corpusSlice(SLICE);
    t = await freshStore(engine);
    await importEntries(
      t.store,
      papers.map((record) => ({ ok: true as const, record, position: '' })),
    );
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('answers from the database: a paper by its title first, words marked, filters and exclusions applied', async () => {
    const search = databaseSearch(t.store, t.db);
    const p = papers[42]!;
    const r = await search({ q: p.title });
    expect(r.hits[0]?.paper.id).toBe(p.id);
    expect(r.notice).toBe(WARMING_NOTICE);
    expect(r.hits[0]!.titleHtml).toContain('<mark>');

    const category = p.primaryCategory!;
    const inside = await search({ q: 'model', categories: [category], limit: 50 });
    expect(inside.hits.length).toBeGreaterThan(0);
    for (const h of inside.hits) expect(h.paper.categories).toContain(category);
    const outside = await search({ q: 'model', excludeCategories: [category], limit: 50 });
    for (const h of outside.hits) expect(h.paper.categories).not.toContain(category);

    const all = await search({ q: 'model', limit: 100 });
    const without = await search({ q: 'model -learning', limit: 100 });
    expect(without.total).toBeLessThan(all.total);
    for (const h of without.hits)
      expect(`${h.paper.title} ${h.paper.abstract}`.toLowerCase()).not.toMatch(/\blearning\b/);

    const author = p.authors![0]!;
    const byAuthor = await search({ q: p.title.split(' ')[0]!, author, limit: 20 });
    for (const h of byAuthor.hits) expect(h.paper.authors).toContain(author);
    expect(byAuthor.hits.map((h) => h.paper.id)).toContain(p.id);

    const paged = await search({ q: 'model', limit: 5, offset: 5 });
    expect(paged.hits.map((h) => h.paper.id)).toEqual(all.hits.slice(5, 10).map((h) => h.paper.id));
    for (const q of ['"unclosed', '-', '***', 'NEAR(a b)', "'); DROP TABLE papers; --"]) {
      await expect(search({ q })).resolves.toBeDefined();
    }
  });

  it('answers from the database until the index is ready, then from the index; /readyz says which', async () => {
    let open!: (service: SearchService) => void;
    const opening = new Promise<SearchService>((resolve) => {
      open = resolve;
    });
    const search = warmingSearch(opening, databaseSearch(t.store, t.db));
    const app = createApp(
      webDeps({ store: t.store, db: t.db, search, config: { baseUrl: 'http://localhost' }, secret: 's' }),
    );
    const p = papers[7]!;

    expect(search.ready?.()).toBe(false);
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('retry-after')).toBe('5');
    expect(((await notReady.json()) as { ready: boolean }).ready).toBe(false);
    expect((await app.request('/healthz')).status).toBe(200);
    const early = await search.search({ q: p.title });
    expect(early.notice).toBe(WARMING_NOTICE);
    expect(early.hits[0]?.paper.id).toBe(p.id);
    const page = await app.request(`/search?q=${encodeURIComponent(p.title)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('warming up');

    const built = await createSearchService(t.store, t.db);
    open(built);
    await opening;
    expect(search.ready?.()).toBe(true);
    expect((await app.request('/readyz')).status).toBe(200);
    const later = await search.search({ q: p.title });
    expect(later.notice).not.toBe(WARMING_NOTICE);
    expect(later.hits[0]?.paper.id).toBe(p.id);
    search.close();
  });

  it('takes into the index the papers written while it was being built', async () => {
    const extra: PaperRecord = { ...papers[0]!, id: '2699.00001', title: 'Zyzzogeton quasicrystal tessellations' };
    const opening = createSearchService(t.store, t.db);
    await t.store.upsertPapers([extra]);
    const search = await opening;
    const r = await search.search({ q: 'zyzzogeton' });
    expect(r.hits.map((h) => h.paper.id)).toContain(extra.id);
    search.close();
  });
});
