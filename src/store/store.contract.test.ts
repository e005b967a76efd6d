import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import type { PaperRecord } from '../model/record.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { LARGE_CATEGORY } from './kysely-store.js';

const base: PaperRecord = {
  id: '2503.11731',
  source: 'arxiv-api',
  version: 1,
  title: 'Industrial-Grade Sensor Simulation via Gaussian Splatting',
  abstract: 'We compare $O(n^2)$ <b>splatting</b> & friends.',
  authors: ['Xianming Zeng', 'Sicong Du', 'Qifeng Chen'],
  primaryCategory: 'cs.CV',
  categories: ['cs.CV', 'cs.RO'],
  comment: '12 pages',
  submittedAt: '2025-03-14T10:00:00Z',
  updatedAt: '2025-03-14T10:00:00Z',
  codeUrls: ['https://github.com/example/gs-sim'],
};

describe.each(engines)('store contract on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await freshStore(engine);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('starts empty and reports its engine and schema version', async () => {
    expect(await t.store.countPapers()).toBe(0);
    const stats = await t.store.stats();
    expect(stats).toMatchObject({ papers: 0, versions: 0, withCode: 0, engine });
    expect(stats.schemaVersion).toBeGreaterThanOrEqual(1);
  });

  it('counts the versions of its papers: at least one each, as many as the newest version number says', async () => {
    await t.store.upsertPapers([
      // As a JSONL dump gives them: no version.
      { id: '2503.00001', source: 'jsonl', title: 'One', abstract: 'A' },
      { id: '2503.00002', source: 'jsonl', title: 'Two', abstract: 'B' },
      { ...base, id: '2503.00003', version: 3 },
    ]);
    expect(await t.store.stats()).toMatchObject({ papers: 3, versions: 5 });
  });

  it('stores every field, keeps author order and the raw abstract (HTML and TeX untouched)', async () => {
    expect(await t.store.upsertPapers([base])).toEqual({ new: 1, updated: 0, unchanged: 0 });
    const paper = await t.store.getPaper('2503.11731');
    expect(paper).toMatchObject({
      id: '2503.11731',
      version: 1,
      title: base.title,
      abstract: base.abstract,
      authors: base.authors,
      primaryCategory: 'cs.CV',
      categories: ['cs.CV', 'cs.RO'],
      comment: '12 pages',
      codeUrls: base.codeUrls,
      submittedAt: base.submittedAt,
      listedOn: null,
      upvotes: 0,
    });
    expect(paper?.provenance.title).toBe('arxiv-api');
    expect(await t.store.getVersions('2503.11731')).toEqual([
      { version: 1, date: base.submittedAt, source: 'arxiv-api' },
    ]);
    expect(await t.store.getPaper('9999.99999')).toBeUndefined();
  });

  it('is idempotent: the same records again change nothing', async () => {
    const second = { ...base, id: '2503.11742', title: 'Safe Vision-Language Models', codeUrls: [] };
    await t.store.upsertPapers([base, second]);
    const before = await t.store.getPaper(base.id);
    expect(await t.store.upsertPapers([base, second])).toEqual({ new: 0, updated: 0, unchanged: 2 });
    expect(await t.store.countPapers()).toBe(2);
    expect(await t.store.getPaper(base.id)).toEqual(before);
  });

  it('takes a newer version and keeps the history; an older version changes nothing', async () => {
    await t.store.upsertPapers([base]);
    const v2 = {
      ...base,
      version: 2,
      title: 'Sensor Simulation via Gaussian Splatting (revised)',
      updatedAt: '2025-04-01T09:00:00Z',
    };
    expect(await t.store.upsertPapers([v2])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    expect(await t.store.upsertPapers([base])).toEqual({ new: 0, updated: 0, unchanged: 1 });
    const paper = await t.store.getPaper(base.id);
    expect(paper).toMatchObject({
      version: 2,
      title: v2.title,
      submittedAt: base.submittedAt,
      updatedAt: v2.updatedAt,
    });
    expect((await t.store.getVersions(base.id)).map((v) => [v.version, v.date])).toEqual([
      [1, base.submittedAt],
      [2, v2.updatedAt],
    ]);
  });

  it('merges sources: arXiv owns the metadata, Hugging Face adds its community facts, each fact keeps its source', async () => {
    await t.store.upsertPapers([base]);
    const hf: PaperRecord = {
      id: base.id,
      source: 'hf-daily',
      title: 'A different title from HF',
      abstract: 'HF summary',
      upvotes: 42,
      numComments: 3,
      submittedBy: 'akhaliq',
      githubRepo: 'https://github.com/example/other',
      githubStars: 120,
      dailyOn: '2025-03-17',
    };
    expect(await t.store.upsertPapers([hf])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    const paper = await t.store.getPaper(base.id);
    expect(paper).toMatchObject({
      title: base.title,
      abstract: base.abstract,
      upvotes: 42,
      numComments: 3,
      submittedBy: 'akhaliq',
      githubStars: 120,
      dailyOn: '2025-03-17',
    });
    expect(paper?.codeUrls).toEqual(['https://github.com/example/gs-sim', 'https://github.com/example/other']);
    expect(paper?.provenance).toMatchObject({ title: 'arxiv-api', upvotes: 'hf-daily', dailyOn: 'hf-daily' });
    expect((await t.store.getSources(base.id)).map((s) => s.source).sort()).toEqual(['arxiv-api', 'hf-daily']);

    expect(await t.store.upsertPapers([{ ...hf, upvotes: 43 }])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    expect((await t.store.getPaper(base.id))?.upvotes).toBe(43);
    const stats = await t.store.stats();
    expect(stats.bySource).toEqual({ 'arxiv-api': 1, 'hf-daily': 1 });
  });

  it('lets a lower-authority source fill a paper but not overwrite what arXiv said', async () => {
    const page: PaperRecord = { id: base.id, source: 'page', title: 'Page title', abstract: 'Page abstract' };
    expect(await t.store.upsertPapers([page])).toEqual({ new: 1, updated: 0, unchanged: 0 });
    await t.store.upsertPapers([base]);
    expect((await t.store.getPaper(base.id))?.title).toBe(base.title);
    await t.store.upsertPapers([{ ...page, abstract: 'Page abstract, edited' }]);
    expect((await t.store.getPaper(base.id))?.abstract).toBe(base.abstract);
  });

  it('moves a paper known only from a saved page to its arXiv id when arXiv names it, keeping what the page said', async () => {
    const pageRecord: PaperRecord = {
      id: syntheticPaperId(base.title),
      source: 'page',
      title: base.title.toUpperCase(),
      abstract: 'From the page.',
      codeUrls: ['https://github.com/example/from-page'],
    };
    await t.store.upsertPapers([pageRecord]);
    expect(await t.store.upsertPapers([base])).toEqual({ new: 0, updated: 1, unchanged: 0 });
    expect(await t.store.countPapers()).toBe(1);
    expect(await t.store.getPaper(pageRecord.id)).toBeUndefined();
    const paper = await t.store.getPaper(base.id);
    expect(paper?.title).toBe(base.title);
    expect(paper?.codeUrls).toEqual(['https://github.com/example/from-page', 'https://github.com/example/gs-sim']);
    expect((await t.store.getSources(base.id)).map((s) => s.source).sort()).toEqual(['arxiv-api', 'page']);
    expect(await t.store.upsertPapers([pageRecord])).toEqual({ new: 0, updated: 0, unchanged: 1 });
    expect(await t.store.countPapers()).toBe(1);
  });

  it('files a saved-page record under the arXiv paper of the same title', async () => {
    await t.store.upsertPapers([base]);
    const pageRecord: PaperRecord = {
      id: syntheticPaperId(base.title),
      source: 'page',
      title: `${base.title}.`,
      abstract: 'x',
    };
    expect(await t.store.upsertPapers([pageRecord])).toEqual({ new: 0, updated: 0, unchanged: 1 });
    expect(await t.store.countPapers()).toBe(1);
    expect((await t.store.getSources(base.id)).map((s) => s.source).sort()).toEqual(['arxiv-api', 'page']);
  });

  it('never matches papers by a title without a letter or digit, whose title key is empty (found by fuzzing)', async () => {
    await t.store.upsertPapers([
      {
        id: 'title-0symbols',
        source: 'page',
        title: '\u{5D361}\u{ADE42}',
        abstract: 'A page paper.',
        dailyOn: '2025-03-18',
      },
    ]);
    await t.store.upsertPapers([
      { id: '2001.00246', source: 'page', title: '\u{91759}', abstract: 'Another paper.', dailyOn: '2025-03-18' },
    ]);
    await t.store.upsertPapers([
      { id: syntheticPaperId('🚀'), source: 'page', title: '🚀', abstract: 'A third.', dailyOn: '2025-03-18' },
    ]);
    expect(await t.store.countPapers()).toBe(3);
    expect((await t.store.getPaper('title-0symbols'))?.title).toBe('\u{5D361}\u{ADE42}');
    expect((await t.store.getPaper('2001.00246'))?.title).toBe('\u{91759}');
  });

  it('counts a paper repeated inside one batch once as new', async () => {
    const again = { ...base, version: 2, title: 'Revised' };
    expect(await t.store.upsertPapers([base, again])).toEqual({ new: 1, updated: 1, unchanged: 0 });
    expect(await t.store.countPapers()).toBe(1);
    expect((await t.store.getPaper(base.id))?.title).toBe('Revised');
  });

  it('refuses a record without a title, naming it', async () => {
    const broken = { ...base, id: '2503.00002', title: '' };
    await expect(t.store.upsertPapers([{ ...base, id: '2503.00001' }, broken])).rejects.toThrow(/2503\.00002.*title/);
    expect(await t.store.countPapers()).toBe(0);
  });

  it('writes a batch all or nothing: a failure at its last statement leaves no paper behind', async () => {
    const good = { ...base, id: '2503.00001' };
    await expect(
      t.store.upsertPapers([good], {
        key: 'k',
        position: Number.NaN,
        counts: { new: 0, updated: 0, unchanged: 0, rejected: 0 },
      }),
    ).rejects.toThrow();
    expect(await t.store.countPapers()).toBe(0);
    expect(await t.store.getVersions(good.id)).toEqual([]);
    expect(await t.store.getSources(good.id)).toEqual([]);
  });

  it('saves a checkpoint with the batch, adding the batch result to its counts', async () => {
    const counts = { new: 10, updated: 1, unchanged: 2, rejected: 3 };
    await t.store.upsertPapers([base], { key: 'file-a', position: 17, counts });
    const saved = await t.store.getCheckpoint('file-a');
    expect(saved).toMatchObject({
      key: 'file-a',
      position: 17,
      counts: { new: 11, updated: 1, unchanged: 2, rejected: 3 },
    });
    await t.store.clearCheckpoint('file-a');
    expect(await t.store.getCheckpoint('file-a')).toBeUndefined();
  });

  it('remembers harvest state per source', async () => {
    expect(await t.store.getHarvestState('oai:cs')).toBeUndefined();
    await t.store.setHarvestState('oai:cs', { from: '2026-07-01', token: 'abc|123' });
    await t.store.setHarvestState('oai:cs', { from: '2026-07-02' });
    expect((await t.store.getHarvestState('oai:cs'))?.state).toEqual({ from: '2026-07-02' });
  });

  it('lists the papers of an author (any spelling of case and accents) and of a category, cross-lists included', async () => {
    const other: PaperRecord = {
      ...base,
      id: '2503.00009',
      title: 'Other',
      authors: ['Sicong Dü', 'Ann Other'],
      primaryCategory: 'cs.RO',
      categories: ['cs.RO'],
      codeUrls: [],
    };
    await t.store.upsertPapers([base, other]);
    expect((await t.store.listPapers({ author: 'sicong du' })).map((p) => p.id).sort()).toEqual([
      '2503.00009',
      '2503.11731',
    ]);
    expect((await t.store.listPapers({ author: 'Ann Other' })).map((p) => p.id)).toEqual(['2503.00009']);
    expect((await t.store.listPapers({ category: 'cs.RO' })).map((p) => p.id).sort()).toEqual([
      '2503.00009',
      '2503.11731',
    ]);
    expect((await t.store.listPapers({ category: 'cs.CV' })).map((p) => p.id)).toEqual(['2503.11731']);
    expect((await t.store.listPapers({ hasCode: true })).map((p) => p.id)).toEqual(['2503.11731']);
    await t.store.upsertPapers([{ ...other, version: 2, authors: ['Ann Other'] }]);
    expect((await t.store.listPapers({ author: 'sicong du' })).map((p) => p.id)).toEqual(['2503.11731']);
  });

  it('lists papers by feed day, newest first, within a date range', async () => {
    const day = (id: string, listedOn: string): PaperRecord => ({
      id,
      source: 'jsonl',
      title: `Paper ${id}`,
      abstract: 'x',
      listedOn,
    });
    await t.store.upsertPapers([
      day('2503.00001', '2025-03-18'),
      day('2503.00002', '2025-03-19'),
      day('2503.00003', '2025-03-20'),
    ]);
    await t.store.upsertPapers([
      { id: '2503.00004', source: 'hf-daily', title: 'HF', abstract: 'y', dailyOn: '2025-03-19', upvotes: 9 },
    ]);
    const all = await t.store.listPapers();
    expect(all.map((p) => p.id)).toEqual(['2503.00003', '2503.00004', '2503.00002', '2503.00001']);
    const range = await t.store.listPapers({ from: '2025-03-19', to: '2025-03-19' });
    expect(range.map((p) => p.id)).toEqual(['2503.00004', '2503.00002']);
    expect((await t.store.listPapers({ limit: 1, offset: 1 })).map((p) => p.id)).toEqual(['2503.00004']);
  });

  it('counts, sorts by trending, gives day counts, neighbour days and papers by id', async () => {
    const rec = (id: string, day: string, upvotes = 0): PaperRecord => ({
      id,
      source: 'hf-daily',
      title: `Paper ${id}`,
      abstract: 'x',
      dailyOn: day,
      upvotes,
    });
    await t.store.upsertPapers([
      rec('2601.00001', '2026-01-05', 3),
      rec('2601.00002', '2026-01-05', 40),
      rec('2601.00003', '2026-01-07', 1),
      rec('2601.00004', '2026-01-09'),
    ]);
    expect(await t.store.countPapers({ from: '2026-01-05', to: '2026-01-07' })).toBe(3);
    expect(await t.store.dayCounts('2026-01-01', '2026-01-08')).toEqual([
      { day: '2026-01-07', count: 1 },
      { day: '2026-01-05', count: 2 },
    ]);
    expect(await t.store.neighbourDays('2026-01-07')).toEqual({ previous: '2026-01-05', next: '2026-01-09' });
    expect(await t.store.neighbourDays('2026-01-09')).toEqual({ previous: '2026-01-07', next: null });
    expect((await t.store.listPapers({ from: '2026-01-05', to: '2026-01-05' })).map((p) => p.id)).toEqual([
      '2601.00002',
      '2601.00001',
    ]);
    expect((await t.store.listPapers({ sort: 'trending' })).map((p) => p.id)[0]).toBe('2601.00002');
    expect((await t.store.getPapers(['2601.00003', 'nope', '2601.00001'])).map((p) => p.id)).toEqual([
      '2601.00003',
      '2601.00001',
    ]);
    // A NUL character (a URL's %00) is in no id: not found, where PostgreSQL would refuse the parameter.
    expect(await t.store.getPaper('2601.00003\u0000')).toBeUndefined();
    expect(await t.store.getPaper('2601\u0000', { hidden: true })).toBeUndefined();
    expect((await t.store.getPapers(['\u0000x', '2601.00001'])).map((p) => p.id)).toEqual(['2601.00001']);
  });

  it('lists a large category (read in feed order) and a small one (collected) alike', async () => {
    const n = LARGE_CATEGORY + 50;
    const rec = (i: number, category: string): PaperRecord => ({
      id: `2601.${String(i).padStart(5, '0')}`,
      source: 'jsonl',
      title: `Paper ${i}`,
      abstract: 'x',
      primaryCategory: category,
      categories: [category],
      listedOn: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    });
    await t.store.upsertPapers([
      ...Array.from({ length: n }, (_, i) => rec(i, 'cs.LG')),
      rec(n, 'hep-ex'),
      rec(n + 1, 'hep-ex'),
    ]);
    expect(await t.store.countPapers({ category: 'cs.LG' })).toBe(n);
    const page = await t.store.listPapers({ category: 'cs.LG', limit: 3 });
    const all = (await t.store.listPapers({ limit: 5000 })).filter((p) => p.categories.includes('cs.LG'));
    expect(page.map((p) => p.id)).toEqual(all.slice(0, 3).map((p) => p.id));
    expect((await t.store.listPapers({ category: 'hep-ex' })).map((p) => p.id).sort()).toEqual([
      rec(n, 'x').id,
      rec(n + 1, 'x').id,
    ]);
  });

  it('announces every write to papers once it is committed, saying whether any text changed', async () => {
    const told: { ids: string[]; text: boolean }[] = [];
    const off = t.store.onPapersChanged((change) => told.push(change));
    await t.store.upsertPapers([base]);
    expect(told).toEqual([{ ids: [base.id], text: true }]);

    const paper = await t.store.transaction(async (_trx, papers) => {
      const voted = await papers.addVotes(base.id, 1, 4);
      expect(told).toHaveLength(1); // not before the commit
      await papers.addComments(base.id, 1);
      return voted;
    });
    expect(paper.communityUpvotes).toBe(1);
    expect(told[1]).toEqual({ ids: [base.id], text: false });
    const stored = await t.store.getPaper(base.id);
    expect([stored?.communityUpvotes, stored?.communityPoints, stored?.communityComments]).toEqual([1, 4, 1]);

    // A write that fails is rolled back and announces nothing.
    await expect(
      t.store.transaction(async (_trx, papers) => {
        await papers.addVotes(base.id, 1, 4);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(told).toHaveLength(2);
    expect((await t.store.getPaper(base.id))?.communityUpvotes).toBe(1);
    off();
  });
});
