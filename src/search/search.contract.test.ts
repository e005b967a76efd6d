import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { importEntries } from '../ingest/importer.js';
import type { PaperRecord } from '../model/record.js';
import { createSearchService, type SearchService } from './search.js';

const SLICE = 2000;

describe.each(engines)('search service on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let papers: PaperRecord[];
  beforeAll(async () => {
    papers = await corpusSlice(SLICE + 1);
    t = await freshStore(engine);
    await importEntries(
      t.store,
      papers.slice(0, SLICE).map((record) => ({ ok: true as const, record, position: '' })),
    );
    search = await createSearchService(t.store, t.db);
    await search.refit();
  }, 180_000);
  afterAll(async () => {
    search?.close();
    await t?.dispose();
  });

  it('finds a paper first by its title, in every mode, with marked-up escaped HTML', async () => {
    const p = papers[123]!;
    for (const mode of ['hybrid', 'keyword', 'semantic'] as const) {
      const r = await search.search({ q: p.title, mode });
      expect(r.hits[0]?.paper.id, mode).toBe(p.id);
    }
    const r = await search.search({ q: p.title });
    expect(r.hits[0]!.titleHtml).toContain('<mark>');
    expect(r.hits[0]!.titleHtml.replace(/<\/?mark>/g, '')).not.toMatch(/<|>/);
  });

  it('applies filters before ranking', async () => {
    const p = papers[50]!;
    const category = p.primaryCategory!;
    const inside = await search.search({ q: p.title, categories: [category], limit: 50 });
    expect(inside.hits.length).toBeGreaterThan(0);
    for (const h of inside.hits) expect(h.paper.categories).toContain(category);
    const outside = await search.search({ q: p.title, excludeCategories: [category], limit: 50 });
    for (const h of outside.hits) expect(h.paper.categories).not.toContain(category);
    const coded = await search.search({ q: 'learning', hasCode: true, limit: 30 });
    for (const h of coded.hits) expect(h.paper.codeUrls.length > 0 || h.paper.githubRepo).toBeTruthy();
    const author = p.authors![0]!;
    const byAuthor = await search.search({ q: p.title, author, limit: 30 });
    expect(byAuthor.hits[0]?.paper.id).toBe(p.id);
    for (const h of byAuthor.hits) expect(h.paper.authors).toContain(author);
    const day = p.listedOn!;
    const dated = await search.search({ q: 'model', from: day, to: day, sort: 'date', limit: 50 });
    for (const h of dated.hits) expect(h.paper.listedOn).toBe(day);
  });

  it('honours phrases and exclusions, and never throws on hostile input', async () => {
    const r = await search.search({ q: '"language models" -reasoning', limit: 30 });
    for (const h of r.hits) {
      const text = `${h.paper.title} ${h.paper.abstract}`.toLowerCase();
      expect(text).toMatch(/language models?/);
      expect(text).not.toMatch(/\breason/);
    }
    for (const q of ['NEAR(a b', '"unbalanced', 'a* OR *', '^x:y', "'; --", '"', '-', '(((', 'x'.repeat(5000)]) {
      await expect(search.search({ q })).resolves.toBeDefined();
      await expect(search.search({ q, mode: 'keyword', sort: 'date' })).resolves.toBeDefined();
    }
  });

  it('counts matches up to 1000 and says when there are more', async () => {
    for (const mode of ['hybrid', 'keyword'] as const) {
      for (const sort of ['relevance', 'date'] as const) {
        const many = await search.search({ q: 'model', mode, sort });
        expect(many.total, `${mode} ${sort}`).toBe(1000);
        expect(many.capped, `${mode} ${sort}`).toBe(true);
      }
    }
    const few = await search.search({ q: 'diffusion', mode: 'keyword' });
    expect(few.total).toBeLessThan(1000);
    expect(few.capped).toBeUndefined();
  });

  it('goes straight to a paper given its arXiv id or URL', async () => {
    const id = papers[10]!.id;
    for (const q of [id, `arXiv:${id}v2`, `https://arxiv.org/abs/${id}`]) {
      const r = await search.search({ q });
      expect(r.paperId).toBe(id);
      expect(r.hits[0]!.paper.id).toBe(id);
    }
  });

  it('finds related papers, never the paper itself', async () => {
    const id = papers[77]!.id;
    const related = await search.related(id, 5);
    expect(related).toHaveLength(5);
    expect(related.map((p) => p.id)).not.toContain(id);
  });

  it('finds related papers by their words when their vectors know little of them', async () => {
    // Two new papers about words no other paper has, which the fitted model has never seen.
    const a = {
      ...papers[400]!,
      id: '2612.99901',
      title: 'Quorblex vintrels',
      abstract: 'We study quorblex vintrels.',
    };
    const b = {
      ...papers[900]!,
      id: '2612.99902',
      title: 'Zandic quorblex vintrels',
      abstract: 'Quorblex vintrels, revisited in brief.',
    };
    await t.store.upsertPapers([a, b]);
    await search.settled();
    expect((await search.related(a.id, 5, 'keyword')).map((p) => p.id)[0]).toBe(b.id);
    expect((await search.related(a.id, 5, 'semantic')).map((p) => p.id)).not.toContain(b.id);
    const hybrid = (await search.related(a.id, 5)).map((p) => p.id);
    expect(hybrid[0]).toBe(b.id);
    expect(hybrid).not.toContain(a.id);
  });

  it('finds a newly imported paper by keyword at once, and by meaning after the change notification', async () => {
    const p = { ...papers[SLICE]!, title: `Zyxquorbian lattices for ${papers[SLICE]!.title}` };
    await t.store.upsertPapers([p]);
    const keyword = await search.search({ q: 'zyxquorbian', mode: 'keyword' });
    expect(keyword.hits[0]?.paper.id).toBe(p.id);
    await search.settled();
    const semantic = await search.search({ q: papers[SLICE]!.abstract.slice(0, 300), mode: 'semantic', limit: 5 });
    expect(semantic.hits.map((h) => h.paper.id)).toContain(p.id);
  });

  it('answers a repeated search from memory until a paper changes, then afresh', async () => {
    const p = papers[77]!;
    // An answer is remembered from the second time it is asked for (result-cache.ts, `secondAsk`).
    await search.search({ q: p.title, limit: 5 });
    const first = await search.search({ q: p.title, limit: 5 });
    const hit = first.hits.find((h) => h.paper.id === p.id)!;
    expect(hit).toBeDefined();
    // Votes written by another process (beside this store) are not announced here: the remembered answer stands.
    await t.db
      .updateTable('papers')
      .set({ community_upvotes: hit.paper.communityUpvotes + 5 })
      .where('id', '=', p.id)
      .execute();
    const again = await search.search({ q: `  ${p.title} `, limit: 5 });
    expect(again.hits.find((h) => h.paper.id === p.id)!.paper.communityUpvotes).toBe(hit.paper.communityUpvotes);
    // A vote through the store announces itself: the next search reads the paper again.
    await t.store.transaction((_trx, papers) => papers.addVotes(p.id, 1, 4));
    const fresh = await search.search({ q: p.title, limit: 5 });
    expect(fresh.hits.find((h) => h.paper.id === p.id)!.paper.communityUpvotes).toBe(hit.paper.communityUpvotes + 6);
    // Another page or filter is another question.
    const second = await search.search({ q: p.title, limit: 5, offset: 5 });
    expect(second.hits.map((h) => h.paper.id)).not.toContain(p.id);
  });

  it('leaves a paper out while a curator hides it, counts included, and finds it again once unhidden', async () => {
    const p = papers[311]!;
    const audit = { actorId: null, action: 'paper.hide', at: new Date('2026-07-01T09:00:00Z') };
    const found = async () =>
      (await search.search({ q: p.title, mode: 'keyword', limit: 5 })).hits.map((h) => h.paper.id);
    expect(await found()).toContain(p.id);
    const before = (await search.search({ q: p.title, mode: 'keyword' })).total;
    await t.store.setCuration(p.id, { hiddenAt: audit.at.toISOString() }, audit);
    await search.settled();
    expect(await found()).not.toContain(p.id);
    expect((await search.search({ q: p.title, mode: 'keyword' })).total).toBe(before - 1);
    expect((await search.related(papers[312]!.id, 50)).map((x) => x.id)).not.toContain(p.id);
    await t.store.setCuration(p.id, { hiddenAt: null }, { ...audit, action: 'paper.unhide' });
    await search.settled();
    expect(await found()).toContain(p.id);
  });

  it('works on an empty store: keyword only, and says so', async () => {
    const empty = await freshStore(engine);
    try {
      const s = await createSearchService(empty.store, empty.db);
      const r = await s.search({ q: 'anything' });
      expect(r).toMatchObject({ total: 0, hits: [], mode: 'keyword' });
      expect(r.notice).toMatch(/not ready/);
      expect(await s.related('2503.00001')).toEqual([]);
      expect(await s.refit()).toMatchObject({ documents: 0 });
      // Too few papers for a model: related papers by their words alone.
      const few = papers
        .slice(600, 605)
        .map((p, i) => ({ ...p, title: i < 2 ? `Quorblex vintrels: ${p.title}` : p.title }));
      await empty.store.upsertPapers(few);
      await s.settled();
      expect((await s.related(few[0]!.id, 3)).map((p) => p.id)[0]).toBe(few[1]!.id);
      s.close();
    } finally {
      await empty.dispose();
    }
  });
});
