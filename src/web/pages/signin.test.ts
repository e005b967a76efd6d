import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../../test/browser-session.js';
import { openTestSite, type TestSite, testDeps } from '../../../test/site.js';
import { startTestSmtp, type TestSmtp } from '../../../test/smtp-server.js';
import { engines, type TestStore } from '../../../test/stores.js';
import { accountForEmail } from '../../accounts/accounts.js';
import { createSession } from '../../accounts/sessions.js';
import { LINKS_PER_ADDRESS } from '../../accounts/signin-links.js';
import { loadConfig } from '../../config/config.js';
import { Signer } from '../../crypto/tokens.js';
import { createDigestRunner, type DigestRunner } from '../../digest/run.js';
import { createSmtpTransport, type MailTransport } from '../../mail/transport.js';
import type { SearchService } from '../../search/search.js';
import { createApp } from '../app.js';
import { formToken } from '../csrf.js';
import { MAX_BODY_BYTES } from '../limits.js';
import { VOTES_PER_IP } from './upvote.js';

const BASE = 'http://paperboy.test';
const SECRET = 'accounts-test-secret-long-enough-for-hmac';
const PAPER = '2607.00001';

describe.each(engines)('accounts and upvotes on %s', (engine) => {
  let site: TestSite;
  let t: TestStore;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let search: SearchService;
  let runner: DigestRunner;
  let app: TestSite['app'];
  let clock = new Date('2026-07-01T09:00:00Z');
  let ips = 0;
  const browser = () => new Browser(app, `10.0.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`);
  const count = async (table: 'sessions' | 'signin_links' | 'accounts' | 'paper_votes') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const paperRow = () => t.db.selectFrom('papers').selectAll().where('id', '=', PAPER).executeTakeFirstOrThrow();

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => clock,
      papers: [
        {
          id: PAPER,
          source: 'hf-daily',
          title: 'Votes in a transaction',
          abstract: 'x',
          dailyOn: '2026-06-30',
          upvotes: 10,
        },
        {
          id: '2607.00002',
          source: 'hf-daily',
          title: 'The paper nobody votes for',
          abstract: 'y',
          dailyOn: '2026-06-30',
          upvotes: 3,
        },
      ],
    });
    ({ t, search, app } = site);
    smtp = await startTestSmtp();
    transport = createSmtpTransport(smtp.url);
    const config = loadConfig({ PAPERBOY_BASE_URL: BASE, SMTP_URL: smtp.url, PAPERBOY_MAIL_RATE: '0' });
    runner = createDigestRunner({ store: t.store, db: t.db, transport, config, secret: SECRET, clock: () => clock });
  });
  afterAll(async () => {
    transport?.close();
    await smtp?.close();
    await site?.close();
  });

  /** Asks for a link in this browser and returns the path of the link that arrives by mail. */
  async function askLink(b: Browser, email: string, next = '/'): Promise<string> {
    const before = smtp.received.length;
    const res = await b.post('/signin', { csrf: await b.csrf('/signin'), email, next });
    expect(res.status).toBe(200);
    await runner.send();
    await smtp.waitFor(before + 1);
    const mail = smtp.received.findLast((m) => m.to === email)!;
    return new RegExp(`${BASE}(/signin/verify\\?token=[\\w%-]+)`).exec(mail.parsed.text ?? '')![1]!;
  }
  async function signIn(email: string): Promise<Browser> {
    const b = browser();
    const link = await askLink(b, email);
    expect((await b.post(link, { csrf: await b.csrf(link) })).status).toBe(303);
    return b;
  }

  it('signs in with the mailed link, once, only in the browser that asked, and only by the button', async () => {
    const b = browser();
    const link = await askLink(b, 'ada@example.org', `/papers/${PAPER}`);
    const page = await b.request(link);
    expect(await page.text()).toContain('Sign in as <strong>ada@example.org</strong>');
    expect(await count('sessions')).toBe(0);

    const other = browser();
    const elsewhere = await other.request(link);
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toContain('Open the link in the browser you asked from');
    expect((await other.post(link, { csrf: await other.csrf('/signin') })).status).toBe(403);

    const done = await b.post(link, { csrf: await b.csrf(link) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/account?welcome=1&next=${encodeURIComponent(`/papers/${PAPER}`)}`);
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('pb_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const stored = await t.db.selectFrom('sessions').select('token_hash').executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toBe(b.cookies.get('pb_session'));

    const home = await b.request('/');
    expect(home.headers.get('cache-control')).toBe('private, no-store');
    expect(await home.text()).toContain('<a class="account" href="/account">@ada</a>');
    expect(await (await browser().request('/')).text()).toContain('<a class="account" href="/signin">Sign in</a>');

    expect((await b.post(link, { csrf: await b.csrf('/account') })).status).toBe(404);
    expect(await count('accounts')).toBe(1);
  });

  it('refuses an expired link', async () => {
    const b = browser();
    const link = await askLink(b, 'late@example.org');
    const csrf = await b.csrf(link);
    clock = new Date(clock.getTime() + 16 * 60_000);
    expect((await b.request(link)).status).toBe(404);
    expect((await b.post(link, { csrf })).status).toBe(404);
    expect(await count('sessions')).toBe(1);
  });

  it('answers the same for known and unknown addresses, and limits requests per address and per IP', async () => {
    const ask = async (email: string) => {
      const b = browser();
      const res = await b.post('/signin', { csrf: await b.csrf('/signin'), email });
      return { status: res.status, html: (await res.text()).replaceAll(email, 'EMAIL') };
    };
    expect(await ask('ada@example.org')).toEqual(await ask('nobody@example.org'));

    const links = async () =>
      Number(
        (
          await t.db
            .selectFrom('signin_links')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('email', '=', 'flood@example.org')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const answers = [];
    for (let i = 0; i < LINKS_PER_ADDRESS + 2; i++) answers.push(await ask('flood@example.org'));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await links()).toBe(LINKS_PER_ADDRESS);
    // Sent at once, from many browsers, the requests for one address still make only LINKS_PER_ADDRESS links.
    const burst = async () =>
      Number(
        (
          await t.db
            .selectFrom('signin_links')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('email', '=', 'burst@example.org')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const asking = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const b = browser();
        return { b, csrf: await b.csrf('/signin') };
      }),
    );
    const burstAnswers = await Promise.all(
      asking.map(({ b, csrf }) => b.post('/signin', { csrf, email: 'burst@example.org' })),
    );
    expect(burstAnswers.every((r) => r.status === 200)).toBe(true);
    expect(await burst()).toBe(LINKS_PER_ADDRESS);

    const b = browser();
    const csrf = await b.csrf('/signin');
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await b.post('/signin', { csrf, email: `ip${i}@example.org` })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('refuses a sign-in form without its CSRF token, and explains a bad address', async () => {
    const b = browser();
    expect((await b.post('/signin', { email: 'x@example.org' })).status).toBe(403);
    expect((await b.post('/signin', { email: 'x@example.org', csrf: 'forged' })).status).toBe(403);
    const bad = await b.post('/signin', { email: 'not-an-address', csrf: await b.csrf('/signin') });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter an email address');
  });

  it('edits the profile with clear errors and unique handles', async () => {
    const a = await signIn('grace@example.org');
    const b = await signIn('alan@example.org');
    const save = async (who: Browser, handle: string, display_name = 'Grace H.') =>
      who.post('/account', { csrf: await who.csrf('/account'), handle, display_name });
    const errorOf = async (res: Response) => {
      expect(res.status).toBe(400);
      return res.text();
    };
    expect(await errorOf(await save(a, 'gh'))).toContain('3 to 30 characters');
    expect(await errorOf(await save(a, 'x'.repeat(31)))).toContain('3 to 30 characters');
    expect(await errorOf(await save(a, 'grace hopper'))).toContain('letters a-z, digits');
    expect(await errorOf(await save(a, 'admin'))).toContain('reserved');
    expect(await errorOf(await save(a, 'grace', ' '))).toContain('Enter a display name');
    expect(await errorOf(await save(a, 'grace', 'g'.repeat(81)))).toContain('at most 80 characters');
    expect((await save(a, '@Grace')).status).toBe(303);
    expect(await (await a.request('/account')).text()).toContain('value="grace"');
    expect(await errorOf(await save(b, 'GRACE', 'Alan'))).toContain('The handle &quot;grace&quot; is taken');
    expect(await (await a.request('/')).text()).toContain('@grace</a>');
    expect((await a.post('/account', { handle: 'other', display_name: 'x' })).status).toBe(403);
    expect((await browser().request('/account')).headers.get('location')).toBe('/signin?next=/account');
  });

  it('signs out, and signs out everywhere', async () => {
    const first = await signIn('linus@example.org');
    const second = browser();
    expect(
      (await second.post(await askLink(second, 'linus@example.org'), { csrf: await second.csrf('/signin') })).status,
    ).toBe(303);
    const third = await signIn('linus@example.org');
    expect((await first.request('/account')).status).toBe(200);
    expect((await first.post('/signout', {})).status).toBe(403);
    expect((await first.post('/signout', { csrf: await first.csrf('/account') })).status).toBe(303);
    expect(first.cookies.has('pb_session')).toBe(false);
    expect((await second.request('/account')).status).toBe(200);
    expect((await second.post('/signout/all', { csrf: await second.csrf('/account') })).status).toBe(303);
    expect((await third.request('/account')).status).toBe(303);
    const account = await t.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', 'linus@example.org')
      .executeTakeFirstOrThrow();
    expect(
      await t.db.selectFrom('sessions').select('token_hash').where('account_id', '=', account.id).execute(),
    ).toEqual([]);
  });

  it('toggles an upvote with a form or fetch, and refuses it signed out or without the CSRF token', async () => {
    const path = `/papers/${PAPER}/upvote`;
    const anonymous = browser();
    const out = await anonymous.post(path, { csrf: '' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(`/papers/${PAPER}`)}`);
    expect((await anonymous.post(path, {}, { accept: 'application/json' })).status).toBe(401);

    const b = await signIn('voter@example.org');
    const page = await (await b.request(`/papers/${PAPER}`)).text();
    const csrf = /name="csrf" value="([^"]+)" data-upvote-csrf/.exec(page)?.[1];
    expect(csrf).toBeTruthy();
    expect(page).toContain(`aria-pressed="false" data-paper="${PAPER}"`);
    expect((await b.post(path, {})).status).toBe(403);
    expect((await b.post(path, { csrf: 'forged' })).status).toBe(403);
    expect(
      (
        await b.post(path, {
          csrf: new Signer('not-our-secret-but-long-enough-000').sign('csrf', b.cookies.get('pb_csrf')!),
        })
      ).status,
    ).toBe(403);
    expect((await paperRow()).community_upvotes).toBe(0);

    const voted = await b.post(path, { csrf: csrf! }, { referer: `${BASE}/day/2026-06-30?page=1` });
    expect(voted.status).toBe(303);
    expect(voted.headers.get('location')).toBe('/day/2026-06-30?page=1');
    const after = await (await b.request(`/papers/${PAPER}`)).text();
    expect(after).toContain(`aria-pressed="true" data-paper="${PAPER}"`);
    expect(after).toContain('<strong data-count="true">11</strong>');
    expect(await (await browser().request(`/papers/${PAPER}`)).text()).not.toContain('aria-pressed="true"');

    const again = await b.post(path, {}, { accept: 'application/json', 'x-csrf-token': csrf! });
    expect(await again.json()).toEqual({ upvoted: false, upvotes: 10 });
    expect(await (await b.post(path, { csrf: csrf! }, { accept: 'application/json' })).json()).toEqual({
      upvoted: true,
      upvotes: 11,
    });
    expect((await b.post('/papers/2607.99999/upvote', { csrf: csrf! })).status).toBe(404);
    expect(await paperRow()).toMatchObject({ upvotes: 10, community_upvotes: 1 });
  });

  it('counts 200 votes from 200 accounts sent at once exactly', async () => {
    const before = await paperRow();
    const signer = new Signer(SECRET);
    const voters = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const { account } = await accountForEmail(t.db, `crowd${i}@example.org`, clock);
        const b = browser();
        b.cookies.set('pb_session', await createSession(t.db, account.id, clock));
        b.cookies.set('pb_csrf', `csrf-${i}`);
        return b;
      }),
    );
    const answers = await Promise.all(
      voters.map((b) =>
        b.post(
          `/papers/${PAPER}/upvote`,
          { csrf: formToken(signer, b.cookies.get('pb_csrf')!, b.cookies.get('pb_session')) },
          { accept: 'application/json' },
        ),
      ),
    );
    expect(answers.map((r) => r.status).every((s) => s === 200)).toBe(true);
    const counts = (
      await Promise.all(answers.map(async (r) => ((await r.json()) as { upvotes: number }).upvotes))
    ).sort((x, y) => x - y);
    expect(new Set(counts).size).toBe(200);
    const after = await paperRow();
    expect(after.community_upvotes).toBe(before.community_upvotes + 200);
    expect(after.upvotes + after.community_upvotes).toBe(counts.at(-1));
    // Accounts younger than an hour weigh a quarter upvote each in trending.
    expect(after.community_points).toBe(before.community_points + 200);
    expect(await count('paper_votes')).toBe(201);
    const other = await t.db
      .selectFrom('papers')
      .select('community_upvotes')
      .where('id', '=', '2607.00002')
      .executeTakeFirstOrThrow();
    expect(other.community_upvotes).toBe(0);
  });
  it("counts one account's 41 clicks sent at once as its vote row says", async () => {
    const before = await paperRow();
    const b = await signIn('clicker@example.org');
    const csrf = formToken(new Signer(SECRET), b.cookies.get('pb_csrf')!, b.cookies.get('pb_session'));
    const answers = await Promise.all(
      Array.from({ length: 41 }, () => b.post(`/papers/${PAPER}/upvote`, { csrf }, { accept: 'application/json' })),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const account = await t.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', 'clicker@example.org')
      .executeTakeFirstOrThrow();
    const rows = await t.db
      .selectFrom('paper_votes')
      .select('points')
      .where('account_id', '=', account.id)
      .where('paper_id', '=', PAPER)
      .execute();
    expect(rows.length).toBeLessThanOrEqual(1);
    const after = await paperRow();
    expect(after.community_upvotes - before.community_upvotes).toBe(rows.length);
    expect(after.community_points - before.community_points).toBe(rows[0]?.points ?? 0);
  });

  it('refuses votes on a hidden paper, past the per-address limit, and bodies past the size limit', async () => {
    const b = await signIn('limits@example.org');
    const csrf = formToken(new Signer(SECRET), b.cookies.get('pb_csrf')!, b.cookies.get('pb_session'));
    const vote = (id: string) => b.post(`/papers/${id}/upvote`, { csrf }, { accept: 'application/json' });

    await t.db.updateTable('papers').set({ hidden_at: clock.toISOString() }).where('id', '=', '2607.00002').execute();
    const hidden = await vote('2607.00002');
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual({ error: 'There is no paper 2607.00002.' });
    await t.db.updateTable('papers').set({ hidden_at: null }).where('id', '=', '2607.00002').execute();
    expect(
      (
        await t.db
          .selectFrom('papers')
          .select('community_upvotes')
          .where('id', '=', '2607.00002')
          .executeTakeFirstOrThrow()
      ).community_upvotes,
    ).toBe(0);

    const huge = await b.post(`/papers/${PAPER}/upvote`, { csrf, padding: 'x'.repeat(MAX_BODY_BYTES) });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('too large');

    // The hidden-paper try counted (the oversized one was refused before): VOTES_PER_IP - 1 votes are left.
    const before = await paperRow();
    for (let i = 0; i < VOTES_PER_IP - 2; i++) expect((await vote(PAPER)).status).toBe(200);
    expect(await paperRow()).toMatchObject({ community_upvotes: before.community_upvotes });
    expect((await vote(PAPER)).status).toBe(200);
    const last = await paperRow();
    const over = await vote(PAPER);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await over.json()) as { error: string }).error).toMatch(/^Too many votes from your address/);
    expect(await paperRow()).toMatchObject({ community_upvotes: last.community_upvotes });
    // Another address still votes.
    const other = await signIn('limits2@example.org');
    expect(
      (
        await other.post(
          `/papers/${PAPER}/upvote`,
          { csrf: formToken(new Signer(SECRET), other.cookies.get('pb_csrf')!, other.cookies.get('pb_session')) },
          { accept: 'application/json' },
        )
      ).status,
    ).toBe(200);
  });

  it('marks every cookie Secure, HttpOnly and SameSite=Lax when the site is served over https', async () => {
    const secureBase = 'https://paperboy.test';
    const secure = createApp(
      testDeps(t, search, { baseUrl: secureBase, trustProxy: true }, { secret: SECRET, clock: () => clock }),
    );
    const b = new Browser(secure, '10.8.0.1');
    const set: string[] = [];
    const collect = (res: Response) => {
      set.push(...res.headers.getSetCookie());
      return res;
    };
    const form = await collect(await b.request('/signin')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
    const before = smtp.received.length;
    expect(collect(await b.post('/signin', { csrf, email: 'secure@example.org', next: '/' })).status).toBe(200);
    await runner.send();
    await smtp.waitFor(before + 1);
    const mail = smtp.received.findLast((m) => m.to === 'secure@example.org')!;
    const link = new RegExp(`${secureBase}(/signin/verify\\?token=[\\w%-]+)`).exec(mail.parsed.text ?? '')![1]!;
    expect(collect(await b.post(link, { csrf })).status).toBe(303);
    const names = new Set(set.map((line) => line.split('=')[0]));
    expect([...names].sort()).toEqual(['pb_csrf', 'pb_signin', 'pb_session'].sort());
    for (const line of set.filter((l) => !/max-age=0/i.test(l))) {
      expect(line).toMatch(/; Secure(;|$)/);
      expect(line).toMatch(/; HttpOnly(;|$)/);
      expect(line).toMatch(/; SameSite=Lax(;|$)/);
    }
    // Form tokens are bound to the session: the one from before signing in no longer passes, a fresh one does.
    expect((await b.post('/signout', { csrf })).status).toBe(403);
    expect((await b.post('/signout', { csrf: await b.csrf('/account') })).status).toBe(303);
  });

  it('offers a signed-in reader the digest with their account address, privately', async () => {
    const b = await signIn('grace@example.org');
    const page = await b.request('/subscribe');
    expect(page.headers.get('cache-control')).toContain('no-store');
    expect(await page.text()).toContain('value="grace@example.org"');
    expect(await (await browser().request('/subscribe')).text()).not.toContain('grace@example.org');
  });
});
