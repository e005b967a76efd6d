import { describe, expect, it } from 'vitest';
import { freshStore } from '../../test/stores.js';
import { createSearchService } from '../search/search.js';
import { searchFollowingStore } from './job.js';

describe('the worker’s search', () => {
  it('is opened again when another process stored papers, so that alerts find them', async () => {
    const t = await freshStore('sqlite');
    let opened = 0;
    const search = searchFollowingStore(() => {
      opened++;
      return createSearchService(t.store, t.db);
    }, t.db);
    try {
      const paper = (id: string, title: string) => ({
        id,
        source: 'arxiv-api' as const,
        title,
        abstract: `${title}, at length.`,
        listedOn: '2026-07-01',
      });
      await t.store.upsertPapers([paper('2607.00001', 'Constacyclic codes over rings')]);
      const first = await search.get();
      expect(await search.get()).toBe(first);
      expect(opened).toBe(1);
      // A write the open index does not see (as from another process): its changes are not announced to this one.
      await t.db
        .insertInto('papers')
        .values({
          ...(await t.db.selectFrom('papers').selectAll().executeTakeFirstOrThrow()),
          id: '2607.00002',
          title: 'Negacyclic codes',
          title_key: 'negacyclic codes',
          feed_at: new Date(Date.now() + 1000).toISOString(),
        })
        .execute();
      const second = await search.get();
      expect(opened).toBe(2);
      expect((await second.search({ q: 'negacyclic', mode: 'keyword' })).hits.map((h) => h.paper.id)).toEqual([
        '2607.00002',
      ]);
    } finally {
      search.close();
      await t.dispose();
    }
  });
});
