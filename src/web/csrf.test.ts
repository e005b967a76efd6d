import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser } from '../../test/browser-session.js';
import { openTestSite, type TestSite } from '../../test/site.js';
import { engines } from '../../test/stores.js';
import { CSRF_COOKIE } from './csrf.js';

const PAPER = '2606.00001';

describe.each(engines)('form tokens on %s', (engine) => {
  let site: TestSite;
  const clock = new Date('2026-07-01T09:00:00Z');
  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: 'http://paperboy.test',
      secret: 'csrf-test-secret-long-enough-for-the-hmac',
      clock: () => clock,
      papers: [
        { id: PAPER, source: 'hf-daily', title: 'Planted cookies', abstract: 'x', dailyOn: '2026-06-30', upvotes: 1 },
      ],
    });
  });
  afterAll(() => site?.close());

  it('are bound to the session: a pair made by another visitor and planted in a browser does not pass', async () => {
    const { app, t } = site;
    const { browser: attacker } = await signedInBrowser(app, t.db, {
      email: 'mallory@example.org',
      ip: '10.7.0.1',
      now: clock,
    });
    const { browser: victim } = await signedInBrowser(app, t.db, {
      email: 'victim@example.org',
      ip: '10.7.0.2',
      now: clock,
    });
    const token = await attacker.csrf(`/papers/${PAPER}`);
    expect(token).not.toBe('');
    // A sibling subdomain can set cookies for the site: it plants the attacker's cookie, and a page posts the token.
    victim.cookies.set(CSRF_COOKIE, attacker.cookies.get(CSRF_COOKIE)!);
    const forged = await victim.post(`/papers/${PAPER}/upvote`, { csrf: token });
    expect(forged.status).toBe(403);
    expect((await t.store.getPaper(PAPER))?.communityUpvotes).toBe(0);
    // The attacker's own pair still works for the attacker, and the victim's own for the victim.
    expect((await attacker.post(`/papers/${PAPER}/upvote`, { csrf: token })).status).toBe(303);
    const own = await victim.csrf(`/papers/${PAPER}`);
    expect((await victim.post(`/papers/${PAPER}/upvote`, { csrf: own })).status).toBe(303);
    expect((await t.store.getPaper(PAPER))?.communityUpvotes).toBe(2);
  });
});
