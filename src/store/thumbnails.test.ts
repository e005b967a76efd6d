import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import {
  MAX_THUMBNAIL_ATTEMPTS,
  noteThumbnailFailure,
  papersWithoutThumbnail,
  retryThumbnails,
  thumbnailHash,
  thumbnailImage,
} from './thumbnails.js';

describe.each(engines)('thumbnails in the %s store', (engine) => {
  let t: TestStore;
  const now = new Date('2026-07-03T12:00:00Z');
  const image = { bytes: new Uint8Array([82, 73, 70, 70, 1, 2, 3]), type: 'image/webp', width: 400, height: 518 };

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(
      ['2607.00001', '2607.00002', '2607.00003', '2606.00009'].map((id, i) => ({
        id,
        source: 'arxiv-api' as const,
        version: 1,
        title: `Paper ${id}`,
        abstract: 'a',
        listedOn: i === 3 ? '2026-06-20' : `2026-07-0${i + 1}`,
      })),
    );
    // A paper known only by its title (no arXiv id, so no PDF to fetch).
    const title = 'A dump paper without an id';
    await t.store.upsertPapers([
      { id: syntheticPaperId(title), source: 'jsonl', title, abstract: 'x', listedOn: '2026-07-02' },
    ]);
  });
  afterAll(() => t.dispose());

  const due = async (since = '2026-07-01', at = now) =>
    (await papersWithoutThumbnail(t.db, { since, now: at, limit: 10 })).map((p) => p.id);

  it('lists arXiv papers without one from a day on, newest first', async () => {
    expect(await due()).toEqual(['2607.00003', '2607.00002', '2607.00001']);
    expect(await due('2026-06-01')).toEqual(['2607.00003', '2607.00002', '2607.00001', '2606.00009']);
    const after = await papersWithoutThumbnail(t.db, {
      since: '2026-06-01',
      now,
      limit: 2,
      after: { day: '2026-07-02', id: '2607.00002' },
    });
    expect(after.map((p) => p.id)).toEqual(['2607.00001', '2606.00009']);
  });

  it('stores an image under its hash, puts it on the paper and announces the change', async () => {
    const told: string[][] = [];
    const off = t.store.onPapersChanged(({ ids }) => told.push(ids));
    expect(await t.store.saveThumbnail('2607.00002', image)).toBe(true);
    expect(await t.store.saveThumbnail('2699.99999', image)).toBe(false);
    off();
    expect(told).toEqual([['2607.00002']]);
    const hash = thumbnailHash(image.bytes);
    expect((await t.store.getPaper('2607.00002'))?.thumbnail).toEqual({ hash, width: 400, height: 518 });
    expect((await t.store.getPaper('2607.00001'))?.thumbnail).toBeNull();
    const stored = await thumbnailImage(t.db, '2607.00002', hash);
    expect(Buffer.from(stored!.bytes)).toEqual(Buffer.from(image.bytes));
    expect(stored!.type).toBe('image/webp');
    expect(await thumbnailImage(t.db, '2607.00002', 'AAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(await due()).toEqual(['2607.00003', '2607.00001']);

    // An import of the same paper keeps the thumbnail: only the thumbnail job writes it.
    await t.store.upsertPapers([
      { id: '2607.00002', source: 'arxiv-api', version: 2, title: 'Paper 2607.00002 v2', abstract: 'b' },
    ]);
    expect((await t.store.getPaper('2607.00002'))?.thumbnail?.hash).toBe(hash);
  });

  it('waits longer after each failure, gives up after the last, and tries all again when asked', async () => {
    const first = await noteThumbnailFailure(t.db, '2607.00003', 'HTTP 503', now);
    expect(first).toEqual({ attempts: 1, nextTryAt: '2026-07-03T13:00:00.000Z' });
    expect(await due()).toEqual(['2607.00001']);
    expect(await due('2026-07-01', new Date('2026-07-03T13:00:00Z'))).toEqual(['2607.00003', '2607.00001']);
    const second = await noteThumbnailFailure(t.db, '2607.00003', 'HTTP 503', now);
    expect(second.nextTryAt).toBe('2026-07-03T14:00:00.000Z');
    const final = await noteThumbnailFailure(t.db, '2607.00001', 'not a PDF', now, { final: true });
    expect(final).toEqual({ attempts: MAX_THUMBNAIL_ATTEMPTS, nextTryAt: null });
    expect(await due('2026-07-01', new Date('2027-07-01T00:00:00Z'))).toEqual(['2607.00003']);
    expect(await retryThumbnails(t.db)).toBe(2);
    expect(await due()).toEqual(['2607.00003', '2607.00001']);
  });
});
