import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signedInBrowser } from '../../../test/browser-session.js';
import { testDeps } from '../../../test/site.js';
import { startTestSmtp } from '../../../test/smtp-server.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import { createApiToken } from '../../accounts/api-tokens.js';
import { loadConfig } from '../../config/config.js';
import { accountSubscriber, listFollows, setFollow } from '../../digest/follows.js';
import { createDigestRunner } from '../../digest/run.js';
import { confirm, getAlerts, MAX_ALERTS, subscribe } from '../../digest/subscribers.js';
import { createSmtpTransport } from '../../mail/transport.js';
import type { PaperRecord } from '../../model/record.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { createApp } from '../app.js';

const BASE = 'https://paperboy.test';
const SECRET = 'follow-test-secret-long-enough-for-the-hmac';
const NOW = new Date('2026-07-03T09:00:00Z');

const PAPERS: PaperRecord[] = [
  { id: '2607.00011', title: 'Gaussian splatting for everyone', authors: ['Ada Lovelace'], categories: ['cs.CV'] },
  { id: '2607.00012', title: 'Sparse attention at scale', authors: ['Grace Hopper'], categories: ['cs.CL'] },
  { id: '2607.00013', title: 'Another paper by Ada', authors: ['Alan Turing', 'Ada Lovelace'], categories: ['cs.LG'] },
].map((p) => ({
  ...p,
  source: 'arxiv-api' as const,
  abstract: `About ${p.title}.`,
  primaryCategory: p.categories![0],
  listedOn: '2026-07-02',
}));

describe.each(engines)('following authors and categories on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let app: ReturnType<typeof createApp>;
  let ips = 0;
  let people = 0;
  const ip = () => `10.9.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`;
  const reader = () => signedInBrowser(app, t.db, { email: `reader${people++}@example.org`, ip: ip(), now: NOW });
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)" data-csrf/.exec(html)![1]!;

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(PAPERS);
    search = await createSearchService(t.store, t.db);
    app = createApp(testDeps(t, search, { baseUrl: BASE, trustProxy: true }, { secret: SECRET, clock: () => NOW }));
  });
  afterAll(async () => {
    search?.close();
    await t?.dispose();
  });

  it('follows an author from their page, shows it followed, gathers their papers, and unfollows', async () => {
    const { browser: b, account } = await reader();
    const page = await (await b.request('/authors/Ada%20Lovelace')).text();
    expect(page).toContain('aria-pressed="false" data-follow="author:ada lovelace"');
    const res = await b.post('/follow', {
      csrf: csrfOf(page),
      kind: 'author',
      value: 'Ada Lovelace',
      next: '/authors/Ada%20Lovelace',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/authors/Ada%20Lovelace');
    expect(await (await b.request('/authors/Ada%20Lovelace')).text()).toContain(
      'aria-pressed="true" data-follow="author:ada lovelace"',
    );
    // The paper page presses the same author's button (written another way), not the others.
    const paper = await (await b.request('/papers/2607.00013')).text();
    expect(paper).toContain('aria-pressed="true" data-follow="author:ada lovelace"');
    expect(paper).toContain('aria-pressed="false" data-follow="author:alan turing"');

    const following = await (await b.request('/following')).text();
    expect(following).toContain('2607.00011');
    expect(following).toContain('2607.00013');
    expect(following).not.toContain('2607.00012');
    expect(await listFollows(t.db, account, NOW)).toEqual([{ kind: 'author', value: 'Ada Lovelace' }]);

    await b.post('/follow', { csrf: csrfOf(page), kind: 'author', value: 'ada lovelace', next: '/following' });
    expect(await listFollows(t.db, account, NOW)).toEqual([]);
  });

  it('is one notion with email alerts: follows are the subscription’s alerts, and the digest carries them', async () => {
    const { browser: b, account } = await reader();
    // The reader subscribed (and confirmed) by the form before signing in: the same address is the same subscription.
    const earlier = await subscribe(
      t.db,
      account.email,
      {
        frequency: 'daily',
        hour: 8,
        timeZone: 'UTC',
        weekday: 1,
        trending: false,
        alerts: [{ kind: 'search', value: 'q=attention' }],
      },
      NOW,
    );
    if (earlier.kind !== 'confirm') throw new Error(earlier.kind);
    await confirm(t.db, earlier.token, NOW);
    const page = await (await b.request('/categories/cs.CV')).text();
    await b.post('/follow', { csrf: csrfOf(page), kind: 'category', value: 'cs.CV', next: '/categories/cs.CV' });
    const s = (await accountSubscriber(t.db, account, NOW))!;
    expect(s.email).toBe(account.email);
    expect((await getAlerts(t.db, [s.id])).get(s.id)).toEqual([
      { kind: 'category', value: 'cs.CV' },
      { kind: 'search', value: 'q=attention' },
    ]);
    expect(await (await b.request('/following')).text()).toContain('They come by email too');
    // The subscription form, posted by anyone for this address, changes none of the follows.
    await subscribe(
      t.db,
      account.email,
      { frequency: 'weekly', hour: 9, timeZone: 'UTC', weekday: 2, trending: true, alerts: [] },
      new Date(NOW.getTime() + 3_600_000),
    );
    expect((await getAlerts(t.db, [s.id])).get(s.id)).toHaveLength(2);
    const smtp = await startTestSmtp();
    const transport = createSmtpTransport(smtp.url, { connections: 1 });
    try {
      await createDigestRunner({
        store: t.store,
        db: t.db,
        transport,
        secret: SECRET,
        search: async () => search,
        clock: () => NOW,
        config: loadConfig({ PAPERBOY_BASE_URL: BASE, SMTP_URL: smtp.url, PAPERBOY_MAIL_RATE: '0' }),
      }).run(NOW);
      const mail = smtp.received.find((r) => r.to === account.email)!;
      expect(mail.parsed.text).toContain('NEW IN CS.CV');
      expect(mail.parsed.text).toContain('Gaussian splatting for everyone');
    } finally {
      transport.close();
      await smtp.close();
    }
  });

  it('follows and unfollows through the API with a token, which needs write scope', async () => {
    const { account } = await reader();
    const write = await createApiToken(t.db, account.id, { name: 'script', scope: 'write' }, NOW);
    const read = await createApiToken(t.db, account.id, { name: 'reader', scope: 'read' }, NOW);
    const call = (method: string, path: string, token: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-forwarded-for': ip() },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const made = await call('POST', '/api/follows', write.token, { kind: 'author', value: 'Grace Hopper' });
    expect(made.status).toBe(200);
    expect(await made.json()).toEqual([{ kind: 'author', value: 'Grace Hopper' }]);
    expect(await (await call('GET', '/api/follows', read.token)).json()).toEqual([
      { kind: 'author', value: 'Grace Hopper' },
    ]);
    expect((await call('POST', '/api/follows', read.token, { kind: 'category', value: 'cs.CL' })).status).toBe(403);
    expect((await call('POST', '/api/follows', write.token, { kind: 'category', value: 'no such' })).status).toBe(400);
    const gone = await call('DELETE', '/api/follows?kind=author&value=grace%20hopper', write.token);
    expect(await gone.json()).toEqual([]);
    expect((await app.request('/api/follows')).status).toBe(401);
  });

  it('asks for the digest without a confirmation link, and takes over an address a stranger asked for', async () => {
    const { browser: b, account } = await reader();
    // Someone else asked at the form for this address, with their alerts, and never confirmed.
    await subscribe(
      t.db,
      account.email,
      {
        frequency: 'daily',
        hour: 8,
        timeZone: 'UTC',
        weekday: 1,
        trending: false,
        alerts: [{ kind: 'author', value: 'Somebody Else' }],
      },
      NOW,
    );
    expect(await listFollows(t.db, account, NOW)).toEqual([]);
    const page = await (await b.request('/categories/cs.LG')).text();
    await b.post('/follow', { csrf: csrfOf(page), kind: 'category', value: 'cs.LG', next: '/' });
    expect(await listFollows(t.db, account, NOW)).toEqual([{ kind: 'category', value: 'cs.LG' }]);
    const following = await (await b.request('/following')).text();
    expect(following).toContain('Email me what I follow');
    const csrf = /name="csrf" value="([^"]+)"/.exec(following.slice(following.indexOf('/following/digest')))![1]!;
    expect((await b.post('/following/digest', { csrf })).status).toBe(303);
    expect((await accountSubscriber(t.db, account, NOW))!.status).toBe('confirmed');
  });

  it('sends a signed-out visitor to sign in and back, and refuses what cannot be followed', async () => {
    const visitor = new Browser(app, ip());
    const out = await visitor.post('/follow', { kind: 'category', value: 'cs.CL', next: '/categories/cs.CL' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(`/signin?next=${encodeURIComponent('/categories/cs.CL')}`);
    expect((await visitor.request('/following')).headers.get('location')).toBe('/signin?next=%2Ffollowing');

    const { browser: b } = await reader();
    const csrf = csrfOf(await (await b.request('/categories/cs.CL')).text());
    const bad = await b.post('/follow', { csrf, kind: 'category', value: '<script>x</script>', next: '/' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('is not an arXiv category');
    expect(html).not.toContain('<script>x');
    expect((await b.post('/follow', { csrf, kind: 'journal', value: 'Nature', next: '/' })).status).toBe(400);
    // `next` goes only to a page of this site.
    const away = await b.post('/follow', { csrf, kind: 'category', value: 'cs.CL', next: 'https://evil.example/' });
    expect(away.headers.get('location')).toBe('/');
  });

  it('lists the follows on the account page, each with an Unfollow button that stays off when sent twice', async () => {
    const { browser: b, account } = await reader();
    const page = await (await b.request('/categories/cs.CV')).text();
    for (const [kind, value] of [
      ['category', 'cs.CV'],
      ['author', 'Ada Lovelace'],
    ] as const)
      await b.post('/follow', { csrf: csrfOf(page), kind, value, on: '1', next: '/' });
    const html = await (await b.request('/account')).text();
    const section = html.slice(html.indexOf('id="follows"'), html.indexOf('</section>', html.indexOf('id="follows"')));
    expect(section).toContain('<a href="/authors/Ada%20Lovelace">Ada Lovelace</a>');
    expect(section).toContain('<a href="/categories/cs.CV">cs.CV</a>');
    expect(section).toContain('aria-label="Unfollow the category cs.CV"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(section)![1]!;
    const unfollow = { csrf, kind: 'category', value: 'cs.CV', on: '0', next: '/account#follows' };
    const res = await b.post('/follow', unfollow);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account#follows');
    expect(await listFollows(t.db, account, NOW)).toEqual([{ kind: 'author', value: 'Ada Lovelace' }]);
    // A second click (or a reload that sends the form again) does not follow it again.
    await b.post('/follow', unfollow);
    expect(await listFollows(t.db, account, NOW)).toEqual([{ kind: 'author', value: 'Ada Lovelace' }]);
    await b.post('/follow', { ...unfollow, kind: 'author', value: 'Ada Lovelace' });
    expect(await (await b.request('/account')).text()).toContain('You follow nobody yet');
    expect((await b.post('/follow', { ...unfollow, csrf: 'forged' })).status).toBe(403);
  });

  it('follows once when the same Follow is sent many times at once', async () => {
    const { browser: b, account } = await reader();
    const csrf = csrfOf(await (await b.request('/authors/Grace%20Hopper')).text());
    // Twice over: the first round also makes the reader's subscription, the second finds it.
    for (const value of ['Grace Hopper', 'Alan Turing']) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => b.post('/follow', { csrf, kind: 'author', value, on: '1', next: '/' })),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(303));
    }
    expect(await listFollows(t.db, account, NOW)).toEqual([
      { kind: 'author', value: 'Alan Turing' },
      { kind: 'author', value: 'Grace Hopper' },
    ]);
  });

  it('keeps to the limit of follows when different ones are sent at once', async () => {
    const { account } = await reader();
    for (let i = 1; i < MAX_ALERTS; i++)
      await setFollow(t.db, account, { kind: 'author', value: `Author ${i}` }, true, NOW);
    const tries = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => setFollow(t.db, account, { kind: 'author', value: `Late ${i}` }, true, NOW)),
    );
    expect(tries.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of tries.filter((r) => r.status === 'rejected'))
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/follow or get alerts for 30 things already/);
    expect(await listFollows(t.db, account, NOW)).toHaveLength(MAX_ALERTS);
  });
});
