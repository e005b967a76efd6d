import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signedInBrowser } from '../../test/browser-session.js';
import { openTestSite, type TestSite } from '../../test/site.js';
import { engines, type TestStore } from '../../test/stores.js';
import { accountForEmail } from '../accounts/accounts.js';
import { createApiToken } from '../accounts/api-tokens.js';
import { postComment } from '../community/comments.js';
import { Signer } from '../crypto/tokens.js';
import { SUBSCRIBER_TOKEN } from '../digest/links.js';
import { confirm, subscribe } from '../digest/subscribers.js';
import { addPaper, createCollection } from '../library/collections.js';
import { DEFAULT_PREFERENCES } from './pages/subscribe-form.js';

const BASE = 'http://paperboy.test';
const SECRET = 'forms-test-secret-long-enough-for-the-hmac';
const PAPER = '2606.00001';

/**
 * Every form of the site refuses a post without its CSRF token or with a forged one, and changes nothing: checked for
 * every POST route the app has, by an admin (so that no role check answers first).
 */
describe.each(engines)('forms on %s', (engine) => {
  let site: TestSite;
  let t: TestStore;
  let app: TestSite['app'];
  const clock = new Date('2026-07-01T09:00:00Z');

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => clock,
      papers: [
        {
          id: PAPER,
          source: 'hf-daily',
          title: 'Tokens on every form',
          abstract: 'x',
          dailyOn: '2026-06-30',
          upvotes: 1,
        },
      ],
    });
    ({ t, app } = site);
  });
  afterAll(() => site?.close());

  /** What a forged post could change: every table a form writes to, by its row count, and the tables' contents hashed. */
  async function state(): Promise<string> {
    const db = t.db;
    const tables = [
      'accounts',
      'sessions',
      'signin_links',
      'paper_votes',
      'comments',
      'comment_reports',
      'audit_log',
      'subscribers',
      'subscriber_alerts',
      'api_tokens',
      'collections',
      'collection_papers',
      'not_interested',
      'for_you_settings',
    ] as const;
    const out: unknown[] = [];
    for (const table of tables) out.push(table, await db.selectFrom(table).selectAll().execute());
    out.push(await db.selectFrom('papers').selectAll().orderBy('id').execute());
    return JSON.stringify(out);
  }

  it('refuses every POST route without a token, or with a forged one, and changes nothing', async () => {
    const { browser: admin, account } = await signedInBrowser(app, t.db, {
      email: 'admin@example.org',
      ip: '10.9.0.1',
      role: 'admin',
      now: clock,
    });
    const { account: member } = await accountForEmail(t.db, 'member@example.org', clock);
    const comment = await postComment(t.store, account, PAPER, { body: 'A comment to act on.' }, clock);
    const one = `/papers/${PAPER}/comments/${comment}`;
    const ONE = '/papers/:id{.+}/comments/:comment{[A-Za-z0-9_-]+}';
    // Forms behind a mailed link: a real link each, so that only the token can be what refuses them.
    const pending = await subscribe(t.db, 'pending@example.org', DEFAULT_PREFERENCES, clock);
    if (pending.kind !== 'confirm') throw new Error(`expected a confirmation link, got ${pending.kind}`);
    const other = await subscribe(t.db, 'confirmed@example.org', DEFAULT_PREFERENCES, clock);
    if (other.kind !== 'confirm') throw new Error(`expected a confirmation link, got ${other.kind}`);
    const confirmed = (await confirm(t.db, other.token, clock))!;
    const apiToken = await createApiToken(t.db, account.id, { name: 'a token to revoke', scope: 'read' }, clock);
    const collection = await createCollection(t.db, account.id, { name: 'Reading group' }, clock);
    await addPaper(t.db, account.id, collection.id, PAPER, clock);
    const COL = '/library/:id{[A-Za-z0-9_-]+}';
    const col = `/library/${collection.id}`;
    const posts: Record<string, [string, Record<string, string>]> = {
      '/signin': ['/signin', { email: 'someone@example.org', next: '/' }],
      '/signin/verify': ['/signin/verify', { token: 'x' }],
      '/signout': ['/signout', {}],
      '/signout/all': ['/signout/all', {}],
      '/account': ['/account', { handle: 'forged', display_name: 'Forged' }],
      '/account/tokens': ['/account/tokens', { name: 'forged', scope: 'write' }],
      '/account/tokens/:id/revoke': [`/account/tokens/${apiToken.info.id}/revoke`, {}],
      '/papers/:id{.+}/upvote': [`/papers/${PAPER}/upvote`, {}],
      // The API's writes: a browser's cookie counts only with the form token in the X-CSRF-Token header.
      '/api/papers/:id{.+}/upvote': [`/api/papers/${PAPER}/upvote`, {}],
      '/papers/:id{.+}/curate': [`/papers/${PAPER}/curate`, { action: 'hide' }],
      '/papers/:id{.+}/comments': [`/papers/${PAPER}/comments`, { body: 'forged' }],
      [`${ONE}/edit`]: [`${one}/edit`, { body: 'forged' }],
      [`${ONE}/delete`]: [`${one}/delete`, {}],
      [`${ONE}/report`]: [`${one}/report`, { reason: 'spam' }],
      [`${ONE}/hide`]: [`${one}/hide`, {}],
      [`${ONE}/unhide`]: [`${one}/unhide`, {}],
      [`${ONE}/resolve`]: [`${one}/resolve`, {}],
      '/submit': ['/submit', { paper: '2606.00002' }],
      '/subscribe': ['/subscribe', { email: 'reader@example.org' }],
      '/subscribe/confirm': [`/subscribe/confirm?token=${encodeURIComponent(pending.token)}`, {}],
      '/subscribe/preferences': [
        `/subscribe/preferences?token=${encodeURIComponent(new Signer(SECRET).token(SUBSCRIBER_TOKEN, confirmed.id))}`,
        { frequency: 'daily' },
      ],
      '/admin/accounts/:id/:change{role|ban|unban}': [`/admin/accounts/${member.id}/ban`, {}],
      '/papers/:id{.+}/save': [`/papers/${PAPER}/save`, {}],
      '/library': ['/library', { name: 'Forged' }],
      '/library/collect': ['/library/collect', { collection: collection.id, paper: PAPER }],
      [`${COL}/edit`]: [`${col}/edit`, { name: 'Forged', visibility: 'public' }],
      [`${COL}/delete`]: [`${col}/delete`, { confirm: '1' }],
      [`${COL}/papers`]: [`${col}/papers`, { action: 'remove', paper: PAPER }],
      [`${COL}/import`]: [`${col}/import`, { text: '2606.00002' }],
      '/api/collections': ['/api/collections', { name: 'Forged' }],
      '/api/collections/:id/import': [`/api/collections/${collection.id}/import`, { text: '2606.00002' }],
      '/follow': ['/follow', { kind: 'category', value: 'cs.CL', next: '/' }],
      '/api/follows': ['/api/follows', { kind: 'category', value: 'cs.CL' }],
      '/following/digest': ['/following/digest', {}],
      '/papers/:id{.+}/not-interested': [`/papers/${PAPER}/not-interested`, { next: '/for-you' }],
      '/papers/:id{.+}/more-like-this': [`/papers/${PAPER}/more-like-this`, { next: '/for-you' }],
      '/for-you/reset': ['/for-you/reset', { next: '/for-you' }],
      '/for-you/feed/rotate': ['/for-you/feed/rotate', { next: '/for-you' }],
      '/api/papers/:id{.+}/not-interested': [`/api/papers/${PAPER}/not-interested`, {}],
    };
    // The one form without a token, on purpose: one-click unsubscribe (RFC 8058) comes from mail clients, and its
    // signed link is the permission (tested in subscribe.test.ts).
    const exempt = new Set(['/subscribe/unsubscribe']);

    const routes = [...new Set(app.routes.filter((r) => r.method === 'POST').map((r) => r.path))];
    const unlisted = routes.filter((p) => !(p in posts) && !exempt.has(p));
    expect(unlisted, 'POST routes this test does not check: add them').toEqual([]);

    const before = await state();
    const forged = new Signer('another-secret-that-is-long-enough-too').sign('csrf', 'x');
    for (const [route, [path, fields]] of Object.entries(posts)) {
      for (const csrf of [undefined, 'forged', forged]) {
        const res = await admin.post(path, csrf === undefined ? fields : { ...fields, csrf });
        expect(res.status, `${route} with ${csrf ?? 'no'} token: ${(await res.text()).slice(0, 200)}`).toBe(403);
      }
    }
    expect(await state()).toBe(before);
    // Still signed in: neither sign-out was carried out.
    expect((await admin.request('/account')).status).toBe(200);
    expect((await new Browser(app, '10.9.0.2').request('/account')).status).toBe(303);
  });
});
