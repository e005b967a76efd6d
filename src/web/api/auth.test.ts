import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signedInBrowser } from '../../../test/browser-session.js';
import { checkDocument, type Doc, responseSchema, validate } from '../../../test/openapi-check.js';
import { openTestSite, type TestSite, testDeps } from '../../../test/site.js';
import { engines, type TestStore } from '../../../test/stores.js';
import { accountForEmail } from '../../accounts/accounts.js';
import { createApiToken } from '../../accounts/api-tokens.js';
import { curatePaper } from '../../community/curation.js';
import { setBanned } from '../../community/moderation.js';
import { hashToken } from '../../crypto/tokens.js';
import { createApp } from '../app.js';
import { CSRF_HEADER } from '../csrf.js';

const BASE = 'http://paperboy.test';
const SECRET = 'tokens-test-secret-long-enough-for-the-hmac';
const PAPER = '2606.00001';
const HIDDEN = '2606.00002';
const NOW = new Date('2026-07-01T09:00:00Z');

interface ErrorJson {
  error: { code: string; message: string };
}

/**
 * Personal API tokens as scripts use them (issue 18, item 4): `Authorization: Bearer`, scopes, revocation, bans,
 * rate limits per account, and the account page that makes them.
 */
describe.each(engines)('API tokens on %s', (engine) => {
  let site: TestSite;
  let t: TestStore;
  let app: TestSite['app'];
  let doc: Doc;

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => NOW,
      papers: [PAPER, HIDDEN].map((id) => ({
        id,
        source: 'hf-daily' as const,
        title: `Paper ${id}`,
        abstract: 'x',
        dailyOn: '2026-06-30',
        upvotes: 3,
      })),
    });
    ({ t, app } = site);
    doc = (await (await app.request('/openapi.json')).json()) as Doc;
    expect(checkDocument(doc)).toEqual([]);
  });
  afterAll(() => site?.close());

  let ip = 0;
  /** A request from its own address, as scripts on many machines would send. */
  const call = (path: string, init: { method?: string; token?: string; headers?: Record<string, string> } = {}) =>
    app.request(path, {
      method: init.method ?? 'GET',
      headers: {
        'x-forwarded-for': `198.51.100.${++ip % 250}`,
        ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
        ...init.headers,
      },
    });

  /** The body, checked against the document's schema for this operation and status. */
  async function body<T>(res: Response, path: string, method: string): Promise<T> {
    const json = (await res.json()) as T;
    expect(validate(doc, responseSchema(doc, path, method, res.status), json), JSON.stringify(json)).toEqual([]);
    return json;
  }

  const tokenOf = async (email: string, scope: 'read' | 'write') => {
    const { account } = await accountForEmail(t.db, email, NOW);
    return { account, ...(await createApiToken(t.db, account.id, { name: `${scope} script`, scope }, NOW)) };
  };
  const upvotes = async (id = PAPER) => {
    const p = (await t.store.getPaper(id, { hidden: true }))!;
    return p.upvotes + p.communityUpvotes;
  };

  it('says who a token acts for, privately', async () => {
    const { token } = await tokenOf('ada@example.org', 'read');
    const res = await call('/api/me', { token });
    expect(res.status).toBe(200);
    expect(await body(res, '/api/me', 'get')).toEqual({
      handle: 'ada',
      displayName: 'ada',
      role: 'member',
      auth: 'token',
      scope: 'read',
    });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')).toContain('Authorization');
  });

  it('upvotes with a write token, idempotently; the count is the paper’s for everyone', async () => {
    const { token } = await tokenOf('bob@example.org', 'write');
    const before = await upvotes();
    for (let i = 0; i < 2; i++) {
      const res = await call(`/api/papers/${PAPER}/upvote`, { method: 'POST', token });
      expect(res.status).toBe(200);
      expect(await body(res, '/api/papers/{id}/upvote', 'post')).toEqual({
        id: PAPER,
        upvoted: true,
        upvotes: before + 1,
      });
    }
    expect(await upvotes()).toBe(before + 1);
    const paper = (await (await call(`/api/papers/${PAPER}`)).json()) as { upvotes: number };
    expect(paper.upvotes).toBe(before + 1);
    // The site's feed shows it too.
    expect(await (await call('/day/2026-06-30')).text()).toContain(`Upvote (${before + 1} upvotes)`);
    // A versioned id is the same paper.
    expect(await (await call(`/api/papers/${PAPER}v2/upvote`, { method: 'POST', token })).json()).toMatchObject({
      upvoted: true,
      upvotes: before + 1,
    });

    for (let i = 0; i < 2; i++) {
      const res = await call(`/api/papers/${PAPER}/upvote`, { method: 'DELETE', token });
      expect(await body(res, '/api/papers/{id}/upvote', 'delete')).toEqual({
        id: PAPER,
        upvoted: false,
        upvotes: before,
      });
    }
    expect(await upvotes()).toBe(before);

    const missing = await call('/api/papers/2606.09999/upvote', { method: 'POST', token });
    expect(missing.status).toBe(404);
    await body(missing, '/api/papers/{id}/upvote', 'post');
    const bad = await call('/api/papers/not-an-id/upvote', { method: 'POST', token });
    expect(bad.status).toBe(400);
    await curatePaper(t.store, 'cli', HIDDEN, 'hide', NOW);
    const hidden = await call(`/api/papers/${HIDDEN}/upvote`, { method: 'POST', token });
    expect(hidden.status).toBe(404);
    expect(await upvotes(HIDDEN)).toBe(3);
  });

  it('refuses a read token that writes with 403, saying what to do', async () => {
    const { token } = await tokenOf('cy@example.org', 'read');
    const before = await upvotes();
    const res = await call(`/api/papers/${PAPER}/upvote`, { method: 'POST', token });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="Paperboy", error="insufficient_scope", scope="write"',
    );
    const json = await body<ErrorJson>(res, '/api/papers/{id}/upvote', 'post');
    expect(json.error.code).toBe('forbidden');
    expect(json.error.message).toContain('--scope write');
    expect((await call(`/api/papers/${PAPER}/upvote`, { method: 'DELETE', token })).status).toBe(403);
    expect(await upvotes()).toBe(before);
  });

  it('answers 401 with WWW-Authenticate to no token, a revoked one, a banned account’s, and garbage, at once', async () => {
    const expect401 = async (res: Response, path: string, method: string, error?: string) => {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        error ? `Bearer realm="Paperboy", error="${error}"` : 'Bearer realm="Paperboy"',
      );
      const json = await body<ErrorJson>(res, path, method);
      expect(json.error.code).toBe('unauthorized');
      expect(json.error.message).toContain('/account');
    };
    await expect401(await call('/api/me'), '/api/me', 'get');
    await expect401(await call(`/api/papers/${PAPER}/upvote`, { method: 'POST' }), '/api/papers/{id}/upvote', 'post');

    const { token, info, account } = await tokenOf('dee@example.org', 'write');
    expect((await call('/api/me', { token })).status).toBe(200);
    await t.db.deleteFrom('api_tokens').where('id', '=', info.id).execute();
    await expect401(await call('/api/me', { token }), '/api/me', 'get', 'invalid_token');

    const banned = await tokenOf('eve@example.org', 'write');
    await setBanned({ db: t.db, engine }, 'cli', banned.account.id, true, NOW);
    await expect401(
      await call(`/api/papers/${PAPER}/upvote`, { method: 'POST', token: banned.token }),
      '/api/papers/{id}/upvote',
      'post',
      'invalid_token',
    );

    const another = (await createApiToken(t.db, account.id, { scope: 'write' }, NOW)).token;
    const started = performance.now();
    const shapes: [string, 'invalid_token' | 'invalid_request'][] = [
      [`Bearer gh_${another.slice(3)}`, 'invalid_token'],
      [`Bearer ${another.slice(0, -2)}`, 'invalid_token'],
      [`Bearer pb_${'A'.repeat(43)}`, 'invalid_token'],
      [`bearer ${another.toUpperCase()}`, 'invalid_token'],
      ['Bearer', 'invalid_request'],
      ['Bearer ', 'invalid_request'],
      [`Basic ${Buffer.from('dee:secret').toString('base64')}`, 'invalid_request'],
      [another, 'invalid_request'],
      [`Bearer ${another} extra`, 'invalid_request'],
      [`Bearer ${'a'.repeat(15_000)}`, 'invalid_request'],
      [`Bearer ${' '.repeat(15_000)}${another}`, 'invalid_request'],
      [`${'Bearer '.repeat(2000)}${another}`, 'invalid_request'],
    ];
    for (const [authorization, error] of shapes) {
      const res = await call('/api/me', { headers: { authorization } });
      await expect401(res, '/api/me', 'get', error);
      // A bad token is refused on reads of public data too: the script learns of its mistake at once.
      expect((await call('/api/daily_papers', { headers: { authorization } })).status).toBe(401);
    }
    expect(performance.now() - started).toBeLessThan(5000);
    // The good one, after all that.
    expect((await call('/api/me', { token: another })).status).toBe(200);
    // Public reads need no token.
    expect((await call('/api/daily_papers')).status).toBe(200);
  });

  it('lets a signed-in browser read with its cookie, and write only with its form token', async () => {
    const { browser } = await signedInBrowser(app, t.db, { email: 'fay@example.org', ip: '10.1.0.1', now: NOW });
    const me = await browser.request('/api/me');
    expect(await body(me, '/api/me', 'get')).toMatchObject({ handle: 'fay', auth: 'session', scope: null });
    const before = await upvotes();
    const refused = await browser.request(`/api/papers/${PAPER}/upvote`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect((await body<ErrorJson>(refused, '/api/papers/{id}/upvote', 'post')).error.message).toContain(CSRF_HEADER);
    const forged = await browser.request(`/api/papers/${PAPER}/upvote`, {
      method: 'POST',
      headers: { [CSRF_HEADER]: 'forged' },
    });
    expect(forged.status).toBe(403);
    expect((await browser.request(`/api/papers/${PAPER}/upvote`, { method: 'DELETE' })).status).toBe(403);
    expect(await upvotes()).toBe(before);
    const csrf = await browser.csrf('/account');
    const done = await browser.request(`/api/papers/${PAPER}/upvote`, {
      method: 'POST',
      headers: { [CSRF_HEADER]: csrf },
    });
    expect(done.status).toBe(200);
    expect(await upvotes()).toBe(before + 1);
    // A request with a token is judged by the token alone, never by the cookie beside it.
    const withBad = await browser.request('/api/me', { headers: { authorization: 'Bearer nope' } });
    expect(withBad.status).toBe(401);
  });

  it('rate-limits an account as one client, whichever token and address it uses', async () => {
    const limited = createApp(
      testDeps(
        t,
        site.search,
        { baseUrl: BASE, trustProxy: true, apiRateLimit: 3 },
        { secret: SECRET, clock: () => NOW },
      ),
    );
    const { token, account } = await tokenOf('gil@example.org', 'read');
    const second = (await createApiToken(t.db, account.id, { scope: 'write' }, NOW)).token;
    const hit = (tok: string | undefined, from: string) =>
      limited.request('/api/me', {
        headers: { 'x-forwarded-for': from, ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
      });
    expect((await hit(token, '203.0.113.1')).status).toBe(200);
    expect((await hit(second, '203.0.113.2')).status).toBe(200);
    expect((await hit(token, '203.0.113.3')).status).toBe(200);
    const over = await hit(second, '203.0.113.4');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBeTruthy();
    expect(((await over.json()) as ErrorJson).error.code).toBe('rate_limited');
    // Another account, and a visitor from one of those addresses, have their own budgets.
    expect((await hit((await tokenOf('hal@example.org', 'read')).token, '203.0.113.1')).status).toBe(200);
    expect((await hit(undefined, '203.0.113.1')).status).toBe(401);
    // Bad tokens are counted by address: they cannot be used to get past the limit.
    for (let i = 0; i < 3; i++) expect((await hit('garbage', '203.0.113.9')).status).toBe(401);
    expect((await hit('garbage', '203.0.113.9')).status).toBe(429);
  });

  it('makes, shows once, lists and revokes tokens on the account page, with its form token', async () => {
    const { browser, account } = await signedInBrowser(app, t.db, {
      email: 'ivy@example.org',
      ip: '10.1.0.2',
      now: NOW,
    });
    const page = await (await browser.request('/account')).text();
    expect(page).toContain('API tokens');
    expect(page).toContain('You have no tokens.');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;

    // Without the form token, or with another's: nothing is made.
    for (const fields of [{}, { csrf: 'forged' }] as Record<string, string>[]) {
      const res = await browser.post('/account/tokens', { name: 'x', scope: 'write', ...fields });
      expect(res.status).toBe(403);
    }
    expect(await t.db.selectFrom('api_tokens').where('account_id', '=', account.id).selectAll().execute()).toEqual([]);

    const made = await browser.post('/account/tokens', { csrf, name: '<script>x</script> laptop', scope: 'write' });
    expect(made.status).toBe(200);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const html = await made.text();
    const token = /id="new-token" readonly="" value="(pb_[A-Za-z0-9_-]{43})"/.exec(html)?.[1];
    expect(token, html.slice(0, 2000)).toBeTruthy();
    expect(html).toContain('Copy it now: it is not shown again.');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt; laptop');
    expect(html).not.toContain('<script>x</script>');
    const row = await t.db.selectFrom('api_tokens').selectAll().where('account_id', '=', account.id).execute();
    expect(row.map((r) => [r.token_hash, r.scope])).toEqual([[hashToken(token!), 'write']]);
    const me = await call('/api/me', { token: token! });
    expect(await me.json()).toMatchObject({ handle: 'ivy', scope: 'write' });

    // Listed with its name, scope and times; never shown again.
    const listed = await (await browser.request('/account')).text();
    expect(listed).not.toContain(token!);
    expect(listed).toContain('&lt;script&gt;x&lt;/script&gt; laptop');
    expect(listed).toContain('read and write');
    expect(listed).toContain('created <time datetime="2026-07-01T09:00:00.000Z">2026-07-01 09:00 UTC</time>');
    expect(listed).toContain('last used <time');

    // A scope that does not exist is refused, and so is a token past the limit.
    const badScope = await browser.post('/account/tokens', { csrf, name: 'x', scope: 'admin' });
    expect(badScope.status).toBe(400);
    expect(await badScope.text()).toContain('Choose the scope');

    // Revoking: not without the form token, not another account's token; then at once.
    const id = row[0]!.id;
    expect((await browser.post(`/account/tokens/${id}/revoke`, {})).status).toBe(403);
    const other = await tokenOf('jo@example.org', 'write');
    const notMine = await browser.post(`/account/tokens/${other.info.id}/revoke`, { csrf });
    expect(notMine.headers.get('location')).toBe('/account?revoked=0#tokens');
    expect((await call('/api/me', { token: other.token })).status).toBe(200);
    const revoked = await browser.post(`/account/tokens/${id}/revoke`, { csrf });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe('/account?revoked=1#tokens');
    expect((await call('/api/me', { token: token! })).status).toBe(401);
    expect(await (await browser.request('/account?revoked=1')).text()).toContain('Token revoked: it no longer works.');

    // Signed out: to sign-in.
    const stranger = new Browser(app, '10.1.0.3');
    const anon = await stranger.post('/account/tokens', { csrf: await stranger.csrf('/signin'), scope: 'read' });
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe('/signin?next=/account');
  });

  it('refuses a token past the limit on the account page, and hides the form there', async () => {
    const { browser, account } = await signedInBrowser(app, t.db, {
      email: 'kim@example.org',
      ip: '10.1.0.4',
      now: NOW,
    });
    for (let i = 0; i < 19; i++) await createApiToken(t.db, account.id, { name: `t${i}`, scope: 'read' }, NOW);
    const csrf = await browser.csrf('/account');
    expect((await browser.post('/account/tokens', { csrf, name: 'last', scope: 'read' })).status).toBe(200);
    const full = await (await browser.request('/account')).text();
    expect(full).not.toContain('action="/account/tokens"');
    expect(full).toContain('revoke one to create another');
    const refused = await browser.post('/account/tokens', { csrf, name: 'one more', scope: 'read' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('Revoke one it no longer uses');
  });
});
