import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type Engine, engines, freshStore, type TestStore } from '../../test/stores.js';
import type { PaperRecord } from '../model/record.js';
import { ChangeFollower } from './change-feed.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { OpenedStore, PapersChange } from './store.js';

const opened: OpenedStore[] = [];
const tests: TestStore[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.store.close();
  for (const t of tests.splice(0)) await t.dispose();
});

/** A store and a second one on the same database, as another process would open it. */
async function twoStores(engine: Engine): Promise<{ a: TestStore; b: OpenedStore }> {
  const a = await freshStore(engine);
  tests.push(a);
  const b =
    engine === 'sqlite'
      ? openSqliteStore(join(a.env.PAPERBOY_DATA_DIR!, 'paperboy.db'))
      : await openPostgresStore(a.env.DATABASE_URL!);
  opened.unshift(b);
  return { a, b };
}

const paper = (id: string, title: string): PaperRecord => ({
  id,
  source: 'arxiv-api',
  title,
  abstract: `${title}, at length.`,
  authors: ['Ada Lovelace'],
  listedOn: '2026-07-01',
});

/** Waits until `test` holds, checking every 20 ms, for at most `ms` (a bound on how late a change may arrive). */
async function until(test: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const heard = (changes: PapersChange[]) => changes.flatMap((c) => c.ids.map((id) => `${id}:${c.text}`));

describe.each(engines)('the change feed (%s)', (engine) => {
  it('announces every kind of write of one process to the other, and its own once', async () => {
    const { a, b } = await twoStores(engine);
    const errors: unknown[] = [];
    await a.store.followChanges({ onError: (e) => errors.push(e) });
    await b.store.followChanges({ onError: (e) => errors.push(e) });
    const inA: PapersChange[] = [];
    const inB: PapersChange[] = [];
    a.store.onPapersChanged((c) => inA.push(c));
    b.store.onPapersChanged((c) => inB.push(c));

    /** Does one write through A, then waits until B heard it (B may merge the rows it reads at once: one at a time). */
    const write = async (work: () => Promise<unknown>) => {
      const before = inB.length;
      await work();
      await until(() => inB.length > before);
      return heard(inB.slice(before));
    };
    expect(
      await write(() =>
        a.store.upsertPapers([paper('2607.00001', 'Constacyclic codes'), paper('2607.00002', 'Negacyclic codes')]),
      ),
    ).toEqual(['2607.00001:true', '2607.00002:true']);
    expect(await write(() => a.store.transaction((_trx, papers) => papers.addVotes('2607.00001', 1, 1)))).toEqual([
      '2607.00001:false',
    ]);
    expect((await b.store.getPaper('2607.00001'))!.communityUpvotes).toBe(1);
    expect(await write(() => a.store.transaction((_trx, papers) => papers.addComments('2607.00002', 1)))).toEqual([
      '2607.00002:false',
    ]);
    const feature = { actorId: null, action: 'feature', at: new Date() };
    expect(await write(() => a.store.setCuration('2607.00002', { featuredOn: '2026-07-01' }, feature))).toEqual([
      '2607.00002:false',
    ]);
    const image = { bytes: new Uint8Array([1, 2, 3]), type: 'image/webp', width: 4, height: 5 };
    expect(await write(() => a.store.saveThumbnail('2607.00001', image))).toEqual(['2607.00001:false']);
    await a.db.updateTable('papers').set({ trending: 1234 }).where('id', '=', '2607.00002').execute();
    expect(await write(() => a.store.recomputeTrending())).toEqual(['2607.00002:false']);

    // Once B's write reaches A, A's follower has read past its own rows: A heard each of its writes once, at commit.
    const fromA = heard(inB);
    await b.store.transaction((_trx, papers) => papers.addVotes('2607.00002', 1, 1));
    await until(() => heard(inA).length === fromA.length + 1);
    expect(heard(inA)).toEqual([...fromA, '2607.00002:false']);
    expect(errors).toEqual([]);
  });

  it('keeps the papers a following store read until a change to one, here or in the other process, forgets it', async () => {
    const { a, b } = await twoStores(engine);
    await a.store.upsertPapers([paper('2607.00001', 'Constacyclic codes'), paper('2607.00002', 'Negacyclic codes')]);
    // Before it follows the feed a store keeps nothing: it would not hear the other's changes.
    await b.store.getPapers(['2607.00001']);
    await a.db.updateTable('papers').set({ github_stars: 5 }).where('id', '=', '2607.00001').execute();
    expect((await b.store.getPaper('2607.00001'))!.githubStars).toBe(5);

    await a.store.followChanges();
    await b.store.followChanges();
    const inB: PapersChange[] = [];
    b.store.onPapersChanged((c) => inB.push(c));
    const kept = await b.store.getPapers(['2607.00001', '2607.00002']);
    expect(kept.every((p) => Object.isFrozen(p) && Object.isFrozen(p.authors))).toBe(true);
    // A write the feed does not carry (none of the store's own) shows only once a change to that paper is heard.
    await a.db.updateTable('papers').set({ github_stars: 7 }).where('id', '=', '2607.00001').execute();
    expect((await b.store.getPaper('2607.00001'))!.githubStars).toBe(5);
    expect(await b.store.getPaper('2607.00001')).toBe(kept[0]);
    expect((await b.store.getPaper('2607.00001', { fresh: true }))!.githubStars).toBe(7);

    await a.store.transaction((_trx, papers) => papers.addVotes('2607.00001', 1, 1));
    await until(() => inB.length > 0);
    expect(await b.store.getPaper('2607.00001')).toMatchObject({ communityUpvotes: 1, githubStars: 7 });
    expect(await b.store.getPaper('2607.00002')).toBe(kept[1]);

    const hide = { actorId: null, action: 'hide', at: new Date() };
    await a.store.setCuration('2607.00002', { hiddenAt: new Date().toISOString() }, hide);
    await until(() => inB.length > 1);
    expect(await b.store.getPapers(['2607.00001', '2607.00002'])).toMatchObject([{ id: '2607.00001' }]);
    // Its own writes forget at commit.
    await b.store.transaction((_trx, papers) => papers.addVotes('2607.00001', 1, 1));
    expect((await b.store.getPaper('2607.00001'))!.communityUpvotes).toBe(2);
    // And when they fail, what they touched: the commit may have happened before the error reached this process.
    await a.db.updateTable('papers').set({ github_stars: 9 }).where('id', '=', '2607.00001').execute();
    expect((await b.store.getPaper('2607.00001'))!.githubStars).toBe(7);
    await expect(
      b.store.transaction(async (_trx, papers) => {
        await papers.addVotes('2607.00001', 1, 1);
        throw new Error('the connection dropped');
      }),
    ).rejects.toThrow('the connection dropped');
    expect((await b.store.getPaper('2607.00001'))!.githubStars).toBe(9);
  });

  it('tells the other processes of a model fitted again, not the one that fitted it', async () => {
    const { a, b } = await twoStores(engine);
    await a.store.followChanges();
    await b.store.followChanges();
    let inA = 0;
    let inB = 0;
    a.store.onModelChanged(() => inA++);
    b.store.onModelChanged(() => inB++);
    await a.store.announceModel('lsa@2026-07-01T00:00:00.000Z');
    await until(() => inB === 1);
    await b.store.announceModel('lsa@2026-07-02T00:00:00.000Z');
    await until(() => inA === 1);
    // Heard after B's own row: B skipped that one.
    await a.store.announceModel('lsa@2026-07-03T00:00:00.000Z');
    await until(() => inB === 2);
    expect([inA, inB]).toEqual([1, 2]);
  });

  it('reads in pages, and everything again when the rows it missed were pruned', async () => {
    const t = await freshStore(engine);
    tests.push(t);
    const changes: PapersChange[] = [];
    let models = 0;
    const errors: unknown[] = [];
    const follower = new ChangeFollower(t.db, engine, 'me', {
      papers: (c) => changes.push(c),
      model: () => models++,
      error: (e) => errors.push(e),
    });
    await follower.start(undefined, { pollMs: 600_000 });
    const records = Array.from({ length: 1_200 }, (_, i) => paper(`2607.${String(i).padStart(5, '0')}`, `Paper ${i}`));
    await t.store.upsertPapers(records);
    const rows = await t.db.selectFrom('changes').select(['seq', 'ids']).orderBy('seq').execute();
    expect(rows.map((r) => (JSON.parse(r.ids) as string[]).length)).toEqual([500, 500, 200]);
    follower.wake();
    await follower.idle();
    expect(changes).toHaveLength(1);
    expect(changes[0]!.ids).toHaveLength(1_200);

    // A write that is read, then two whose rows are pruned before the follower reads them.
    await t.store.transaction((_trx, papers) => papers.addVotes('2607.00001', 1, 1));
    follower.wake();
    await follower.idle();
    expect(changes[1]).toEqual({ ids: ['2607.00001'], text: false });
    await t.store.transaction((_trx, papers) => papers.addVotes('2607.00002', 1, 1));
    const pruned = await t.store.transaction((_trx, papers) => papers.addVotes('2607.00003', 1, 1));
    expect(pruned.communityUpvotes).toBe(1);
    const newest = Math.max(...(await t.db.selectFrom('changes').select('seq').execute()).map((r) => r.seq));
    await t.db.deleteFrom('changes').where('seq', '<', newest).execute();
    follower.wake();
    await follower.idle();
    expect(errors.map(String)).toEqual(['Error: fell behind the change feed: reading all 1200 papers again']);
    expect(changes[2]!.ids).toHaveLength(1_200);
    expect(models).toBe(1);
    await follower.stop();
  });

  if (engine === 'postgres') {
    it('hears a write at once through NOTIFY, and catches up by sequence after its LISTEN connection drops', async () => {
      const { a, b } = await twoStores(engine);
      // No poll to fall back on: what B hears comes from NOTIFY or from reading after it connected again.
      await b.store.followChanges({ pollMs: 600_000 });
      const inB: PapersChange[] = [];
      b.store.onPapersChanged((c) => inB.push(c));
      await a.store.upsertPapers([paper('2607.00001', 'Constacyclic codes')]);
      await until(() => inB.length === 1, 2_000);

      const admin = new pg.Client({ connectionString: a.env.DATABASE_URL });
      await admin.connect();
      try {
        const ended = await admin.query<{ n: string }>(
          "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN paperboy_changes'",
        );
        expect(Number(ended.rows[0]!.n)).toBe(1);
        // Written while B is not listening: no notification reaches it.
        await a.store.transaction((_trx, papers) => papers.addVotes('2607.00001', 1, 1));
        await until(() => inB.length === 2, 5_000);
        expect(inB[1]).toEqual({ ids: ['2607.00001'], text: false });
        const listening = await admin.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN paperboy_changes'",
        );
        expect(listening.rowCount).toBe(1);
      } finally {
        await admin.end();
      }
    });

    it('hands on a change committed after a larger number at once, and waits for a gap until its transaction ends', async () => {
      const t = await freshStore(engine);
      tests.push(t);
      await t.store.upsertPapers([paper('2607.00001', 'Constacyclic codes'), paper('2607.00002', 'Negacyclic codes')]);
      const changes: PapersChange[] = [];
      const follower = new ChangeFollower(t.db, engine, 'me', {
        papers: (c) => changes.push(c),
        model: () => {},
        error: (e) => {
          throw e;
        },
      });
      await follower.start(undefined, { pollMs: 600_000 });
      const read = async () => {
        follower.wake();
        await follower.idle();
      };
      const start = follower.position;

      // A slow transaction takes number start+1 and waits; a vote takes start+2 and commits first.
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let taken: () => void = () => {};
      const took = new Promise<void>((resolve) => {
        taken = resolve;
      });
      const slowRow = t.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('changes')
          .values({ kind: 'papers', ids: '["2607.00002"]', text_changed: 0, origin: 'other', at: 'now' })
          .execute();
        taken();
        await held;
      });
      await took;
      await t.store.transaction((_trx, papers) => papers.addVotes('2607.00001', 1, 1));
      changes.length = 0;
      await read();
      expect(changes).toEqual([{ ids: ['2607.00001'], text: false }]);
      expect(follower.position).toBe(start);
      release();
      await slowRow;
      await read();
      expect(changes[1]).toEqual({ ids: ['2607.00002'], text: false });
      expect(follower.position).toBe(start + 2);

      // A number taken by a transaction that rolls back: the gap is let go once that transaction has ended.
      await t.db
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto('changes')
            .values({ kind: 'papers', ids: '["2607.00002"]', text_changed: 0, origin: 'other', at: 'now' })
            .execute();
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      await t.store.transaction((_trx, papers) => papers.addVotes('2607.00002', 1, 1));
      await read();
      expect(changes[2]).toEqual({ ids: ['2607.00002'], text: false });
      // Transactions of the whole cluster that ran when the gap was seen (other databases' too) must end first.
      const deadline = Date.now() + 30_000;
      while (follower.position !== start + 4 && Date.now() < deadline) await read();
      expect(follower.position).toBe(start + 4);
      await follower.stop();
    });
  }
});
