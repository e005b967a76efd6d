import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createDigestRunner } from '../../src/digest/run.js';
import { confirm, subscribe } from '../../src/digest/subscribers.js';
import { readJsonlDump } from '../../src/ingest/jsonl-dump.js';
import { createSmtpTransport } from '../../src/mail/transport.js';
import type { PaperRecord } from '../../src/model/record.js';
import { createSearchService } from '../../src/search/search.js';
import { CORPUS } from '../corpus.js';
import { startTestSmtp, type TestSmtp } from '../smtp-server.js';
import { freshStore, type TestStore } from '../stores.js';
import { launchChromium, SCREENSHOTS } from './chromium.js';

/**
 * The weekly digest as a reader opens it (issue 15): real papers with TeX from the corpus, one with an unbreakable
 * formula, a week of them, read back from a real SMTP server and shown in Chromium at a phone's and a mail pane's
 * width, light and dark. Screenshots go to test-output/screenshots/digest-<width>-<light|dark>[-top].png.
 */
const WEEK = ['2026-06-29', '2026-06-30', '2026-07-01', '2026-07-02', '2026-07-03'];
const WIDTHS = [390, 600] as const;
const UNBREAKABLE = `$${'\\mathcal{F}_{q^{m}}'.repeat(30)}$`;

describe('the weekly digest in a mail pane', () => {
  let t: TestStore;
  let smtp: TestSmtp;
  let browser: Browser;
  let html = '';
  let text = '';

  beforeAll(async () => {
    const tex: PaperRecord[] = [];
    for await (const e of readJsonlDump(CORPUS)) {
      if (e.ok && /\$[^$]+\$/.test(e.record.title + e.record.abstract)) tex.push(e.record);
      if (tex.length === 60) break;
    }
    const records = tex.map((r, i) => ({
      ...r,
      listedOn: WEEK[i % WEEK.length]!,
      dailyOn: undefined,
      upvotes: i % 4 === 0 ? 60 - i : 0,
      primaryCategory: 'math.IT',
      categories: ['math.IT', 'cs.IT'],
    }));
    records[0] = { ...records[0]!, title: `Codes over ${UNBREAKABLE} and more`, upvotes: 99 };
    t = await freshStore('sqlite');
    await t.store.upsertPapers(records);
    const search = await createSearchService(t.store, t.db);
    smtp = await startTestSmtp();
    const now = new Date('2026-07-05T09:00:00Z');
    const out = await subscribe(
      t.db,
      'reader@example.org',
      {
        frequency: 'weekly',
        weekday: 7,
        hour: 8,
        timeZone: 'UTC',
        trending: true,
        alerts: [
          { kind: 'category', value: 'math.IT' },
          { kind: 'author', value: records[5]?.authors?.at(-1) ?? 'Ada Lovelace' },
          { kind: 'search', value: 'q=codes' },
        ],
      },
      now,
    );
    if (out.kind === 'confirm') await confirm(t.db, out.token, now);
    const transport = createSmtpTransport(smtp.url, { connections: 1 });
    await createDigestRunner({
      store: t.store,
      db: t.db,
      transport,
      secret: 'a-test-secret-that-is-long-enough-to-pass',
      search: async () => search,
      clock: () => now,
      config: loadConfig({
        PAPERBOY_BASE_URL: 'https://papers.example.org',
        SMTP_URL: smtp.url,
        PAPERBOY_MAIL_RATE: '0',
      }),
    }).run(now);
    transport.close();
    search.close();
    const mail = smtp.received[0]!.parsed;
    html = mail.html as string;
    text = mail.text ?? '';
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await smtp?.close();
    await t?.dispose();
  });

  it('shows formulas as text a mail client can show: no TeX left in either part', () => {
    expect(html).toContain('ℱ_(qᵐ)ℱ_(qᵐ)');
    for (const part of [text, html.replace(/<[^>]+>/g, '')]) {
      expect(part).not.toMatch(/\\(mathcal|mathbb|frac|alpha|leq)\b/);
      expect(part).not.toMatch(/\$[^$\s]+\$/);
    }
  });

  for (const width of WIDTHS)
    for (const scheme of ['light', 'dark'] as const)
      it(`fits ${width} px (${scheme}): no sideways scrolling, headings not link-blue`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
        try {
          await page.setContent(html, { waitUntil: 'load' });
          const r = (await page.evaluate(`({
            scrollWidth: document.documentElement.scrollWidth,
            heading: getComputedStyle(document.querySelector('h2 a')).color,
            body: getComputedStyle(document.body).color,
          })`)) as { scrollWidth: number; heading: string; body: string };
          await page.screenshot({ path: join(SCREENSHOTS, `digest-${width}-${scheme}.png`), fullPage: true });
          await page.screenshot({ path: join(SCREENSHOTS, `digest-${width}-${scheme}-top.png`) });
          expect(r.scrollWidth).toBeLessThanOrEqual(width);
          expect(r.heading).toBe(r.body);
        } finally {
          await page.close();
        }
      });
});
