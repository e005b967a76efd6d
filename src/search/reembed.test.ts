import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { createJobClaims } from '../jobs/claims.js';
import { openPostgresStore } from '../store/postgres.js';
import type { Db } from '../store/schema.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { OpenedStore } from '../store/store.js';
import { coverage, embedMissing, embedUnderClaim, storedModels } from './reembed.js';
import { createSearchService, type SearchService } from './search.js';
import { UseLiteEmbedder } from './use-lite-embedder.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
// The packaged model, one thread for every test: the embedder that PAPERBOY_EMBEDDER=use-lite makes.
const useLite = new UseLiteEmbedder();
afterAll(() => useLite.close());

async function until(test: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const models = async (db: Db) => Object.fromEntries((await storedModels(db)).map((s) => [s.model, s.vectors]));

describe.each(engines)('switching embedders (%s)', (engine) => {
  it('keeps searching with the previous vectors until the new model covers every paper, then switches', async () => {
    const t: TestStore = await freshStore(engine);
    cleanups.push(() => t.dispose());
    const records = await corpusSlice(60);
    await t.store.upsertPapers(records);
    const lsa = await createSearchService(t.store, t.db);
    await lsa.refit();
    const queries = records.slice(0, 5).map((r) => r.title);
    const ranked = async (s: SearchService) =>
      Promise.all(
        queries.map(async (q) => {
          const r = await s.search({ q, mode: 'semantic' });
          return { mode: r.mode, ids: r.hits.map((h) => h.paper.id) };
        }),
      );
    const before = await ranked(lsa);
    lsa.close();
    const [lsaModel] = Object.keys(await models(t.db));
    expect(lsaModel).toMatch(/^lsa@/);

    // A first run stopped after one step of 20 papers: the rest have no vector of the new model yet.
    let steps = 0;
    expect(await embedMissing(t.db, useLite, { step: 20, onStep: () => steps++, stopped: () => steps === 1 })).toBe(20);
    expect(await models(t.db)).toEqual({ [lsaModel!]: 60, [useLite.model()]: 20 });

    // Another process started mid-way (it may not embed: no claims) answers with the LSA vectors, as before.
    const other: OpenedStore =
      engine === 'sqlite'
        ? openSqliteStore(join(t.env.PAPERBOY_DATA_DIR!, 'paperboy.db'))
        : await openPostgresStore(t.env.DATABASE_URL!);
    cleanups.push(() => other.store.close());
    await other.store.followChanges();
    const midway = await createSearchService(other.store, other.db, { embedder: useLite });
    cleanups.push(() => midway.close());
    expect(await ranked(midway)).toEqual(before);
    expect(before.every((r) => r.mode === 'semantic')).toBe(true);

    // A process with claims embeds the 40 left in the background, switches, and deletes the LSA vectors; the other
    // process hears of it and switches too.
    const serving = await createSearchService(t.store, t.db, {
      embedder: useLite,
      claims: createJobClaims(t.db, { leaseMs: 1000 }),
    });
    cleanups.push(() => serving.close());
    await until(async () => (await models(t.db))[lsaModel!] === undefined);
    expect(await models(t.db)).toEqual({ [useLite.model()]: 60 });
    await serving.settled();
    const after = await ranked(serving);
    expect(after.every((r) => r.mode === 'semantic')).toBe(true);
    expect(after).not.toEqual(before);
    await until(async () => JSON.stringify(await ranked(midway)) === JSON.stringify(after));
  });

  it('embeds under one claim: a second claimant finds it done, and a switch back claims it again', async () => {
    const t: TestStore = await freshStore(engine);
    cleanups.push(() => t.dispose());
    await t.store.upsertPapers(await corpusSlice(25));
    const claims = createJobClaims(t.db, { leaseMs: 1000 });
    expect(await embedUnderClaim(t.db, claims, useLite)).toEqual({ state: 'done', embedded: 25 });
    expect(await embedUnderClaim(t.db, claims, useLite)).toEqual({ state: 'done', embedded: 0 });
    // The vectors went (a switch to another model and back): the finished run of before is claimed again.
    await t.db.deleteFrom('paper_vectors').execute();
    expect(await embedUnderClaim(t.db, claims, useLite)).toEqual({ state: 'done', embedded: 25 });
    expect(await coverage(t.db, useLite.model())).toEqual({ done: 25, total: 25 });
  });
});
