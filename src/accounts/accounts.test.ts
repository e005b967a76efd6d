import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { Refusal } from '../model/refusal.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { NEW_ACCOUNT_VOTE_POINTS, POINTS_PER_UPVOTE } from '../model/trending.js';
import { paperTrending } from '../store/rows.js';
import { accountForEmail, handlesOfAddress, updateProfile } from './accounts.js';
import { createSession, endAllSessions, sessionAccount } from './sessions.js';
import { checkSigninLink, requestSigninLink, useSigninLink } from './signin-links.js';
import { toggleVote, upvotedAmong } from './votes.js';

describe.each(engines)('accounts store on %s', (engine) => {
  let t: TestStore;
  const now = new Date('2026-07-01T09:00:00Z');
  const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers([
      {
        id: '2607.00001',
        source: 'hf-daily',
        title: 'A paper',
        abstract: 'x',
        dailyOn: '2026-06-30',
        upvotes: 5,
        numComments: 1,
      },
    ]);
  });
  afterAll(() => t.dispose());

  it('gives a new account a handle from its address, numbered when taken, reserved or short', async () => {
    const handle = async (email: string) => (await accountForEmail(t.db, email, now)).account.handle;
    expect(await handle('Jane.Doe+paperboy@example.org')).toBe('jane-doe');
    expect(await handle('jane.doe@other.org')).toBe('jane-doe-2');
    expect(await handle('josé@example.org')).toBe('jose');
    expect(await handle('admin@example.org')).toBe('admin-2');
    expect(await handle('me@example.org')).toBe('me-2');
    expect(await handle('张伟@example.org')).toMatch(/^reader-[0-9a-f]{10}$/);
    expect(handlesOfAddress(`${'x'.repeat(40)}@example.org`)[0]).toBe('x'.repeat(28));
    expect(handlesOfAddress('__@example.org')).toEqual([]);
  });

  it('creates an account on first use only, and keeps handles unique', async () => {
    const first = await accountForEmail(t.db, 'a@example.org', now);
    const again = await accountForEmail(t.db, 'a@example.org', later(5));
    expect(first.created).toBe(true);
    expect(again).toEqual({ account: first.account, created: false });
    const other = await accountForEmail(t.db, 'b@example.org', now);
    await updateProfile(t.db, first.account.id, { handle: 'ada', displayName: 'Ada' }, now);
    const taken = updateProfile(t.db, other.account.id, { handle: 'ada', displayName: 'Bob' }, now);
    await expect(taken).rejects.toBeInstanceOf(Refusal);
    await expect(taken).rejects.toMatchObject({ code: 'taken', message: 'The handle "ada" is taken. Choose another.' });
    await updateProfile(t.db, first.account.id, { handle: 'ada', displayName: 'Ada L.' }, now);
    expect(
      (
        await t.db
          .selectFrom('accounts')
          .select(['handle', 'display_name'])
          .where('id', 'in', [first.account.id, other.account.id])
          .orderBy('email')
          .execute()
      ).map((r) => [r.handle, r.display_name]),
    ).toEqual([
      ['ada', 'Ada L.'],
      [other.account.handle, other.account.displayName],
    ]);
  });

  it('keeps sessions hashed, expiring, and ends them all at once', async () => {
    const { account } = await accountForEmail(t.db, 's@example.org', now);
    const one = await createSession(t.db, account.id, now);
    const two = await createSession(t.db, account.id, now);
    expect((await sessionAccount(t.db, one, now))?.id).toBe(account.id);
    expect(await sessionAccount(t.db, one, later(31 * 24 * 60))).toBeUndefined();
    expect(await sessionAccount(t.db, 'made-up', now)).toBeUndefined();
    expect(await endAllSessions(t.db, account.id)).toBe(2);
    expect(await sessionAccount(t.db, two, now)).toBeUndefined();
  });

  it('lets a link be used once, before it expires, with the nonce of the browser that asked', async () => {
    const db = t.db;
    expect(
      await requestSigninLink(
        db,
        { email: 'l@example.org', nonce: 'n1', returnTo: '/x', baseUrl: 'http://h.test' },
        now,
      ),
    ).toBe(true);
    const token = /token=([\w%-]+)/.exec(
      (await db.selectFrom('outbox').select('text').where('recipient', '=', 'l@example.org').executeTakeFirstOrThrow())
        .text,
    )![1]!;
    const stored = await db
      .selectFrom('signin_links')
      .selectAll()
      .where('email', '=', 'l@example.org')
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(decodeURIComponent(token));
    expect(await checkSigninLink(db, decodeURIComponent(token), 'other', now)).toEqual({
      ok: false,
      reason: 'other-browser',
    });
    expect(await useSigninLink(db, decodeURIComponent(token), undefined, now)).toEqual({
      ok: false,
      reason: 'other-browser',
    });
    expect(await useSigninLink(db, decodeURIComponent(token), 'n1', later(16))).toEqual({
      ok: false,
      reason: 'unknown',
    });
    const uses = await Promise.all([1, 2, 3].map(() => useSigninLink(db, decodeURIComponent(token), 'n1', later(1))));
    expect(uses.filter((u) => u.ok)).toEqual([{ ok: true, email: 'l@example.org', returnTo: '/x' }]);
  });

  it('toggles votes, weighs new accounts down in trending, and survives a re-import', async () => {
    const db = t.db;
    const { account: fresh } = await accountForEmail(db, 'fresh@example.org', now);
    const { account: old } = await accountForEmail(db, 'old@example.org', later(-120));
    expect(await toggleVote(t.store, fresh, '2607.00001', now)).toEqual({ upvoted: true, upvotes: 6 });
    expect(await toggleVote(t.store, old, '2607.00001', now)).toEqual({ upvoted: true, upvotes: 7 });
    expect(await toggleVote(t.store, old, 'no-such-paper', now)).toBeUndefined();
    expect([...(await upvotedAmong(db, old.id, ['2607.00001', 'x']))]).toEqual(['2607.00001']);
    let paper = (await t.store.getPaper('2607.00001'))!;
    expect(paper).toMatchObject({
      upvotes: 5,
      communityUpvotes: 2,
      communityPoints: NEW_ACCOUNT_VOTE_POINTS + POINTS_PER_UPVOTE,
    });
    const row = await db.selectFrom('papers').select('trending').where('id', '=', paper.id).executeTakeFirstOrThrow();
    expect(row.trending).toBeCloseTo(paperTrending(paper), 9);
    expect(row.trending).toBeGreaterThan(paperTrending({ ...paper, communityPoints: 0 }));

    await t.store.upsertPapers([
      {
        id: '2607.00001',
        source: 'hf-daily',
        title: 'A paper',
        abstract: 'x',
        dailyOn: '2026-06-30',
        upvotes: 9,
        numComments: 1,
      },
    ]);
    paper = (await t.store.getPaper('2607.00001'))!;
    expect(paper).toMatchObject({ upvotes: 9, communityUpvotes: 2, communityPoints: 5 });
    expect(
      (await db.selectFrom('papers').select('trending').where('id', '=', paper.id).executeTakeFirstOrThrow()).trending,
    ).toBeCloseTo(paperTrending(paper), 9);

    expect(await toggleVote(t.store, old, '2607.00001', now)).toEqual({ upvoted: false, upvotes: 10 });
    expect(await t.store.getPaper('2607.00001')).toMatchObject({
      communityUpvotes: 1,
      communityPoints: NEW_ACCOUNT_VOTE_POINTS,
    });
  });

  it('keeps the votes of a paper known by a provisional title id when arXiv names it', async () => {
    const { account } = await accountForEmail(t.db, 'provisional@example.org', later(-600));
    const provisional = syntheticPaperId('A provisional paper about voting');
    await t.store.upsertPapers([
      { id: provisional, source: 'page', title: 'A provisional paper about voting', abstract: 'x' },
    ]);
    await toggleVote(t.store, account, provisional, now);
    await t.store.upsertPapers([
      { id: '2607.00042', source: 'arxiv-api', version: 1, title: 'A Provisional Paper about Voting', abstract: 'y' },
    ]);
    const paper = await t.store.getPaper('2607.00042');
    expect(paper).toMatchObject({ communityUpvotes: 1, communityPoints: POINTS_PER_UPVOTE });
    expect(await upvotedAmong(t.db, account.id, ['2607.00042'])).toEqual(new Set(['2607.00042']));
    expect(await t.store.getPaper(provisional)).toBeUndefined();
  });
});
