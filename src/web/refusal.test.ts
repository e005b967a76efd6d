import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { openTestSite } from '../../test/site.js';
import { REFUSAL_CODES, Refusal } from '../model/refusal.js';
import { refusalPage, statusOf } from './refusal.js';

describe('statusOf', () => {
  it.each(REFUSAL_CODES)('gives %s a client or server error status', (code) => {
    const status = statusOf(new Refusal(code, 'x'));
    expect(Number.isInteger(status) && status >= 400 && status < 600).toBe(true);
  });

  it("answers each feature's refusals as the site always has", () => {
    const statuses = Object.fromEntries(REFUSAL_CODES.map((code) => [code, statusOf(new Refusal(code, 'x'))]));
    expect(statuses).toMatchObject({
      invalid: 400,
      forbidden: 403,
      'not-found': 404,
      'rate-limited': 429,
      unavailable: 503,
      locked: 403,
      'too-late': 403,
      'already-reported': 409,
      taken: 400,
      exists: 409,
      'last-admin': 409,
      'is-admin': 409,
      'too-many': 409,
      'not-on-arxiv': 400,
      'too-old': 400,
      'already-submitted': 409,
      removed: 409,
    });
  });
});

describe('refusalPage', () => {
  const app = new Hono();
  app.get('/refused', (c) =>
    refusalPage(
      c,
      'http://paperboy.test',
      new Refusal('already-submitted', 'Already <b>there</b>.', { paperId: '2607.00001' }),
      {
        title: 'Submit a paper',
        back: { href: '/submit', label: 'Back to the form' },
        children: 'What you wrote, to keep',
      },
    ),
  );
  app.get('/plain', (c) => refusalPage(c, 'http://paperboy.test', new Refusal('forbidden', 'No.')));

  it('says why in an alert, links the paper it is about, keeps what is given and links back; never cached', async () => {
    const res = await app.request('/refused');
    expect(res.status).toBe(409);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<title>Submit a paper | Paperboy</title>');
    expect(html).toContain(
      '<p class="error" role="alert">Already &lt;b&gt;there&lt;/b&gt;. <a href="/papers/2607.00001">See the paper</a>.</p>',
    );
    expect(html).toContain('</p>What you wrote, to keep<p>');
    expect(html).toContain('<a href="/submit">Back to the form</a>');
  });

  it('is titled "Not done" by default, without a back link', async () => {
    const res = await app.request('/plain');
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<h1>Not done</h1>');
    expect(html).toContain('<p class="error" role="alert">No.</p>');
    expect(html).not.toContain('Go back');
  });
});

describe('a refusal that a page handler does not catch', () => {
  it('is answered with its status and message by the site, not as a 500', async () => {
    const site = await openTestSite('sqlite', {
      baseUrl: 'http://paperboy.test',
      secret: 'refusal-test-secret-long-enough-for-hmac',
      clock: () => new Date('2026-07-01T09:00:00Z'),
    });
    try {
      site.app.get('/uncaught-refusal', () => {
        throw new Refusal('rate-limited', 'Too many <tries>: wait a minute.');
      });
      site.app.get('/uncaught-error', () => {
        throw new Error('a secret detail');
      });
      const refused = await site.app.request('/uncaught-refusal');
      expect(refused.status).toBe(429);
      const page = await refused.text();
      expect(page).toContain('Too many &lt;tries&gt;: wait a minute.');
      expect(refused.headers.get('cache-control')).toBe('no-store');
      const failed = await site.app.request('/uncaught-error');
      expect(failed.status).toBe(500);
      expect(await failed.text()).not.toContain('secret detail');
    } finally {
      await site.close();
    }
  });
});
