import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDay } from '../../../test/arxiv-fixtures.js';
import { Browser, signedInBrowser } from '../../../test/browser-session.js';
import { openTestSite, type TestSite } from '../../../test/site.js';
import { engines, type TestStore } from '../../../test/stores.js';
import type { Role } from '../../accounts/accounts.js';
import { BODY_MAX, COMMENTS_PER_WINDOW, EDIT_GRACE_MINUTES } from '../../community/comments.js';
import { Signer } from '../../crypto/tokens.js';
import { auditEntries } from '../../store/audit.js';
import { COMMENT_WRITES_PER_IP } from './comment-actions.js';

const BASE = 'http://paperboy.test';
const SECRET = 'comments-test-secret-long-enough-for-hmac';
const DAY = '2026-07-01';
/** Real papers of a daily arXiv listing, one per test so that counts and threads start empty. */
const PAPERS = readDay('2026-07-01.jsonl').slice(0, 12);

describe.each(engines)('comments on the paper page on %s', (engine) => {
  let site: TestSite;
  let t: TestStore;
  let app: TestSite['app'];
  let clock = new Date('2026-07-01T12:00:00Z');
  let ips = 0;
  let people = 0;
  let papers = 0;
  const nextPaper = () => PAPERS[papers++]!.id;
  const reader = async (role?: Role) =>
    (
      await signedInBrowser(app, t.db, {
        email: `reader${people++}@example.org`,
        ip: `10.2.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`,
        now: clock,
        ...(role ? { role } : {}),
      })
    ).browser;
  const anonymous = () => new Browser(app, `10.3.0.${(ips++ % 250) + 1}`);
  const html = async (b: Browser, id: string) => (await b.request(`/papers/${id}`)).text();
  /** The CSRF field of the comment forms on a page (filled in only for a signed-in reader). */
  const csrfOf = (page: string) => /name="csrf" value="([^"]*)" data-csrf/.exec(page)?.[1] ?? '';
  const comment = async (b: Browser, id: string, body: string, parent?: string) =>
    b.post(`/papers/${id}/comments`, { csrf: csrfOf(await html(b, id)), body, ...(parent ? { parent } : {}) });
  const idOf = (res: Response) => /#comment-([\w-]+)$/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
  const act = async (b: Browser, id: string, commentId: string, action: string, fields: Record<string, string> = {}) =>
    b.post(`/papers/${id}/comments/${commentId}/${action}`, { csrf: csrfOf(await html(b, id)), ...fields });
  const paperRow = (id: string) => t.db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const storedComments = (id: string) =>
    t.db.selectFrom('comments').selectAll().where('paper_id', '=', id).orderBy('created_at').execute();

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => clock,
      papers: PAPERS.map((p, i) => ({
        id: p.id,
        source: 'hf-daily' as const,
        title: p.title,
        abstract: p.summary,
        authors: p.authors,
        dailyOn: DAY,
        upvotes: i,
        numComments: i === 0 ? 2 : 0,
      })),
    });
    ({ t, app } = site);
  });
  afterAll(() => site?.close());

  it('shows the discussion to everyone, forms to signed-in readers, and threads replies under their comment', async () => {
    const id = nextPaper();
    const visitor = anonymous();
    const before = await visitor.request(`/papers/${id}`);
    expect(before.headers.get('cache-control')).toBe('public, max-age=60');
    const outside = await before.text();
    expect(outside).toContain(
      `<a href="/signin?next=${encodeURIComponent(`/papers/${id}`)}">Sign in</a> to join the discussion.`,
    );
    expect(outside).toContain('No comments yet.');
    expect(outside).not.toContain('<textarea');
    const refused = await visitor.post(`/papers/${id}/comments`, { csrf: '', body: 'hello' });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(`/papers/${id}`)}`);

    const ada = await reader();
    const own = await ada.request(`/papers/${id}`);
    expect(own.headers.get('cache-control')).toBe('private, no-store');
    expect(csrfOf(await own.text())).not.toBe('');
    const posted = await comment(ada, id, 'Is *this* the bound $O(n \\log n)$?');
    expect(posted.status).toBe(303);
    const first = idOf(posted);
    expect(posted.headers.get('location')).toBe(`/papers/${id}#comment-${first}`);

    const bob = await reader();
    const tick = () => {
      clock = new Date(clock.getTime() + 60_000);
    };
    tick();
    const reply = idOf(await comment(bob, id, 'Yes, see section 3.', first));
    tick();
    const later = idOf(await comment(bob, id, 'A second thought.'));
    const page = await html(anonymous(), id);
    expect(page).toContain('3 comments');
    expect(page).toContain('Is <em>this</em> the bound <math>');
    expect(page).not.toContain('$O(n');
    // The reply sits in the first comment's list of replies; the later comment follows at the top level.
    const order = [first, reply, later].map((c) => page.indexOf(`id="comment-${c}"`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(page.slice(order[0]!, order[1]!)).toContain('<ol class="comments"><li class="comment"');
    expect(page).not.toMatch(/<summary>(Reply|Edit|Delete|Report)<\/summary>/);

    const asBob = await html(bob, id);
    const firstBlock = asBob.slice(asBob.indexOf(`id="comment-${first}"`), asBob.indexOf(`id="comment-${reply}"`));
    expect(firstBlock).toContain('<summary>Reply</summary>');
    expect(firstBlock).toContain('<summary>Report</summary>');
    expect(firstBlock).not.toContain('<summary>Edit</summary>');
    expect(firstBlock).not.toContain('<summary>Delete</summary>');
    const asAda = await html(ada, id);
    expect(asAda.slice(asAda.indexOf(`id="comment-${first}"`))).toMatch(
      /^[\s\S]*?<summary>Edit<\/summary>[\s\S]*?<summary>Delete<\/summary>/,
    );
    expect(asAda).not.toContain('value="" data-csrf');

    const row = await paperRow(id);
    expect(row.community_comments).toBe(3);
    const day = await (await anonymous().request(`/day/${DAY}`)).text();
    expect(day).toContain(
      `<a class="stat comments" href="/papers/${id}#comments">5 <span class="vh">comments</span></a>`,
    );
  });

  it('moves the paper up in trending as comments arrive', async () => {
    const id = nextPaper();
    const before = (await paperRow(id)).trending;
    const b = await reader();
    await comment(b, id, 'Interesting.');
    const after = await paperRow(id);
    expect(after.community_comments).toBe(1);
    expect(after.trending).toBeGreaterThan(before);
  });

  it('refuses a missing or forged CSRF token', async () => {
    const id = nextPaper();
    const b = await reader();
    const forged = new Signer('not-our-secret-but-long-enough-000').sign('csrf', b.cookies.get('pb_csrf') ?? 'x');
    for (const csrf of [undefined, 'forged', forged]) {
      const res = await b.post(`/papers/${id}/comments`, { body: 'hello', ...(csrf === undefined ? {} : { csrf }) });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('This form has expired. Go back, reload the page and send it again.');
    }
    expect(await storedComments(id)).toEqual([]);
  });

  it('renders hostile Markdown inert and never lets a comment fill in a CSRF token', async () => {
    const id = nextPaper();
    const b = await reader();
    const hostile = [
      '<script>alert(1)</script>',
      '[x](javascript:alert(1))',
      '<img src=x onerror=alert(1)>',
      '![pixel](https://evil.example/p.png)',
      '<a href="javascript:alert(2)">raw</a>',
      '$\\href{javascript:alert(3)}{m}$',
      'value="" data-csrf',
      '<iframe src="https://evil.example">',
    ].join('\n\n');
    expect((await comment(b, id, hostile)).status).toBe(303);
    for (const viewer of [anonymous(), b, await reader()]) {
      const page = await html(viewer, id);
      const section = page.slice(page.indexOf('id="comments"'), page.indexOf('</section>'));
      expect(section).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(section).not.toMatch(/<(script|img|iframe)\b|<[a-z][^>]*\s(on[a-z]+=|href="javascript:)/i);
      expect(section).toContain('[x](javascript:alert(1))');
      expect(section).toContain('!<a href="https://evil.example/p.png" rel="nofollow ugc noopener">pixel</a>');
      expect(section).toContain('<p>value=&quot;&quot; data-csrf</p>');
    }
  });

  it('lets the author edit within the grace period, then refuses with a clear message', async () => {
    const id = nextPaper();
    const ada = await reader();
    const c = idOf(await comment(ada, id, 'Teh result'));
    expect((await act(await reader(), id, c, 'edit', { body: 'vandalised' })).status).toBe(403);
    clock = new Date(clock.getTime() + (EDIT_GRACE_MINUTES - 1) * 60_000);
    const edited = await act(ada, id, c, 'edit', { body: 'The result' });
    expect(edited.status).toBe(303);
    expect(edited.headers.get('location')).toBe(`/papers/${id}#comment-${c}`);
    const page = await html(anonymous(), id);
    expect(page).toContain('<p>The result</p>');
    expect(page).toContain(' · edited');

    clock = new Date(clock.getTime() + 2 * 60_000);
    expect(await html(ada, id)).not.toContain('<summary>Edit</summary>');
    const late = await act(ada, id, c, 'edit', { body: 'Too late' });
    expect(late.status).toBe(403);
    expect(await late.text()).toContain(
      `A comment can be edited for ${EDIT_GRACE_MINUTES} minutes after it is posted, and this one is older.`,
    );
    expect((await storedComments(id))[0]!.body).toBe('The result');
  });

  it('deletes a comment for its author only, keeping "[deleted]" above its replies', async () => {
    const id = nextPaper();
    const ada = await reader();
    const bob = await reader();
    const c = idOf(await comment(ada, id, 'A claim I regret'));
    await comment(bob, id, 'Are you sure?', c);
    const refused = await act(bob, id, c, 'delete');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Only its author can delete a comment.');
    const done = await act(ada, id, c, 'delete');
    expect(done.status).toBe(303);
    const page = await html(anonymous(), id);
    expect(page).not.toContain('A claim I regret');
    expect(page).toContain('<p class="removed">[deleted]</p>');
    expect(page).toContain('Are you sure?');
    expect(page).toContain('1 comment<');
    expect((await storedComments(id))[0]).toMatchObject({ body: '', deleted_at: clock.toISOString() });
  });

  it('takes one report per reader and comment', async () => {
    const id = nextPaper();
    const c = idOf(await comment(await reader(), id, 'Visit my shop'));
    const bob = await reader();
    const noReason = await act(bob, id, c, 'report', { reason: '', detail: '' });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('Choose a reason for the report');
    const tooLong = await act(bob, id, c, 'report', { reason: 'other', detail: 'x'.repeat(501) });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('at most 500 characters');
    const reported = await act(bob, id, c, 'report', { reason: 'spam', detail: 'an ad' });
    expect(reported.status).toBe(200);
    expect(await reported.text()).toContain('The curators will look at this comment.');
    const again = await act(bob, id, c, 'report', { reason: 'spam', detail: '' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('You have already reported this comment');
    const reports = await t.db.selectFrom('comment_reports').select(['reason']).where('comment_id', '=', c).execute();
    expect(reports).toEqual([{ reason: 'spam: an ad' }]);
    expect(await html(await reader('curator'), id)).toContain('1 open report');
  });

  it('lets a curator hide a comment (audited) and refuses a member', async () => {
    const id = nextPaper();
    const spam = idOf(await comment(await reader(), id, 'Cheap watches'));
    const member = await reader();
    await comment(member, id, 'Please hide this.', spam);
    const refused = await act(member, id, spam, 'hide');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Only curators can hide or show comments.');
    expect(await auditEntries(t.db, { targetId: spam })).toEqual([]);

    const curator = await reader('curator');
    const hidden = await act(curator, id, spam, 'hide');
    expect(hidden.status).toBe(303);
    const audit = await auditEntries(t.db, { targetType: 'comment', targetId: spam });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'comment.hide', detail: { paperId: id } });
    expect((await paperRow(id)).community_comments).toBe(1);
    const outside = await html(anonymous(), id);
    expect(outside).not.toContain('Cheap watches');
    expect(outside).toContain('[hidden by a curator]');
    const asCurator = await html(curator, id);
    expect(asCurator).toContain('Cheap watches');
    expect(asCurator).toContain('>Show again</button>');

    clock = new Date(clock.getTime() + 60_000);
    expect((await act(curator, id, spam, 'unhide')).status).toBe(303);
    expect(await html(anonymous(), id)).toContain('Cheap watches');
    expect((await auditEntries(t.db, { targetId: spam })).map((a) => a.action)).toEqual([
      'comment.unhide',
      'comment.hide',
    ]);
  });

  it('refuses new comments and replies on a locked paper, saying so', async () => {
    const id = nextPaper();
    const ada = await reader();
    const c = idOf(await comment(ada, id, 'Before the lock'));
    const csrf = csrfOf(await html(ada, id));
    await t.db.updateTable('papers').set({ comments_locked_at: clock.toISOString() }).where('id', '=', id).execute();
    const page = await html(ada, id);
    expect(page).toContain('A curator has locked this discussion');
    expect(page).toContain('Before the lock');
    expect(page).not.toContain('Add to the discussion');
    expect(page).not.toContain('<summary>Reply</summary>');
    for (const fields of [{ body: 'After' }, { body: 'Reply', parent: c }] as Record<string, string>[]) {
      const res = await ada.post(`/papers/${id}/comments`, { csrf, ...fields });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('A curator has locked the discussion of this paper');
    }
    expect(await storedComments(id)).toHaveLength(1);
  });

  it('explains an empty or too long comment and gives the text back', async () => {
    const id = nextPaper();
    const b = await reader();
    const empty = await comment(b, id, '   ');
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('The comment is empty. Write something, then post it.');
    const long = `${'A long proof. '.repeat(800)}`.slice(0, BODY_MAX + 5);
    const tooLong = await comment(b, id, long);
    expect(tooLong.status).toBe(400);
    const text = await tooLong.text();
    expect(text).toContain(`A comment can be at most 10,000 characters; this one has 10,005.`);
    expect(text).toContain(`${long.trim().slice(0, 200)}`);
    expect(csrfOf(text)).not.toBe('');
    expect(await storedComments(id)).toEqual([]);
  });

  it(`limits comments to ${COMMENTS_PER_WINDOW} per account per window and writes per address`, async () => {
    const id = nextPaper();
    const b = await reader();
    const csrf = csrfOf(await html(b, id));
    const statuses = [];
    for (let i = 0; i < COMMENTS_PER_WINDOW; i++)
      statuses.push((await b.post(`/papers/${id}/comments`, { csrf, body: `#${i}` })).status);
    expect(statuses.every((s) => s === 303)).toBe(true);
    const limited = await b.post(`/papers/${id}/comments`, { csrf, body: 'one more' });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain(`You have posted ${COMMENTS_PER_WINDOW} comments in the last 10 minutes.`);

    const flood = await reader();
    const token = csrfOf(await html(flood, id));
    const answers = [];
    for (let i = 0; i < COMMENT_WRITES_PER_IP; i++)
      answers.push((await flood.post(`/papers/${id}/comments`, { csrf: token, body: '' })).status);
    expect(answers.every((s) => s === 400)).toBe(true);
    const blocked = await flood.post(`/papers/${id}/comments`, { csrf: token, body: '' });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });
});
