import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderTextWithMath } from '../../src/web/math.js';
import { importLine, runCli } from '../cli.js';
import { LATEST_DAY, type LoadedPapers, loadTestPapers } from '../fixture-papers.js';
import { freshStore, type TestStore } from '../stores.js';
import { launchChromium, SCREENSHOTS, watchProblems, writeCorpusTail } from './chromium.js';
import { type RunningServer, startServer } from './server.js';

/**
 * The site as a user meets it: the real `paperboy serve` on a store of real papers, driven through Debian's
 * Chromium (installed by scripts/ensure-chromium.sh, which `npm test` runs first).
 */

/** The corpus's last lines: its newest listing days, 2026-06-16 to 2026-07-01. */
const CORPUS_TAIL = 3000;
const QUERY = 'gaussian splatting';

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  mobile: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} satisfies Record<string, BrowserContextOptions>;

/**
 * Sum of the layout shifts not caused by input, observed (buffered) from navigation start until `settleMs` after now.
 * A string, as the page runs it: the project compiles without the DOM library.
 */
function cumulativeLayoutShift(page: Page, settleMs = 500): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    let cls = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) cls += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve(cls), ${settleMs});
  })`);
}

describe('the site in Chromium', { timeout: 60_000 }, () => {
  let t: TestStore;
  let loaded: LoadedPapers;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  /** Console errors, page errors, failed requests and 4xx/5xx answers of the current test (favicon aside). */
  let problems: string[] = [];
  const contexts: BrowserContext[] = [];

  /** A new browser context (closed after the test) whose problems are collected. */
  async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ baseURL: base, ...VIEWPORTS.desktop, ...options });
    contexts.push(context);
    watchProblems(
      context,
      (p) => problems.push(p),
      (url) => url.pathname.startsWith('/favicon'),
    );
    return context;
  }

  async function open(path: string, options: BrowserContextOptions = {}): Promise<Page> {
    const page = await (await newContext(options)).newPage();
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    return page;
  }

  /** The first paper of the test data whose abstract has TeX that renders, and its day. */
  function paperWithMath() {
    const record = loaded.records.find((r) => renderTextWithMath(r.abstract).includes('<math'));
    if (!record) throw new Error('no paper of the test data has TeX math in its abstract');
    return record as typeof record & { listedOn: string };
  }

  beforeAll(async () => {
    t = await freshStore('sqlite');
    const tail = join(t.env.PAPERBOY_DATA_DIR!, 'corpus-tail.jsonl');
    await writeCorpusTail(tail, CORPUS_TAIL);
    const imported = await runCli(['import', tail], t.env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(importLine(imported.stdout)).toMatchObject({ new: CORPUS_TAIL, rejected: 0 });
    loaded = await loadTestPapers(t.store);
    const [started, launched] = await Promise.allSettled([startServer(t.env), launchChromium()]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const r of [started, launched]) if (r.status === 'rejected') throw r.reason;
    base = server.url;
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const found = problems;
    problems = [];
    expect(found, 'console errors or failed requests').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await t?.dispose();
  });

  it('shows the latest day on the front page without layout shift', async () => {
    const page = await open('/');
    await expect(page.title()).resolves.toBe('Daily Papers, 1 July 2026 | Paperboy');
    await expect(page.locator('h1').innerText()).resolves.toContain('1 July 2026');
    // The day leads with the papers Hugging Face listed (the community's selection), the rest one tab away.
    const selected = await page
      .locator('ol.papers > li.paper h2 a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(selected.length).toBeGreaterThan(0);
    for (const href of selected) expect(loaded.byDay.get(LATEST_DAY)!.map((id) => `/papers/${id}`)).toContain(href);
    expect(await cumulativeLayoutShift(page)).toBeLessThan(0.05);
    await page.locator('nav.tabs a', { hasText: 'All new on arXiv' }).click();
    await page.waitForURL(/\/\?show=all$/);
    expect(await page.locator('ol.papers > li.paper').count()).toBe(50);

    const mobile = await open('/', VIEWPORTS.mobile);
    expect(await cumulativeLayoutShift(mobile)).toBeLessThan(0.05);
    // Nothing wider than the phone's screen.
    expect(await mobile.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  });

  it('follows a paper link to the paper page, with its abstract and its math as MathML', async () => {
    const record = paperWithMath();
    const page = await open(`/day/${record.listedOn}`);
    await page.locator(`ol.papers a[href="/papers/${record.id}"]`).first().click();
    await page.waitForURL(`**/papers/${record.id}`);
    await expect(page.locator('h1').innerText()).resolves.toBe(record.title.replace(/\s+/g, ' ').trim());
    expect(await page.title()).toContain('| Paperboy');
    const abstract = page.locator('.abstract');
    const words = record.abstract
      .split(/\s+/)
      .filter((w) => /^[A-Za-z]{4,}$/.test(w))
      .slice(0, 5);
    for (const word of words) await expect(abstract.innerText()).resolves.toContain(word);
    const math = await abstract.locator('math').evaluateAll((nodes) =>
      nodes.map((n) => {
        const box = n.getBoundingClientRect();
        return { ns: n.namespaceURI, width: box.width, height: box.height };
      }),
    );
    expect(math.length).toBeGreaterThan(0);
    for (const m of math) {
      expect(m.ns).toBe('http://www.w3.org/1998/Math/MathML');
      expect(m.height).toBeGreaterThan(0);
    }
    expect(math.some((m) => m.width > 0)).toBe(true);
    await expect(abstract.innerText()).resolves.not.toMatch(/\$[^$\s]/);
  });

  it('draws math that temml styles under the CSP: full-size accents, colours, kerns, a title with math', async () => {
    // 2506.23165's tilde, which an inline style (blocked by style-src 'self') kept full size, and the other styles.
    await t.store.upsertPapers([
      {
        id: '2506.23165',
        source: 'arxiv-api',
        version: 1,
        title: 'Mirror Descent with $L_\\infty$ bounds',
        abstract:
          'we obtain an $\\tilde{\\mathcal{O}}\\left(\\frac{1}{T^{1/3}}\\right)$ rate, $\\color{red}{r}$, $a\\!b$ and ' +
          '$$\\begin{array}{|c|}\\hline x \\\\ \\hline\\end{array}$$ \\href{https://example.org/code}{Code}.',
        authors: ['David Bossens'],
        listedOn: '2025-07-01',
      },
    ]);
    const page = await open('/papers/2506.23165');
    await expect(page.locator('h1 math').count()).resolves.toBe(1);
    await expect(page.locator('.abstract a[href="https://example.org/code"]').innerText()).resolves.toBe('Code');
    const styles = await page.locator('.abstract').evaluate(`(() => {
      const abstract = document.querySelector('.abstract');
      const tilde = [...abstract.querySelectorAll('mo')].find((n) => n.textContent === '~');
      const style = (n) => getComputedStyle(n);
      return {
        tildeDepth: style(tilde).mathDepth,
        red: style([...abstract.querySelectorAll('mi')].find((n) => n.textContent === 'r')).color,
        kern: style(abstract.querySelector('.tex-ml-n3')).marginLeft,
        rule: style(abstract.querySelector('mtd')).borderTopStyle,
      };
    })()`);
    expect(styles).toEqual({
      tildeDepth: '0',
      red: 'rgb(255, 0, 0)',
      kern: expect.stringMatching(/^-\d/),
      rule: 'solid',
    });
  });

  it('searches from the box in the header: suggestions while typing, highlighted results on Enter', async () => {
    const page = await open('/');
    const box = page.locator('#quick-q');
    const suggested = page.waitForResponse((r) => r.url().includes('/api/papers/search'));
    await box.fill(QUERY);
    expect((await suggested).status()).toBe(200);
    await expect.poll(() => page.locator('#suggestions option').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=gaussian\+splatting$/);
    expect(await page.title()).toBe(`${QUERY} | Search | Paperboy`);
    await expect(page.locator('[role=status]').innerText()).resolves.toMatch(
      /^\d+\+? papers? for “gaussian splatting”$/,
    );
    const results = page.locator('ol.papers > li.paper');
    expect(await results.count()).toBeGreaterThan(3);
    const marks = (await results.first().locator('mark').allInnerTexts()).map((m) => m.toLowerCase());
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect(m).toMatch(/^(gaussian|splat)/);
    await expect(page.locator('#q').inputValue()).resolves.toBe(QUERY);
  });

  it('moves between days with the previous and next links', async () => {
    const page = await open('/');
    await page.locator('.daynav a[rel=prev]').click();
    await page.waitForURL('**/day/2026-06-30');
    await expect(page.locator('h1').innerText()).resolves.toContain('30 June 2026');
    expect(await page.locator('ol.papers > li.paper').count()).toBeGreaterThan(0);
    await page.locator('.daynav a[rel=prev]').click();
    await page.waitForURL('**/day/2026-06-29');
    await page.locator('.daynav a[rel=next]').click();
    await page.waitForURL('**/day/2026-06-30');
    await page.locator('.daynav a[rel=next]').click();
    await page.waitForURL('**/day/2026-07-01');
    await expect(page.locator('h1').innerText()).resolves.toContain('1 July 2026');
    expect(await page.locator('.daynav a[rel=next]').count()).toBe(0);
  });

  it('links an Atom feed from the page head that is an Atom document', async () => {
    const page = await open('/');
    const href = await page.locator('head link[rel=alternate][type="application/atom+xml"]').getAttribute('href');
    expect(href).toBeTruthy();
    const response = await page.goto(new URL(href!, page.url()).href);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^application\/atom\+xml/);
    const xml = await response!.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\s*<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/i);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'entry' || name === 'link',
    }).parse(xml) as {
      feed?: { '@_xmlns'?: string; title?: unknown; entry?: { id?: string; link?: { '@_href'?: string }[] }[] };
    };
    const feed = {
      ns: parsed.feed?.['@_xmlns'],
      entries: parsed.feed?.entry?.length ?? 0,
      firstLink: parsed.feed?.entry?.[0]?.link?.[0]?.['@_href'] ?? null,
    };
    expect(feed.ns).toBe('http://www.w3.org/2005/Atom');
    expect(feed.entries).toBeGreaterThan(0);
    expect(feed.firstLink).toMatch(/\/papers\//);
  });

  it('keyboard: the first Tab reaches the skip link, which moves focus to the main content', async () => {
    const page = await open('/');
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    await expect(focused.textContent()).resolves.toBe('Skip to content');
    await expect(focused.getAttribute('href')).resolves.toBe('#content');
    const box = await focused.boundingBox();
    expect(box && box.x >= 0 && box.y >= 0 && box.width > 0, 'the focused skip link is on screen').toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/#content');
    expect(await page.locator('main#content:focus').count(), 'focus is on the main content').toBe(1);
    // The next Tab goes on inside the main content, not back to the header.
    await page.keyboard.press('Tab');
    expect(await page.locator('main#content :focus').count(), 'the next Tab stays in the main content').toBe(1);
  });

  it('works without JavaScript: the front page and a search', async () => {
    const page = await open('/?show=all', { javaScriptEnabled: false });
    expect(await page.locator('ol.papers > li.paper').count()).toBe(50);
    await page.locator('#quick-q').fill(QUERY);
    await page.locator('#quick-q').press('Enter');
    await page.waitForURL(/\/search\?q=gaussian\+splatting$/);
    expect(await page.locator('ol.papers > li.paper').count()).toBeGreaterThan(3);
    expect(await page.locator('ol.papers mark').count()).toBeGreaterThan(0);
  });

  it("subscribes in the reader's time zone: the browser's with JavaScript, UTC to change by hand without", async () => {
    const zoneOf = (email: string) =>
      t.db.selectFrom('subscribers').select('time_zone').where('email', '=', email).executeTakeFirst();
    const subscribeFrom = async (page: Page, email: string) => {
      await page.fill('input[name="email"]', email);
      await Promise.all([page.waitForURL('**/subscribe'), page.click('form.subscribe-form button[type="submit"]')]);
      await page.locator('h1', { hasText: 'Check your inbox' }).waitFor();
    };

    const berlin = await open('/subscribe', { timezoneId: 'Europe/Berlin' });
    expect(await berlin.inputValue('select[name="time_zone"]')).toBe('Europe/Berlin');
    expect(await berlin.locator('[data-zone-note]').isVisible()).toBe(true);
    await subscribeFrom(berlin, 'berlin@example.org');
    expect(await zoneOf('berlin@example.org')).toEqual({ time_zone: 'Europe/Berlin' });

    // A zone the list does not hold under the browser's name is added to it.
    const kolkata = await open('/subscribe', { timezoneId: 'Asia/Kolkata' });
    const detected = (await kolkata.evaluate('Intl.DateTimeFormat().resolvedOptions().timeZone')) as string;
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(detected);
    expect(await kolkata.inputValue('select[name="time_zone"]')).toBe(detected);
    await subscribeFrom(kolkata, 'kolkata@example.org');
    expect(await zoneOf('kolkata@example.org')).toEqual({ time_zone: detected });

    const plain = await open('/subscribe', { timezoneId: 'Europe/Berlin', javaScriptEnabled: false });
    expect(await plain.inputValue('select[name="time_zone"]')).toBe('UTC');
    expect(await plain.locator('[data-zone-note]').isVisible()).toBe(false);
    await plain.selectOption('select[name="time_zone"]', 'America/New_York');
    await subscribeFrom(plain, 'plain@example.org');
    expect(await zoneOf('plain@example.org')).toEqual({ time_zone: 'America/New_York' });
  });

  it('saves screenshots of the front, paper and search pages, desktop and mobile, light and dark', async () => {
    const record = paperWithMath();
    const pages = { front: '/', paper: `/papers/${record.id}`, search: `/search?q=${encodeURIComponent(QUERY)}` };
    for (const [device, options] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await newContext({ ...options, colorScheme });
        const page = await context.newPage();
        for (const [name, path] of Object.entries(pages)) {
          expect((await page.goto(path))?.status(), path).toBe(200);
          expect(await page.evaluate('document.compatMode'), `${path} is laid out in standards mode`).toBe(
            'CSS1Compat',
          );
          if (device === 'mobile')
            expect(
              await page.evaluate('document.documentElement.scrollWidth'),
              `${path} fits the phone`,
            ).toBeLessThanOrEqual(390);
          await page.screenshot({ path: join(SCREENSHOTS, `${name}-${device}-${colorScheme}.png`) });
        }
        await context.close();
      }
    }
  });
});
