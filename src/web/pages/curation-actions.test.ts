import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signedInBrowser } from '../../../test/browser-session.js';
import { openTestSite, type TestSite } from '../../../test/site.js';
import { engines, type TestStore } from '../../../test/stores.js';
import { type Account, getAccount, type Role } from '../../accounts/accounts.js';
import type { SearchService } from '../../search/search.js';
import { auditEntries } from '../../store/audit.js';
import { SIGN_IN_LINK } from '../layout.js';
import { CURATION_WRITES_PER_IP } from './curation-actions.js';

const BASE = 'http://paperboy.test';
const SECRET = 'curation-test-secret-long-enough-for-hmac';
const DAY = '2026-06-30';
const GOOD = '2606.00001';
const SPAM = '2606.00002';
const EARLIER = '2606.00003';

describe.each(engines)('curation and moderation on the site, %s', (engine) => {
  let site: TestSite;
  let t: TestStore;
  let search: SearchService;
  let app: TestSite['app'];
  const clock = new Date('2026-07-01T09:00:00Z');
  let ips = 0;
  let emails = 0;
  const anonymous = () => new Browser(app, `10.1.0.${++ips}`);
  const as = async (role: Role): Promise<{ browser: Browser; account: Account }> =>
    signedInBrowser(app, t.db, { email: `${role}${emails++}@example.org`, ip: `10.2.0.${++ips}`, role, now: clock });
  const html = async (b: Browser, path: string) => {
    const res = await b.request(path);
    return { status: res.status, text: await res.text(), cache: res.headers.get('cache-control') };
  };
  const curate = async (b: Browser, id: string, fields: Record<string, string>) =>
    b.post(`/papers/${id}/curate`, { csrf: await b.csrf(`/papers/${EARLIER}`), ...fields });
  const row = (id: string) => t.db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => clock,
      papers: [
        {
          id: GOOD,
          source: 'hf-daily',
          title: 'Sparse attention for small models',
          abstract: 'We study attention.',
          dailyOn: DAY,
          upvotes: 5,
        },
        {
          id: SPAM,
          source: 'hf-daily',
          title: 'Zorblax watches at low prices',
          abstract: 'Buy zorblax watches now.',
          dailyOn: DAY,
          upvotes: 50,
        },
        {
          id: EARLIER,
          source: 'hf-daily',
          title: 'Quiet results from the day before',
          abstract: 'Earlier work.',
          dailyOn: '2026-06-29',
          upvotes: 1,
        },
      ],
    });
    ({ t, search, app } = site);
  });
  afterAll(() => site?.close());

  it('shows curator tools to curators only, never in pages rendered for everyone', async () => {
    const curator = await as('curator');
    const mine = await html(curator.browser, `/papers/${GOOD}`);
    expect(mine.text).toContain('Curator tools');
    expect(mine.text).toContain(`action="/papers/${GOOD}/curate"`);
    expect(mine.cache).toBe('private, no-store');
    for (const b of [anonymous(), (await as('member')).browser]) {
      const page = await html(b, `/papers/${GOOD}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('Curator tools');
      expect(page.text).not.toContain('/curate');
    }
    expect((await html(curator.browser, `/day/${DAY}`)).text).not.toContain('/curate');
    expect((await html(curator.browser, '/account')).text).toContain('<a href="/admin">');
    expect((await html((await as('member')).browser, '/account')).text).not.toContain('/admin');
  });

  it('limits curation writes per address', async () => {
    const curator = await as('curator');
    const csrf = await curator.browser.csrf(`/papers/${GOOD}`);
    const statuses: number[] = [];
    for (let i = 0; i <= CURATION_WRITES_PER_IP; i++)
      statuses.push((await curator.browser.post(`/papers/${GOOD}/curate`, { csrf, change: 'nothing' })).status);
    expect(statuses.slice(0, CURATION_WRITES_PER_IP).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('refuses a member, a signed-out visitor and a forged token, and changes nothing', async () => {
    const member = await as('member');
    const refused = await curate(member.browser, SPAM, { change: 'hide' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Only curators and admins can hide papers');
    const curator = await as('curator');
    expect((await curator.browser.post(`/papers/${SPAM}/curate`, { csrf: 'forged', change: 'hide' })).status).toBe(403);
    expect((await curator.browser.post(`/papers/${SPAM}/curate`, { change: 'hide' })).status).toBe(403);
    const out = await anonymous().post(`/papers/${SPAM}/curate`, { change: 'hide' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toMatch(/^\/signin\?next=/);
    expect((await row(SPAM)).hidden_at).toBeNull();
    expect(await auditEntries(t.db, { targetId: SPAM })).toEqual([]);
  });

  it('hides a paper from the feed, the API, search and RSS; its page is 404 but for curators, who can unhide it', async () => {
    const visitor = anonymous();
    const apiIds = async (path: string) =>
      ((await (await visitor.request(path)).json()) as { id?: string; paper?: { id: string } }[]).map(
        (p) => p.id ?? p.paper!.id,
      );
    // Rendered (and kept) before the change: the cache must let go of them.
    expect((await html(visitor, `/day/${DAY}`)).text).toContain('Zorblax watches');
    expect((await html(visitor, '/')).text).toContain('Zorblax watches');
    expect(await apiIds('/api/papers/search?q=zorblax')).toContain(SPAM);
    expect((await html(visitor, '/feed.rss')).text).toContain('Zorblax watches');

    const curator = await as('curator');
    const done = await curate(curator.browser, SPAM, { change: 'hide' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/papers/${SPAM}`);
    expect(await auditEntries(t.db, { targetId: SPAM })).toMatchObject([
      { actorId: curator.account.id, action: 'paper.hide' },
    ]);
    await search.settled();

    for (const path of [
      `/day/${DAY}`,
      '/',
      '/feed.rss',
      '/feed.atom',
      '/search?q=zorblax+watches',
      `/month/${DAY.slice(0, 7)}`,
    ]) {
      const page = await html(visitor, path);
      expect(page.text, path).not.toContain('Zorblax');
    }
    expect((await html(visitor, `/day/${DAY}`)).text).toContain('Sparse attention');
    expect(await apiIds('/api/papers/search?q=zorblax')).toEqual([]);
    expect(await apiIds('/api/papers')).not.toContain(SPAM);
    expect(await apiIds(`/api/daily_papers?date=${DAY}`)).toEqual([GOOD]);
    expect((await visitor.request(`/api/papers/${SPAM}`)).status).toBe(404);
    expect((await html(visitor, `/papers/${SPAM}`)).status).toBe(404);
    expect((await html((await as('member')).browser, `/papers/${SPAM}`)).status).toBe(404);

    const seen = await html(curator.browser, `/papers/${SPAM}`);
    expect(seen.status).toBe(200);
    expect(seen.text).toContain('<strong>Hidden</strong> by a curator');

    const admin = await html(curator.browser, '/admin');
    expect(admin.text).toContain(`href="/papers/${SPAM}"`);
    const unhide = await curator.browser.post(`/papers/${SPAM}/curate`, {
      csrf: await curator.browser.csrf('/admin'),
      change: 'unhide',
      next: '/admin',
    });
    expect(unhide.headers.get('location')).toBe('/admin');
    expect((await html(visitor, `/day/${DAY}`)).text).toContain('Zorblax watches');
    expect((await html(visitor, `/papers/${SPAM}`)).status).toBe(200);
  });

  it("features a paper on a day: a section of that day's page and a tag on the paper; and locks a thread", async () => {
    const visitor = anonymous();
    expect((await html(visitor, `/day/${DAY}`)).text).not.toContain('Featured by curators');
    const curator = await as('curator');
    expect((await curate(curator.browser, EARLIER, { change: 'feature', day: 'someday' })).status).toBe(400);
    expect((await curate(curator.browser, EARLIER, { change: 'feature', day: DAY })).status).toBe(303);

    const day = (await html(visitor, `/day/${DAY}`)).text;
    const section = day.slice(
      day.indexOf('Featured by curators'),
      day.indexOf('</section>', day.indexOf('Featured by curators')),
    );
    expect(section).toContain('Quiet results from the day before');
    expect(section).not.toContain('Sparse attention');
    expect((await html(visitor, `/papers/${EARLIER}`)).text).toContain('Featured on');
    expect((await html(visitor, '/day/2026-06-29')).text).not.toContain('Featured by curators');
    expect(await (await visitor.request(`/api/papers/${EARLIER}`)).json()).toMatchObject({
      id: EARLIER,
      featuredOn: DAY,
    });
    expect(await (await visitor.request(`/api/papers/${GOOD}`)).json()).toMatchObject({ id: GOOD, featuredOn: null });

    expect((await curate(curator.browser, EARLIER, { change: 'lock' })).status).toBe(303);
    expect((await row(EARLIER)).comments_locked_at).toBe(clock.toISOString());
    expect((await auditEntries(t.db, { targetId: EARLIER })).map((e) => e.action).sort()).toEqual([
      'paper.feature',
      'paper.lock',
    ]);
    expect((await html(curator.browser, `/papers/${EARLIER}`)).text).toContain('Unlock the discussion');
  });

  it('lets an admin ban an account: its browser is signed out at once and its sign-in links no longer work', async () => {
    const admin = await as('admin');
    const member = await as('member');
    expect((await html(member.browser, '/')).text).not.toContain(SIGN_IN_LINK);

    const curator = await as('curator');
    const byCurator = await curator.browser.post(`/admin/accounts/${member.account.id}/ban`, {
      csrf: await curator.browser.csrf('/admin'),
    });
    expect(byCurator.status).toBe(403);
    expect((await getAccount(t.db, member.account.id))?.bannedAt).toBeNull();
    expect((await admin.browser.post(`/admin/accounts/${member.account.id}/ban`, { csrf: 'forged' })).status).toBe(403);

    const page = await html(admin.browser, '/admin');
    expect(page.text).toContain(`action="/admin/accounts/${member.account.id}/ban"`);
    const banned = await admin.browser.post(`/admin/accounts/${member.account.id}/ban`, {
      csrf: await admin.browser.csrf('/admin'),
    });
    expect(banned.status).toBe(303);
    expect((await html(member.browser, '/')).text).toContain(SIGN_IN_LINK);
    const sessions = await t.db
      .selectFrom('sessions')
      .select('token_hash')
      .where('account_id', '=', member.account.id)
      .execute();
    expect(sessions).toEqual([]);
    expect(await auditEntries(t.db, { targetId: member.account.id })).toMatchObject([
      { actorId: admin.account.id, action: 'account.ban' },
    ]);

    // A link asked for after the ban signs nobody in.
    const b = anonymous();
    expect((await b.post('/signin', { csrf: await b.csrf('/signin'), email: member.account.email })).status).toBe(200);
    const mail = await t.db
      .selectFrom('outbox')
      .select('text')
      .where('recipient', '=', member.account.email)
      .executeTakeFirstOrThrow();
    const link = /http:\/\/paperboy\.test(\/signin\/verify\?token=[\w%-]+)/.exec(mail.text)![1]!;
    const use = await b.post(link, { csrf: await b.csrf(link) });
    expect(use.status).toBe(403);
    expect(await use.text()).toContain('banned');
    expect(
      await t.db.selectFrom('sessions').select('token_hash').where('account_id', '=', member.account.id).execute(),
    ).toEqual([]);
  });

  it('refuses to demote the last admin or ban an admin, and keeps the admin page to curators and admins', async () => {
    await t.db.updateTable('accounts').set({ role: 'member' }).where('role', '=', 'admin').execute();
    const admin = await as('admin');
    const csrf = await admin.browser.csrf('/admin');
    const demote = await admin.browser.post(`/admin/accounts/${admin.account.id}/role`, { csrf, role: 'member' });
    expect(demote.status).toBe(409);
    expect(await demote.text()).toContain('is the last admin');
    expect((await getAccount(t.db, admin.account.id))?.role).toBe('admin');

    const other = await as('member');
    expect((await admin.browser.post(`/admin/accounts/${other.account.id}/role`, { csrf, role: 'admin' })).status).toBe(
      303,
    );
    expect((await admin.browser.post(`/admin/accounts/${other.account.id}/ban`, { csrf })).status).toBe(409);
    expect(
      (await admin.browser.post(`/admin/accounts/${admin.account.id}/role`, { csrf, role: 'curator' })).status,
    ).toBe(303);
    expect((await getAccount(t.db, admin.account.id))?.role).toBe('curator');

    expect((await html((await as('member')).browser, '/admin')).status).toBe(403);
    const out = await anonymous().request('/admin');
    expect(out.status).toBe(303);
    const curator = await html((await as('curator')).browser, '/admin');
    expect(curator.status).toBe(200);
    expect(curator.text).toContain('Audit log');
    expect(curator.text).not.toContain('/admin/accounts/');
    expect(curator.text).not.toContain('@example.org');
  });

  it('lists open comment reports with a link to the comment', async () => {
    const author = await as('member');
    const reporter = await as('member');
    const at = clock.toISOString();
    await t.db
      .insertInto('comments')
      .values({
        id: 'c-spam',
        paper_id: GOOD,
        account_id: author.account.id,
        parent_id: null,
        body: 'Visit <script>evil</script> now',
        created_at: at,
        edited_at: null,
        deleted_at: null,
        hidden_at: null,
      })
      .execute();
    await t.db
      .insertInto('comment_reports')
      .values({
        comment_id: 'c-spam',
        account_id: reporter.account.id,
        reason: 'spam',
        created_at: at,
        resolved_at: null,
      })
      .execute();
    const page = (await html((await as('curator')).browser, '/admin')).text;
    expect(page).toContain(`href="/papers/${GOOD}#comment-c-spam"`);
    expect(page).toContain('Visit &lt;script&gt;evil&lt;/script&gt; now');
    expect(page).toContain(`reported by @${reporter.account.handle}`);
  });
});
