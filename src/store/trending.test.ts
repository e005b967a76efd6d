import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { trendingScore } from '../model/trending.js';

describe.each(engines)('Store.recomputeTrending on %s', (engine) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(
      Array.from({ length: 2500 }, (_, i) => ({
        id: `2607.${String(i).padStart(5, '0')}`,
        source: 'hf-daily' as const,
        title: `Paper ${i}`,
        abstract: 'a',
        dailyOn: `2026-06-${String((i % 28) + 1).padStart(2, '0')}`,
        upvotes: i % 17,
      })),
    );
  });
  afterAll(() => t.dispose());

  const score = async (id: string) =>
    (await t.db.selectFrom('papers').select('trending').where('id', '=', id).executeTakeFirstOrThrow()).trending;

  it('leaves correct scores alone, repairs stale ones across batches and announces them', async () => {
    const told: string[][] = [];
    const off = t.store.onPapersChanged(({ ids, text }) => told.push([...ids, String(text)]));
    expect(await t.store.recomputeTrending()).toEqual({ papers: 2500, changed: 0 });
    // Counters changed behind the score's back, in three different batches.
    for (const id of ['2607.00003', '2607.01500', '2607.02499']) {
      await t.db.updateTable('papers').set({ upvotes: 500, trending: 0 }).where('id', '=', id).execute();
    }
    expect(await t.store.recomputeTrending()).toEqual({ papers: 2500, changed: 3 });
    expect(await score('2607.01500')).toBeCloseTo(
      trendingScore({ upvotes: 500, numComments: 0, githubStars: null, day: '2026-06-17' }),
      9,
    );
    expect(await t.store.recomputeTrending()).toEqual({ papers: 2500, changed: 0 });
    off();
    expect(told).toEqual([['2607.00003', '2607.01500', '2607.02499', 'false']]);
  });
});
