import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { openPostgresStore } from '../store/postgres.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { OpenedStore } from '../store/store.js';
import { createSearchService, type SearchService } from './search.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Checks `test` every 25 ms until it holds; fails after `ms`. */
async function until(test: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(engines)('the search of a process following the store (%s)', (engine) => {
  it('takes in papers another process stored, and loads the model it fitted', async () => {
    const a: TestStore = await freshStore(engine);
    cleanups.push(() => a.dispose());
    const b: OpenedStore =
      engine === 'sqlite'
        ? openSqliteStore(join(a.env.PAPERBOY_DATA_DIR!, 'paperboy.db'))
        : await openPostgresStore(a.env.DATABASE_URL!);
    cleanups.push(() => b.store.close());
    const records = await corpusSlice(26);
    await a.store.upsertPapers(records.slice(0, 25));

    await b.store.followChanges();
    const inB: SearchService = await createSearchService(b.store, b.db);
    cleanups.push(() => inB.close());
    const fresh = records[25]!;
    const ids = async (mode: 'keyword' | 'semantic') =>
      (await inB.search({ q: fresh.title, mode })).hits.map((h) => h.paper.id);
    expect(await ids('keyword')).not.toContain(fresh.id);

    // A paper stored by the other process: in B's keyword index.
    await a.store.upsertPapers([fresh]);
    await until(async () => (await ids('keyword'))[0] === fresh.id);

    // The other process fits the model: B loads it and the vectors, and ranks semantically without a restart.
    const inA = await createSearchService(a.store, a.db);
    cleanups.push(() => inA.close());
    expect((await inB.search({ q: fresh.title, mode: 'semantic' })).mode).toBe('keyword');
    await inA.refit();
    await until(async () => (await inB.search({ q: fresh.title, mode: 'semantic' })).mode === 'semantic');
    expect((await ids('semantic')).slice(0, 3)).toContain(fresh.id);
  });
});
