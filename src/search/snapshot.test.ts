import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { importEntries } from '../ingest/importer.js';
import type { PaperRecord } from '../model/record.js';
import { createSearchService } from './search.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';
import type { SearchService } from './types.js';

const FIRST = 500;
const LATER = 100;
const QUERIES = ['language model', 'graph neural network', 'diffusion', 'reinforcement learning agents', 'quantum'];

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(path)).toBe(true);
}

describe.each(engines)('the search index snapshot on %s', (engine) => {
  let t: TestStore;
  let papers: PaperRecord[];
  let dir: string;
  const warnings: string[] = [];
  const log = (level: string, message: string) => {
    if (level === 'warn') warnings.push(message);
  };
  const open = (snapshot?: string) => createSearchService(t.store, t.db, { log, ...(snapshot ? { snapshot } : {}) });
  const answers = async (search: SearchService) =>
    Promise.all(
      QUERIES.map(async (q) => {
        const r = await search.search({ q, mode: 'keyword', limit: 10 });
        return { total: r.total, ids: r.hits.map((h) => h.paper.id) };
      }),
    );

  beforeAll(async () => {
    papers = await corpusSlice(FIRST + LATER);
    t = await freshStore(engine);
    dir = mkdtempSync(join(tmpdir(), 'paperboy-snapshot-'));
    await importEntries(
      t.store,
      papers.slice(0, FIRST).map((record) => ({ ok: true as const, record, position: '' })),
    );
  }, 120_000);
  afterAll(async () => {
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an older snapshot plus the papers added, changed and hidden since answers as a fresh build', async () => {
    const path = join(dir, 'old.snapshot');
    const first = await open(path);
    await waitForFile(path);
    first.close();
    const older = join(dir, 'older.snapshot');
    copyFileSync(path, older);

    await t.store.upsertPapers(papers.slice(FIRST));
    const changed = { ...papers[3]!, version: 99, title: 'Xylophonic tessellation of hyperbolic quasicrystals' };
    await t.store.upsertPapers([changed]);
    const hidden = papers[5]!;
    await t.store.setCuration(
      hidden.id,
      { hiddenAt: new Date().toISOString() },
      { actorId: null, action: 'hide', at: new Date() },
    );

    const fresh = await open();
    const restored = await open(older);
    expect(warnings).toEqual([]);
    expect(await answers(restored)).toEqual(await answers(fresh));
    for (const p of [papers[FIRST + 7]!, papers[FIRST + 77]!]) {
      expect((await restored.search({ q: p.title, mode: 'keyword' })).hits[0]?.paper.id).toBe(p.id);
    }
    expect((await restored.search({ q: 'xylophonic quasicrystals', mode: 'keyword' })).hits[0]?.paper.id).toBe(
      changed.id,
    );
    const gone = await restored.search({ q: hidden.title, mode: 'keyword', limit: 50 });
    expect(gone.hits.map((h) => h.paper.id)).not.toContain(hidden.id);
    fresh.close();
    restored.close();
    // The one restored and caught up is saved again, for the next start.
    const before = readFileSync(path);
    for (let i = 0; i < 200 && readFileSync(older).equals(before); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(older).equals(before)).toBe(false);
  });

  it('carries the vectors of its model: a restart reads again only those of papers changed since', async () => {
    const path = join(dir, 'vectors.snapshot');
    const infos: string[] = [];
    const withModel = (snapshot?: string) =>
      createSearchService(t.store, t.db, {
        log: (level, message) => (level === 'info' ? infos.push(message) : log(level, message)),
        ...(snapshot ? { snapshot } : {}),
      });
    const semantic = async (search: SearchService) =>
      Promise.all(
        // Words the model knows ('quantum' is too rare in these papers to be one of them).
        QUERIES.slice(0, 4).map(async (q) =>
          (await search.search({ q, mode: 'semantic', limit: 10 })).hits.map((h) => h.paper.id),
        ),
      );
    const fitter = await withModel();
    await fitter.refit();
    fitter.close();

    const first = await withModel(path);
    await waitForFile(path);
    const expected = await semantic(first);
    expect(expected.map((ids) => ids.length)).toEqual([10, 10, 10, 10]);
    first.close();

    infos.length = 0;
    const restored = await withModel(path);
    expect(infos.join('\n')).toMatch(/vectors of lsa@\S+ from the snapshot; 0 read again/);
    expect(await semantic(restored)).toEqual(expected);
    restored.close();

    const changed = { ...papers[11]!, version: 98, title: `${papers[11]!.title} (revised)` };
    await t.store.upsertPapers([changed]);
    const embedder = await withModel();
    await embedder.settled();
    embedder.close();
    infos.length = 0;
    const caughtUp = await withModel(path);
    expect(infos.join('\n')).toMatch(/from the snapshot; 1 read again/);
    const fresh = await withModel();
    expect(await semantic(caughtUp)).toEqual(await semantic(fresh));
    expect(warnings).toEqual([]);
    caughtUp.close();
    fresh.close();

    // A paper whose text changed and whose new vector is not made yet is saved without one: a start reads it again.
    const loaded = (await loadSnapshot(path))!;
    const [stale, kept] = [papers[12]!.id, papers[13]!.id];
    const partial = join(dir, 'partial.snapshot');
    await saveSnapshot(partial, loaded.memory, loaded.vectorModel, { staleVectors: new Set([stale]) });
    const reread = (await loadSnapshot(partial))!;
    expect(reread.memory.papers.hasVectorFor(stale)).toBe(false);
    expect(reread.memory.papers.hasVectorFor(kept)).toBe(true);
    infos.length = 0;
    const fromPartial = await withModel(partial);
    // The stale one (and the one changed since, unless the start above saved that snapshot again meanwhile).
    expect(infos.join('\n')).toMatch(/from the snapshot; [12] read again/);
    const again = await withModel();
    expect(await semantic(fromPartial)).toEqual(await semantic(again));
    fromPartial.close();
    again.close();
  });

  it('is saved into a data folder that does not exist yet (PostgreSQL deployments have none until then)', async () => {
    const path = join(dir, 'not', 'made', 'yet', 'search-index.snapshot');
    const search = await open(path);
    await waitForFile(path);
    search.close();
    expect(warnings.filter((w) => w.includes('could not save'))).toEqual([]);
  });

  it('is read but not written by a process that does not save it (the second of `serve --processes 2`)', async () => {
    const path = join(dir, 'shared.snapshot');
    const reader = await createSearchService(t.store, t.db, { log, snapshot: path, savesSnapshot: false });
    await reader.settled();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(path)).toBe(false);
    const saver = await open(path);
    await waitForFile(path);
    const second = await createSearchService(t.store, t.db, { log, snapshot: path, savesSnapshot: false });
    expect(await answers(second)).toEqual(await answers(saver));
    for (const s of [reader, saver, second]) s.close();
  });

  it('ignores a corrupt or old-format snapshot with a warning, and builds the index afresh', async () => {
    const good = join(dir, 'good.snapshot');
    const built = await open(good);
    await waitForFile(good);
    const expected = await answers(built);
    built.close();

    const bytes = readFileSync(good);
    const cut = join(dir, 'cut.snapshot');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const oldFormat = join(dir, 'old-format.snapshot');
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(0, 4);
    writeFileSync(oldFormat, copy);
    const garbage = join(dir, 'garbage.snapshot');
    writeFileSync(garbage, 'not a snapshot at all');
    const flipped = join(dir, 'flipped.snapshot');
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(damaged.length * 0.7)]! ^= 0x10;
    writeFileSync(flipped, damaged);

    for (const path of [cut, oldFormat, garbage, flipped]) {
      warnings.length = 0;
      const search = await open(path);
      expect(warnings.join('\n')).toMatch(/cannot be used.*building the index afresh/);
      expect(await answers(search)).toEqual(expected);
      search.close();
    }
  });
});
