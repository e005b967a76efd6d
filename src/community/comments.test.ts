import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { type Account, accountForEmail } from '../accounts/accounts.js';
import { Refusal } from '../model/refusal.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { auditEntries } from '../store/audit.js';
import { paperFromRow, paperTrending } from '../store/rows.js';
import {
  BODY_MAX,
  COMMENTS_PER_WINDOW,
  deleteComment,
  EDIT_GRACE_MINUTES,
  editComment,
  MAX_DISPLAY_DEPTH,
  postComment,
  reportComment,
  resolveReports,
  setCommentHidden,
} from './comments.js';
import { commentThread, flatten, type ThreadComment } from './thread.js';

const START = new Date('2026-07-01T09:00:00Z');

/** The thread as nested [body, replies] pairs, to compare shapes at a glance. */
const shape = (nodes: ThreadComment[]): unknown[] =>
  nodes.map((n) => (n.replies.length ? [n.body || `(${n.removed})`, shape(n.replies)] : n.body || `(${n.removed})`));

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Refusal)) throw new Error(`expected a Refusal, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe.each(engines)('comments on %s', (engine) => {
  let t: TestStore;
  let ada: Account;
  let bob: Account;
  let carol: Account;
  let curator: Account;
  let n = 0;
  /** Each test an hour after the last, so that the per-account limit of one does not reach into the next. */
  let NOW = START;
  const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
  beforeEach(() => {
    NOW = new Date(NOW.getTime() + 3_600_000);
  });
  /** A paper of its own for each test, so counts start at zero. */
  async function paper(extra: { numComments?: number } = {}): Promise<string> {
    const id = `2607.${String(++n).padStart(5, '0')}`;
    await t.store.upsertPapers([
      { id, source: 'hf-daily', title: `Paper ${n}`, abstract: 'x', dailyOn: '2026-06-30', upvotes: 3, ...extra },
    ]);
    return id;
  }
  const row = (id: string) => t.db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await freshStore(engine);
    const db = t.db;
    ada = (await accountForEmail(db, 'ada@example.org', START)).account;
    bob = (await accountForEmail(db, 'bob@example.org', START)).account;
    carol = (await accountForEmail(db, 'carol@example.org', START)).account;
    curator = { ...(await accountForEmail(db, 'cur@example.org', START)).account, role: 'curator' };
    await db.updateTable('accounts').set({ role: 'curator' }).where('id', '=', curator.id).execute();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('posts comments and replies and lists them as a tree, oldest first at every level', async () => {
    const db = t.db;
    const id = await paper();
    const first = await postComment(t.store, ada, id, { body: 'first' }, at(0));
    const second = await postComment(t.store, bob, id, { body: 'second' }, at(1));
    await postComment(t.store, carol, id, { body: 'reply to first, later', parentId: first }, at(3));
    await postComment(t.store, bob, id, { body: 'reply to first, earlier', parentId: first }, at(2));
    await postComment(t.store, ada, id, { body: 'reply to second', parentId: second }, at(4));
    const thread = await commentThread(db, id);
    expect(shape(thread)).toEqual([
      ['first', ['reply to first, earlier', 'reply to first, later']],
      ['second', ['reply to second']],
    ]);
    expect(thread[0]!.author).toEqual({ id: ada.id, handle: ada.handle, displayName: ada.displayName });
    expect((await row(id)).community_comments).toBe(5);

    const other = await paper();
    expect(await refusal(postComment(t.store, ada, other, { body: 'x', parentId: first }, at(5)))).toMatchObject({
      code: 'not-found',
    });
    expect(await refusal(postComment(t.store, ada, '2607.99999', { body: 'x' }, at(5)))).toMatchObject({
      code: 'not-found',
    });
    expect((await row(other)).community_comments).toBe(0);
  });

  it('counts comments posted at the same moment exactly', async () => {
    const db = t.db;
    const id = await paper();
    const crowd = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => (await accountForEmail(db, `crowd${i}@example.org`, START)).account),
    );
    await Promise.all(crowd.map((account, i) => postComment(t.store, account, id, { body: `voice ${i}` }, NOW)));
    const stored = await row(id);
    expect(stored.community_comments).toBe(30);
    expect(stored.trending).toBeCloseTo(paperTrending(paperFromRow(stored)), 9);
  });

  it('refuses an empty or too long body with a clear message', async () => {
    const id = await paper();
    expect(await refusal(postComment(t.store, ada, id, { body: ' \r\n ' }, NOW))).toEqual({
      code: 'invalid',
      message: 'The comment is empty. Write something, then post it.',
    });
    const long = await refusal(postComment(t.store, ada, id, { body: 'x'.repeat(BODY_MAX + 1) }, NOW));
    expect(long.message).toBe(
      'A comment can be at most 10,000 characters; this one has 10,001. Shorten it or split it into two comments.',
    );
    await postComment(t.store, ada, id, { body: 'y'.repeat(BODY_MAX) }, NOW);
    expect((await row(id)).community_comments).toBe(1);
  });

  it('moves the count and the stored trending score with every comment, in one function of both comment counts', async () => {
    const id = await paper({ numComments: 2 });
    const before = await row(id);
    expect(before.trending).toBeCloseTo(paperTrending(paperFromRow(before)), 9);
    const c1 = await postComment(t.store, ada, id, { body: 'one' }, NOW);
    const c2 = await postComment(t.store, bob, id, { body: 'two' }, NOW);
    const after = await row(id);
    expect(after.community_comments).toBe(2);
    expect(after.trending).toBeGreaterThan(before.trending);
    expect(after.trending).toBeCloseTo(paperTrending(paperFromRow(after)), 9);
    expect(paperTrending(paperFromRow(after))).toBeCloseTo(
      paperTrending({ ...paperFromRow(after), numComments: 4, communityComments: 0 }),
      12,
    );

    await deleteComment(t.store, ada, id, c1, NOW);
    await deleteComment(t.store, ada, id, c1, NOW);
    expect((await row(id)).community_comments).toBe(1);
    await setCommentHidden(t.store, curator, id, c2, true, NOW);
    const hidden = await row(id);
    expect(hidden.community_comments).toBe(0);
    expect(hidden.trending).toBeCloseTo(before.trending, 9);
    await setCommentHidden(t.store, curator, id, c2, false, NOW);
    expect((await row(id)).community_comments).toBe(1);
    // A deleted comment hidden later (or shown again) was not counted, and stays so.
    await setCommentHidden(t.store, curator, id, c1, true, NOW);
    await setCommentHidden(t.store, curator, id, c1, false, NOW);
    expect((await row(id)).community_comments).toBe(1);
  });

  it('lets the author edit within the grace period only', async () => {
    const db = t.db;
    const id = await paper();
    const c = await postComment(t.store, ada, id, { body: 'tpyo' }, NOW);
    await editComment(db, ada, id, c, 'typo', at(EDIT_GRACE_MINUTES));
    expect(await refusal(editComment(db, bob, id, c, 'mine now', at(1)))).toMatchObject({ code: 'forbidden' });
    const late = await refusal(editComment(db, ada, id, c, 'too late', at(EDIT_GRACE_MINUTES + 1)));
    expect(late).toMatchObject({ code: 'too-late' });
    expect(late.message).toContain(`edited for ${EDIT_GRACE_MINUTES} minutes`);
    expect(await refusal(editComment(db, ada, id, c, '', at(1)))).toMatchObject({ code: 'invalid' });
    const [comment] = await commentThread(db, id);
    expect(comment).toMatchObject({ body: 'typo', editedAt: at(EDIT_GRACE_MINUTES).toISOString() });
  });

  it('deletes for the author only, keeping a placeholder while replies hang from it', async () => {
    const db = t.db;
    const id = await paper();
    const parent = await postComment(t.store, ada, id, { body: 'parent' }, NOW);
    const lonely = await postComment(t.store, ada, id, { body: 'lonely' }, at(1));
    await postComment(t.store, bob, id, { body: 'child' }, at(2)).then((child) =>
      postComment(t.store, carol, id, { body: 'grandchild', parentId: child }, at(3)),
    );
    await postComment(t.store, bob, id, { body: 'answer', parentId: parent }, at(4));
    expect(await refusal(deleteComment(t.store, bob, id, parent, NOW))).toMatchObject({ code: 'forbidden' });
    await deleteComment(t.store, ada, id, parent, at(5));
    await deleteComment(t.store, ada, id, lonely, at(5));
    expect(shape(await commentThread(db, id))).toEqual([
      ['(deleted)', ['answer']],
      ['child', ['grandchild']],
    ]);
    const stored = await db
      .selectFrom('comments')
      .select(['body', 'deleted_at'])
      .where('id', '=', parent)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ body: '', deleted_at: at(5).toISOString() });
    expect(
      await refusal(postComment(t.store, bob, id, { body: 'to the void', parentId: parent }, at(6))),
    ).toMatchObject({ code: 'invalid' });
    expect((await row(id)).community_comments).toBe(3);
  });

  it('takes one report per account and comment, with a reason', async () => {
    const db = t.db;
    const id = await paper();
    const c = await postComment(t.store, ada, id, { body: 'buy cheap pills' }, NOW);
    await reportComment(db, bob, id, c, { reason: 'spam', detail: '' }, NOW);
    expect(await refusal(reportComment(db, bob, id, c, { reason: 'abuse', detail: '' }, NOW))).toMatchObject({
      code: 'already-reported',
    });
    expect(await refusal(reportComment(db, carol, id, c, { reason: 'other', detail: '  ' }, NOW))).toMatchObject({
      code: 'invalid',
    });
    expect(await refusal(reportComment(db, carol, id, c, { reason: 'because', detail: '' }, NOW))).toMatchObject({
      code: 'invalid',
    });
    expect(
      await refusal(reportComment(db, carol, id, c, { reason: 'other', detail: 'x'.repeat(501) }, NOW)),
    ).toMatchObject({ code: 'invalid' });
    expect(await refusal(reportComment(db, ada, id, c, { reason: 'spam', detail: '' }, NOW))).toMatchObject({
      code: 'invalid',
    });
    await reportComment(db, carol, id, c, { reason: 'other', detail: 'x'.repeat(500) }, NOW);
    const reports = await db
      .selectFrom('comment_reports')
      .select(['account_id', 'reason'])
      .where('comment_id', '=', c)
      .orderBy('reason')
      .execute();
    expect(reports).toEqual([
      { account_id: carol.id, reason: `other: ${'x'.repeat(500)}` },
      { account_id: bob.id, reason: 'spam' },
    ]);
    expect((await commentThread(db, id, { curator: true }))[0]!.openReports).toBe(2);
    expect((await commentThread(db, id))[0]!.openReports).toBe(0);

    expect(await resolveReports(db, curator, id, c, at(1))).toBe(2);
    expect(await resolveReports(db, curator, id, c, at(2))).toBe(0);
    expect((await commentThread(db, id, { curator: true }))[0]!.openReports).toBe(0);
    expect(await auditEntries(db, { targetType: 'comment', targetId: c })).toMatchObject([
      { actorId: curator.id, action: 'comment.resolve-reports', detail: { paperId: id, resolved: 2 } },
    ]);
  });

  it('lets curators, not members, hide a comment, with one audit entry per change', async () => {
    const db = t.db;
    const id = await paper();
    const spam = await postComment(t.store, ada, id, { body: 'spam' }, NOW);
    await postComment(t.store, bob, id, { body: 'do not feed it', parentId: spam }, at(1));
    await reportComment(db, bob, id, spam, { reason: 'spam', detail: '' }, NOW);
    expect(await refusal(setCommentHidden(t.store, bob, id, spam, true, NOW))).toMatchObject({ code: 'forbidden' });
    expect(await auditEntries(db, { targetId: spam })).toEqual([]);

    expect(await setCommentHidden(t.store, curator, id, spam, true, at(2))).toBe(true);
    expect(await setCommentHidden(t.store, curator, id, spam, true, at(3))).toBe(false);
    expect(shape(await commentThread(db, id))).toEqual([['(hidden)', ['do not feed it']]]);
    expect(shape(await commentThread(db, id, { curator: true }))).toEqual([['spam', ['do not feed it']]]);
    const report = await db
      .selectFrom('comment_reports')
      .select('resolved_at')
      .where('comment_id', '=', spam)
      .executeTakeFirstOrThrow();
    expect(report.resolved_at).toBe(at(2).toISOString());
    expect(await refusal(editComment(db, ada, id, spam, 'sorry', at(4)))).toMatchObject({ code: 'forbidden' });

    await setCommentHidden(t.store, curator, id, spam, false, at(5));
    expect(shape(await commentThread(db, id))).toEqual([['spam', ['do not feed it']]]);
    const audit = await auditEntries(db, { targetType: 'comment', targetId: spam });
    expect(audit.map((a) => [a.action, a.actorId, a.at, a.detail])).toEqual([
      ['comment.unhide', curator.id, at(5).toISOString(), { paperId: id }],
      ['comment.hide', curator.id, at(2).toISOString(), { paperId: id, resolvedReports: 1 }],
    ]);
  });

  it('refuses new comments, replies and edits on a locked paper, but keeps the thread', async () => {
    const db = t.db;
    const id = await paper();
    const c = await postComment(t.store, ada, id, { body: 'before the lock' }, NOW);
    await db
      .updateTable('papers')
      .set({ comments_locked_at: at(1).toISOString() })
      .where('id', '=', id)
      .execute();
    const locked = await refusal(postComment(t.store, bob, id, { body: 'after' }, at(2)));
    expect(locked).toMatchObject({ code: 'locked' });
    expect(locked.message).toContain('locked the discussion');
    expect(await refusal(postComment(t.store, bob, id, { body: 'reply', parentId: c }, at(2)))).toMatchObject({
      code: 'locked',
    });
    expect(await refusal(editComment(db, ada, id, c, 'edit', at(2)))).toMatchObject({ code: 'locked' });
    expect(shape(await commentThread(db, id))).toEqual(['before the lock']);
    expect((await row(id)).community_comments).toBe(1);
  });

  it(`limits each account to ${COMMENTS_PER_WINDOW} comments per window`, async () => {
    const db = t.db;
    const { account } = await accountForEmail(db, 'chatty@example.org', NOW);
    const id = await paper();
    for (let i = 0; i < COMMENTS_PER_WINDOW; i++) await postComment(t.store, account, id, { body: `#${i}` }, at(i / 2));
    expect(await refusal(postComment(t.store, account, id, { body: 'one more' }, at(6)))).toMatchObject({
      code: 'rate-limited',
    });
    await postComment(t.store, ada, id, { body: 'someone else' }, at(6));
    await postComment(t.store, account, id, { body: 'later' }, at(10.5));
    expect((await row(id)).community_comments).toBe(COMMENTS_PER_WINDOW + 2);
  });

  it(`keeps the limit of ${COMMENTS_PER_WINDOW} when an account posts ${3 * COMMENTS_PER_WINDOW} comments at once`, async () => {
    const db = t.db;
    const { account } = await accountForEmail(db, 'burst@example.org', NOW);
    const id = await paper();
    const results = await Promise.allSettled(
      Array.from({ length: 3 * COMMENTS_PER_WINDOW }, (_, i) =>
        postComment(t.store, account, id, { body: `burst ${i}` }, at(1)),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(COMMENTS_PER_WINDOW);
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as Refusal).code);
    expect(refused).toEqual(Array(2 * COMMENTS_PER_WINDOW).fill('rate-limited'));
    expect((await row(id)).community_comments).toBe(COMMENTS_PER_WINDOW);
  });

  it(`shows replies deeper than ${MAX_DISPLAY_DEPTH} levels at that depth, saying whom they answer`, async () => {
    const db = t.db;
    const id = await paper();
    const authors = [ada, bob];
    let parent: string | undefined;
    for (let depth = 1; depth <= MAX_DISPLAY_DEPTH + 2; depth++) {
      parent = await postComment(t.store, authors[depth % 2]!, id, { body: `d${depth}`, parentId: parent }, at(depth));
    }
    let level = await commentThread(db, id);
    for (let depth = 1; depth < MAX_DISPLAY_DEPTH; depth++) level = level[0]!.replies;
    expect(level.map((c) => [c.body, c.replyTo, c.replies.length])).toEqual([
      [`d${MAX_DISPLAY_DEPTH}`, null, 0],
      [`d${MAX_DISPLAY_DEPTH + 1}`, authors[MAX_DISPLAY_DEPTH % 2]!.handle, 0],
      [`d${MAX_DISPLAY_DEPTH + 2}`, authors[(MAX_DISPLAY_DEPTH + 1) % 2]!.handle, 0],
    ]);
    expect(flatten(await commentThread(db, id)).map((c) => c.body)).toEqual(
      Array.from({ length: MAX_DISPLAY_DEPTH + 2 }, (_, i) => `d${i + 1}`),
    );
  });

  it('keeps the comments of a paper known by a provisional title id when arXiv names it', async () => {
    const db = t.db;
    const title = 'A provisional paper about discussion';
    const provisional = syntheticPaperId(title);
    await t.store.upsertPapers([{ id: provisional, source: 'page', title, abstract: 'x' }]);
    const c = await postComment(t.store, ada, provisional, { body: 'early word' }, NOW);
    await postComment(t.store, bob, provisional, { body: 'reply', parentId: c }, at(1));
    await t.store.upsertPapers([
      { id: '2607.09042', source: 'arxiv-api', version: 1, title: title.toUpperCase(), abstract: 'y' },
    ]);
    expect(shape(await commentThread(db, '2607.09042'))).toEqual([['early word', ['reply']]]);
    const merged = await row('2607.09042');
    expect(merged.community_comments).toBe(2);
    expect(merged.trending).toBeCloseTo(paperTrending(paperFromRow(merged)), 9);
    expect(await t.store.getPaper(provisional)).toBeUndefined();
    expect(await commentThread(db, provisional)).toEqual([]);
  });
});
