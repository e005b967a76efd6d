import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSite, type TestSite } from '../../../test/site.js';
import { startTestSmtp, type TestSmtp } from '../../../test/smtp-server.js';
import { engines, type TestStore } from '../../../test/stores.js';
import { loadConfig } from '../../config/config.js';
import { Signer } from '../../crypto/tokens.js';
import { subscriberLinks } from '../../digest/links.js';
import { createDigestRunner, type DigestRunner } from '../../digest/run.js';
import { getAlerts } from '../../digest/subscribers.js';
import { createSmtpTransport, type MailTransport } from '../../mail/transport.js';

const BASE = 'http://paperboy.test';
const SECRET = 'another-test-secret-long-enough-for-hmac';

describe.each(engines)('subscriptions on %s', (engine) => {
  let site: TestSite;
  let t: TestStore;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let runner: DigestRunner;
  let app: TestSite['app'];
  let clock = new Date('2026-07-01T09:00:00Z');

  beforeAll(async () => {
    // Behind a "proxy": each request below comes from its own address, so that none meets the rate limits.
    site = await openTestSite(engine, { baseUrl: BASE, secret: SECRET, clock: () => clock, trustProxy: true });
    ({ t, app } = site);
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

  /** Opens a form page and returns what a browser would send back: its cookie and CSRF field. */
  async function openForm(path: string): Promise<{ cookie: string; csrf: string; html: string }> {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    const html = await res.text();
    const cookie = /pb_csrf=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    return { cookie: `pb_csrf=${cookie}`, csrf, html };
  }
  let client = 0;
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    app.request(path, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'x-forwarded-for': `192.0.2.${++client % 250}`, ...(cookie ? { cookie } : {}) },
    });
  const subscribeAs = async (email: string, extra: Record<string, string> = {}) => {
    const form = await openForm('/subscribe');
    const res = await post(
      '/subscribe',
      { csrf: form.csrf, email, frequency: 'weekdays', hour: '7', time_zone: 'Europe/Paris', trending: '1', ...extra },
      form.cookie,
    );
    return { status: res.status, html: (await res.text()).replaceAll(email, 'EMAIL') };
  };
  const linkIn = (text: string | undefined, path: string) =>
    new RegExp(`${BASE}(${path}\\?token=[\\w.%-]+)`).exec(text ?? '')?.[1];

  it('takes a subscription with alerts, confirms it from the inbox and says the same thing for a known address', async () => {
    const answer = await subscribeAs('reader@example.org', {
      categories: 'cs.CL, cs.LG',
      authors: 'Yoshua Bengio',
      searches: `${BASE}/search?q=diffusion&cat=cs.CV`,
    });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Check your inbox');
    expect((await runner.send()).sent).toBe(1);
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toBe('reader@example.org');
    expect(mail.parsed.subject).toBe('Confirm your Paperboy subscription');
    const confirmPath = linkIn(mail.parsed.text, '/subscribe/confirm')!;
    expect(mail.parsed.html).toContain('Confirm my subscription');

    const row = () =>
      t.db.selectFrom('subscribers').selectAll().where('email', '=', 'reader@example.org').executeTakeFirstOrThrow();
    expect((await row()).status).toBe('pending');
    // Opening the link (a mail scanner does) confirms nothing; the button on the page does.
    const page = await openForm(confirmPath);
    expect((await row()).status).toBe('pending');
    const done = await post(confirmPath, { csrf: page.csrf }, page.cookie);
    const confirmedHtml = await done.text();
    expect(confirmedHtml).toContain('You are subscribed');
    // Wednesday 11:00 in Paris, past the chosen 07:00: the first digest goes out at the next run of the schedule.
    expect(confirmedHtml).toContain('Your first digest goes out within a few minutes, with what is new for you');
    const confirmed = await row();
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      frequency: 'weekdays',
      hour: 7,
      time_zone: 'Europe/Paris',
      trending: 1,
      confirm_hash: null,
    });
    expect((await getAlerts(t.db, [confirmed.id])).get(confirmed.id)).toEqual([
      { kind: 'author', value: 'Yoshua Bengio' },
      { kind: 'category', value: 'cs.CL' },
      { kind: 'category', value: 'cs.LG' },
      { kind: 'search', value: 'q=diffusion&cat=cs.CV' },
    ]);
    expect((await post(confirmPath, { csrf: page.csrf }, page.cookie)).status).toBe(404);

    clock = new Date(clock.getTime() + 11 * 60_000);
    const again = await subscribeAs('reader@example.org', { frequency: 'daily' });
    const stranger = await subscribeAs('stranger@example.org');
    expect(again).toEqual(stranger);
    expect((await row()).frequency).toBe('weekdays');
    await runner.send();
    const reminder = smtp.received.find(
      (r) => r.to === 'reader@example.org' && r.parsed.subject === 'You are already subscribed to Paperboy',
    );
    expect(linkIn(reminder?.parsed.text, '/subscribe/preferences')).toBeDefined();
  });

  it('refuses a form without its CSRF token, and explains bad input', async () => {
    expect((await post('/subscribe', { email: 'x@example.org', trending: '1' })).status).toBe(403);
    const form = await openForm('/subscribe');
    expect(
      (await post('/subscribe', { email: 'x@example.org', trending: '1', csrf: 'forged' }, form.cookie)).status,
    ).toBe(403);
    const bad = await post(
      '/subscribe',
      { csrf: form.csrf, email: 'not-an-address', categories: 'not a category!' },
      form.cookie,
    );
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Enter an email address');
    const prefilled = await openForm('/subscribe?search=%2Fsearch%3Fq%3Dgraph%2Bneural&category=math.PR');
    expect(prefilled.html).toContain('graph neural');
    expect(prefilled.html).toMatch(/<textarea name="categories"[^>]*>math.PR<\/textarea>/);
  });

  it('edits preferences from a signed link and unsubscribes with one POST (RFC 8058)', async () => {
    const reminder = smtp.received.find((r) => r.parsed.subject === 'You are already subscribed to Paperboy')!;
    const prefsPath = linkIn(reminder.parsed.text, '/subscribe/preferences')!;
    const form = await openForm(prefsPath);
    expect(form.html).toMatch(/<textarea name="categories"[^>]*>cs.CL, cs.LG<\/textarea>/);
    const saved = await post(
      prefsPath,
      {
        csrf: form.csrf,
        frequency: 'weekly',
        weekday: '5',
        hour: '18',
        time_zone: 'Asia/Tokyo',
        authors: 'Ada Lovelace',
      },
      form.cookie,
    );
    // Post, redirect, get: the page says it is saved and shows the saved values.
    expect(saved.status).toBe(303);
    const savedPath = saved.headers.get('location')!;
    expect(savedPath).toBe(`${prefsPath}&saved=1`);
    const after = await (await app.request(savedPath)).text();
    expect(after).toMatch(/<p class="notice" role="status"><strong>Saved\.<\/strong>/);
    expect(after).toContain('<option value="18" selected="">18:00</option>');
    expect(after).toContain('<option value="5" selected="">Friday</option>');
    expect(after).toContain('<option value="Asia/Tokyo" selected="">Asia/Tokyo</option>');
    expect(after).toMatch(/<textarea name="authors"[^>]*>Ada Lovelace<\/textarea>/);
    expect(after).not.toContain('data-detect-zone');
    // Wednesday 1 July, 18:11 in Tokyo: the next weekly digest is Friday's.
    expect(after).toContain('Next digest: on Friday 3 July at 18:00 (Asia/<wbr/>Tokyo).');
    expect(await (await app.request(prefsPath)).text()).not.toContain('Saved.');
    const row = () =>
      t.db.selectFrom('subscribers').selectAll().where('email', '=', 'reader@example.org').executeTakeFirstOrThrow();
    expect(await row()).toMatchObject({
      frequency: 'weekly',
      weekday: 5,
      hour: 18,
      time_zone: 'Asia/Tokyo',
      trending: 0,
    });

    const tampered = prefsPath.replace(/token=([\w%-]+)\./, 'token=someone-else.');
    expect((await app.request(tampered)).status).toBe(404);

    const unsubscribePath = prefsPath.replace('/preferences', '/unsubscribe');
    const oneClick = await app.request(unsubscribePath, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    expect((await row()).status).toBe('unsubscribed');
    expect(await (await app.request(prefsPath)).text()).toContain('You are not receiving digests');
  });

  it('tells when the first digest arrives when its hour has not come yet: Monday, for weekdays from a Saturday', async () => {
    clock = new Date('2026-07-04T18:00:00Z'); // Saturday 20:00 in Berlin
    const form = await openForm('/subscribe');
    // A fresh form lets app.js set the browser's zone; the field is UTC until then.
    expect(form.html).toContain('data-detect-zone');
    expect(form.html).toContain('<option value="UTC" selected="">UTC</option>');
    await post(
      '/subscribe',
      { csrf: form.csrf, email: 'berlin@example.org', hour: '8', time_zone: 'Europe/Berlin', trending: '1' },
      form.cookie,
    );
    await runner.send();
    const mail = smtp.received.findLast((r) => r.to === 'berlin@example.org')!;
    const confirmPath = linkIn(mail.parsed.text, '/subscribe/confirm')!;
    const page = await openForm(confirmPath);
    const html = await (await post(confirmPath, { csrf: page.csrf }, page.cookie)).text();
    expect(html).toContain(
      '<p class="notice" role="status">Your first digest arrives on Monday 6 July at 08:00 (Europe/<wbr/>Berlin), with what is new for you (a day with nothing new sends no mail).</p>',
    );
  });

  it('answers hostile input with every problem at once and keeps what was typed', async () => {
    const form = await openForm('/subscribe');
    const typed = {
      email: `${'a'.repeat(300)}\u0007@example.org`,
      categories: `cs.CL, \u202Egnp.sc, ${'x'.repeat(1500)}!`,
      authors: 'Ada Lovelace\nمحمد علي\u200F',
      searches: `"graph neural" networks\n${'long words '.repeat(50)}`,
    };
    const res = await post(
      '/subscribe',
      {
        csrf: form.csrf,
        ...typed,
        frequency: 'hourly',
        hour: '99999999999999999999',
        weekday: '-1',
        time_zone: 'Mars/Olympus_Mons',
        trending: '1',
      },
      form.cookie,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    const errors = /<div role="alert" class="errors">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    for (const message of [
      'An email address has at most 254 characters.',
      'Choose how often: every weekday, every day or weekly.',
      'Choose an hour from the list.',
      'Choose a day of the week from the list.',
      '“Mars/Olympus_Mons” is not a time zone: choose one from the list.',
      '“gnp.sc” is not an arXiv category',
      `“${'x'.repeat(40)}…” is not an arXiv category`,
    ])
      expect(errors).toContain(message);
    // A right-to-left override typed into the form is not echoed into the message, where it would reverse the text.
    expect(errors).not.toContain('\u202E');
    // Every field as typed, for the reader to correct.
    expect(html).toContain(`value="${typed.email}"`);
    expect(html).toContain(`>${typed.categories}</textarea>`);
    expect(html).toContain(`>${typed.authors}</textarea>`);
    expect(html).toContain(`>${typed.searches.replaceAll('"', '&quot;')}</textarea>`);
    // A select whose value was forged shows its default; nothing is detected over what the reader sent.
    expect(html).toContain('<option value="8" selected="">08:00</option>');
    expect(html).not.toContain('data-detect-zone');
    expect(
      await t.db.selectFrom('subscribers').select('id').where('email', 'like', 'aaaa%').executeTakeFirst(),
    ).toBeUndefined();

    // Hundreds of bad lines: the first few problems and a count of the rest.
    const many = await post(
      '/subscribe',
      {
        csrf: form.csrf,
        email: 'many@example.org',
        categories: Array.from({ length: 200 }, (_, i) => `bad${i}!`).join(' '),
      },
      form.cookie,
    );
    const manyHtml = await many.text();
    expect(manyHtml).toContain('<li>and 192 more.</li>');
    expect((manyHtml.match(/is not an arXiv category/g) ?? []).length).toBe(8);
  });

  it('keeps what was typed on the preferences page when it is refused, and saves nothing', async () => {
    const s = await t.db
      .selectFrom('subscribers')
      .selectAll()
      .where('email', '=', 'berlin@example.org')
      .executeTakeFirstOrThrow();
    const prefsPath = subscriberLinks(BASE, new Signer(SECRET), s.id).preferencesUrl.slice(BASE.length);
    const form = await openForm(prefsPath);
    expect(form.html).toContain('Digests go to <strong>berlin@example.org</strong>.');
    const res = await post(
      prefsPath,
      { csrf: form.csrf, hour: '6', time_zone: 'Europe/Berlin', authors: `Grace Hopper\n${'N'.repeat(150)}` },
      form.cookie,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(`“${'N'.repeat(40)}…” is longer than 100 characters`);
    expect(html).toContain(`>Grace Hopper\n${'N'.repeat(150)}</textarea>`);
    expect(html).toContain('<option value="6" selected="">06:00</option>');
    expect(html).not.toContain('Saved.');
    expect(
      await t.db.selectFrom('subscribers').select(['hour']).where('id', '=', s.id).executeTakeFirstOrThrow(),
    ).toEqual({ hour: 8 });
  });
});
