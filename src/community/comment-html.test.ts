import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { type Account, accountForEmail } from '../accounts/accounts.js';
import { deleteComment, editComment, postComment } from './comments.js';
import { COMMENT_RENDERER_VERSION, renderCommentMarkdown } from './markdown.js';
import { commentThread } from './thread.js';

const NOW = new Date('2026-07-01T09:00:00Z');

describe.each(engines)('comment HTML stored at write time on %s', (engine) => {
  let t: TestStore;
  let ada: Account;
  const paperId = '2607.00001';
  const stored = (id: string) =>
    t.db
      .selectFrom('comments')
      .select(['body', 'body_html', 'body_html_version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await freshStore(engine);
    ada = (await accountForEmail(t.db, 'ada@example.org', NOW)).account;
    await t.store.upsertPapers([
      { id: paperId, source: 'hf-daily', title: 'Paper', abstract: 'x', dailyOn: '2026-06-30' },
    ]);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('writes the HTML with the body when a comment is posted, edited and deleted', async () => {
    const db = t.db;
    const id = await postComment(t.store, ada, paperId, { body: 'Let $x_1$ be *new*' }, NOW);
    expect(await stored(id)).toEqual({
      body: 'Let $x_1$ be *new*',
      body_html: renderCommentMarkdown('Let $x_1$ be *new*'),
      body_html_version: COMMENT_RENDERER_VERSION,
    });
    await editComment(db, ada, paperId, id, 'now **bold**', NOW);
    expect((await stored(id)).body_html).toBe('<p>now <strong>bold</strong></p>\n');
    await deleteComment(t.store, ada, paperId, id, NOW);
    expect(await stored(id)).toMatchObject({ body: '', body_html: '' });
  });

  it('stores a body without control characters, keeping its line breaks', async () => {
    const id = await postComment(t.store, ada, paperId, { body: 'a\u0000b\u0001c\r\nd\u009B\tend' }, NOW);
    expect((await stored(id)).body).toBe('abc\nd\tend');
  });

  it('shows the stored HTML rather than rendering the body on each view', async () => {
    const db = t.db;
    const id = await postComment(t.store, ada, paperId, { body: 'plain' }, NOW);
    await db.updateTable('comments').set({ body_html: '<p>as stored</p>\n' }).where('id', '=', id).execute();
    const thread = await commentThread(db, paperId);
    expect(thread.find((c) => c.id === id)?.html).toBe('<p>as stored</p>\n');
  });

  it('renders again, once, a row made before HTML was stored or by an older renderer', async () => {
    const db = t.db;
    const old = await postComment(t.store, ada, paperId, { body: 'from *before*' }, NOW);
    const stale = await postComment(t.store, ada, paperId, { body: 'from an *older* renderer' }, NOW);
    await db.updateTable('comments').set({ body_html: null, body_html_version: 0 }).where('id', '=', old).execute();
    await db
      .updateTable('comments')
      .set({ body_html: 'stale', body_html_version: COMMENT_RENDERER_VERSION - 1 })
      .where('id', '=', stale)
      .execute();
    const thread = await commentThread(db, paperId);
    expect(thread.find((c) => c.id === old)?.html).toBe('<p>from <em>before</em></p>\n');
    expect(thread.find((c) => c.id === stale)?.html).toBe('<p>from an <em>older</em> renderer</p>\n');
    for (const id of [old, stale]) expect((await stored(id)).body_html_version).toBe(COMMENT_RENDERER_VERSION);
  });
});
