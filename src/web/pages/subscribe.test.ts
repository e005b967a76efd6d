import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSite, type TestSite } from '../../../test/site.js';
import { startTestSmtp, type TestSmtp } from '../../../test/smtp-server.js';
import { engines, type TestStore } from '../../../test/stores.js';
import { loadConfig } from '../../config/config.js';
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
    site = await openTestSite(engine, { baseUrl: BASE, secret: SECRET, clock: () => clock, trustProxy: false });
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
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    app.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: cookie ? { cookie } : {} });
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
    expect(await done.text()).toContain('You are subscribed');
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
    expect(prefilled.html).toContain('value="math.PR"');
  });

  it('edits preferences from a signed link and unsubscribes with one POST (RFC 8058)', async () => {
    const reminder = smtp.received.find((r) => r.parsed.subject === 'You are already subscribed to Paperboy')!;
    const prefsPath = linkIn(reminder.parsed.text, '/subscribe/preferences')!;
    const form = await openForm(prefsPath);
    expect(form.html).toContain('value="cs.CL, cs.LG"');
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
    expect(saved.status).toBe(200);
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
});
