import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountForEmail } from '../../src/accounts/accounts.js';
import { createSession } from '../../src/accounts/sessions.js';
import { Signer } from '../../src/crypto/tokens.js';
import { setFollow } from '../../src/digest/follows.js';
import { subscriberLinks } from '../../src/digest/links.js';
import { type Alert, confirm, subscribe } from '../../src/digest/subscribers.js';
import {
  addPaper,
  collectionPapers,
  createCollection,
  savedCollection,
  setNote,
  updateCollection,
} from '../../src/library/collections.js';
import type { PaperRecord } from '../../src/model/record.js';
import { SESSION_COOKIE } from '../../src/web/session.js';
import { importLine, runCli } from '../cli.js';
import { freshStore, type TestStore } from '../stores.js';
import { launchChromium, SCREENSHOTS, watchProblems, writeCorpusTail } from './chromium.js';
import { paperPagePng } from './page-image.js';
import { type RunningServer, startServer } from './server.js';

/**
 * The layout as a new reader meets it (issue 12): the real `paperboy serve` on real papers, some with thumbnails, some
 * with hostile text, in Debian's Chromium at phone to wide-desktop widths, light and dark. Screenshots go to
 * test-output/screenshots/<page>-<width>-<light|dark>.png.
 */

const CORPUS_TAIL = 1200;
const WIDTHS = [320, 390, 768, 1280, 1920] as const;
const HEIGHTS: Record<(typeof WIDTHS)[number], number> = { 320: 640, 390: 844, 768: 1024, 1280: 900, 1920: 1080 };
const SCHEMES = ['light', 'dark'] as const;
const THUMB = { width: 400, height: 519 };

const LONG_WORD = 'Supercalifragilisticexpialidociousneuralarchitecturesearch'.repeat(4);
const HOSTILE: PaperRecord[] = [
  {
    id: '2607.90001',
    source: 'hf-daily',
    title: `${LONG_WORD}: one word longer than any screen`,
    abstract: `An abstract with an unbroken ${LONG_WORD} and https://example.org/${'a'.repeat(300)} in it.`,
    authors: [`${'Longname'.repeat(12)} Person`, 'Ada Lovelace'],
    primaryCategory: 'cs.LG',
    categories: ['cs.LG'],
    upvotes: 7,
    submittedBy: `${'averyverylongsubmitter'.repeat(3)}`,
  },
  {
    id: '2607.90002',
    source: 'hf-daily',
    title: 'نماذج اللغة الكبيرة للغة العربية: تقييم شامل عبر المهام والمجالات',
    abstract: 'نقدم تقييما شاملا لنماذج اللغة الكبيرة على مهام اللغة العربية. (An abstract that reads right to left.)',
    authors: ['محمد علي', 'فاطمة الزهراء', 'יוסף כהן'],
    primaryCategory: 'cs.CL',
    categories: ['cs.CL', 'cs.AI'],
    upvotes: 6,
    numComments: 2,
    submittedBy: 'محمد',
  },
  {
    id: '2607.90003',
    source: 'hf-daily',
    title: 'A Collaboration of Fifty Authors on Very Large Scale Evaluation of Everything, Everywhere, All at Once',
    abstract: 'Fifty authors, eight categories, many stars.',
    authors: Array.from({ length: 50 }, (_, i) => `Author Number${i + 1} Surname${'x'.repeat(i % 7)}`),
    primaryCategory: 'stat.ML',
    categories: ['stat.ML', 'cs.LG', 'cs.AI', 'cs.CL', 'cs.CV', 'math.OC', 'eess.SP', 'q-bio.NC'],
    upvotes: 5,
    githubRepo: 'https://github.com/example/fifty-authors',
    githubStars: 123_456,
    submittedBy: 'grace_h',
  },
];

/** Signs the preferences link the way the server does. */
const SECRET = 'the-layout-test-secret-for-subscriber-links';
const LONG_EMAIL = `${'a.very.long.local.part'.repeat(3)}@${'department.'.repeat(4)}example.org`;
/** A subscriber with every alert the form allows, the longest of each kind, in a zone with a long name. */
const MANY_ALERTS: Alert[] = [
  ...[
    'cs.CL',
    'cs.LG',
    'cs.AI',
    'cs.CV',
    'cs.IR',
    'stat.ML',
    'math.PR',
    'math.OC',
    'eess.SP',
    'q-bio.NC',
    'physics.comp-ph',
    'cond-mat.dis-nn',
  ].map((value) => ({ kind: 'category' as const, value })),
  ...[
    'Yoshua Bengio',
    'محمد علي',
    `${'Longname'.repeat(8)} Person`,
    'Ada Lovelace',
    'Grace Hopper',
    'Preslav Nakov',
  ].map((value) => ({ kind: 'author' as const, value })),
  ...[
    `q=${encodeURIComponent(LONG_WORD)}`,
    'q=constacyclic+codes',
    'q=diffusion&cat=cs.CV',
    `q=${encodeURIComponent('"retrieval augmented generation" -survey large language models for scientific discovery')}`,
    'q=micro-ultrasound',
    'q=graph+neural+networks&cat=cs.LG&cat=stat.ML&cat=cs.AI',
    'q=%D9%86%D9%85%D8%A7%D8%B0%D8%AC',
    'q=mixture+of+experts',
    'q=speculative+decoding',
    'q=gaussian+splatting',
    'q=protein+folding',
    'q=reinforcement+learning+from+human+feedback',
  ].map((value) => ({ kind: 'search' as const, value })),
];
/** What a reader could send: an address longer than the screen, a word longer still, right-to-left text. */
const HOSTILE_FORM = {
  email: `${'x'.repeat(80)}@example.org`,
  categories: `cs.CL, ${LONG_WORD}!, \u202Egnp.sc`,
  searches: `${LONG_WORD}\nhttps://example.org/${'a'.repeat(200)}?`,
};

/** Handles for the Hugging Face submitters of the day's papers. */
const SUBMITTERS = ['akhaliq', 'grace_h', 'JeanPierre', 'x', 'mlbench-team', 'nielsr'];

/** Sum of the layout shifts not caused by input since navigation, collected by an init script. */
const CLS_OBSERVER = `window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: 'layout-shift', buffered: true });`;

/**
 * What sticks out of the viewport sideways: the page's scroll width and the outermost elements past either edge (not
 * counting those clipped by a scrolling or clipping box that fits, nor the skip link parked off screen). A string, as
 * the page runs it: the project compiles without the DOM library.
 */
const OVERFLOW = `(() => {
  const width = window.innerWidth;
  const clippedByFittingBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX === 'visible') continue;
      const r = p.getBoundingClientRect();
      return r.left >= -0.5 && r.right <= width + 0.5;
    }
    return false;
  };
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('.skip')) continue;
    if (r.right <= width + 0.5 && r.left >= -0.5) continue;
    if (clippedByFittingBox(el)) continue;
    if (offenders.some((o) => o.el.contains(el))) continue;
    const path = [];
    for (let p = el; p && p !== document.body && path.length < 4; p = p.parentElement) path.unshift(describe(p));
    offenders.push({ el, text: path.join(' > ') + ' [' + Math.round(r.left) + '..' + Math.round(r.right) + ']' });
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width,
    offenders: offenders.slice(0, 8).map((o) => o.text),
  };
})()`;

/**
 * Parts of a card whose drawn content overlaps (the upvote box once covered the authors): the boxes of their lines of
 * text, buttons, images and avatars, so that a title beside a floated thumbnail does not count.
 */
const CARD_OVERLAPS = `(() => {
  const overlaps = [];
  const drawn = (el) => {
    if (el.classList.contains('thumb')) return [el.getBoundingClientRect()];
    const rects = [...el.querySelectorAll('button, img, .avatar')].map((b) => b.getBoundingClientRect());
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (text.parentElement.closest('.vh')) continue; // read out, not drawn
      const range = document.createRange();
      range.selectNodeContents(text);
      rects.push(...range.getClientRects());
    }
    return rects.filter((r) => r.width > 0 && r.height > 0);
  };
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const name = (el) => el.className || el.tagName.toLowerCase();
  for (const card of document.querySelectorAll('ol.papers > li.paper')) {
    const parts = [
      card.querySelector(':scope > .thumb'),
      ...card.querySelectorAll(':scope > .card > *:not(.actions)'),
      ...card.querySelectorAll(':scope > .card > .actions > *'),
    ].filter(Boolean);
    for (let i = 0; i < parts.length; i++)
      for (let j = i + 1; j < parts.length; j++)
        if (drawn(parts[i]).some((a) => drawn(parts[j]).some((b) => meet(a, b))))
          overlaps.push(card.querySelector('h2, h3').textContent.slice(0, 40) + ': ' + name(parts[i]) + ' / ' + name(parts[j]));
  }
  return overlaps.slice(0, 10);
})()`;

describe('the layout in Chromium: cards, header and pages at every width, light and dark', { timeout: 600_000 }, () => {
  let t: TestStore;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  let pages: Record<string, string>;
  /** Pages with hostile text, checked for overflow beside the others. */
  let hostilePages: Record<string, string>;
  /** Confirmation links, one for each time the confirmation page is shown (a link confirms once). */
  const confirmLinks: string[] = [];
  let thumbnailsOnHome = 0;
  let problems: string[] = [];
  const contexts: BrowserContext[] = [];

  async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 }, ...options });
    contexts.push(context);
    watchProblems(
      context,
      (p) => {
        // A thumbnail still loading when the test moves on to the next page is cut off, as in any browser.
        if (!/^request failed: GET \S+\/thumbnails\/\S+: net::ERR_ABORTED$/.test(p)) problems.push(p);
      },
      (url) => url.pathname.startsWith('/favicon'),
    );
    return context;
  }

  // Each context is its own reader for the rate limits (the server trusts X-Forwarded-For here), as on a real site.
  let readers = 0;
  const sized = (width: (typeof WIDTHS)[number], colorScheme: 'light' | 'dark' = 'light') =>
    newContext({
      viewport: { width, height: HEIGHTS[width] },
      colorScheme,
      extraHTTPHeaders: { 'X-Forwarded-For': `198.51.100.${++readers % 250}` },
      ...(width < 768 ? { isMobile: true, hasTouch: true } : {}),
    });

  async function visit(page: Page, path: string): Promise<void> {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    // The thumbnails on the first screen, loaded.
    await until(
      page,
      '[...document.images].filter((i) => i.getBoundingClientRect().top < innerHeight).every((i) => i.complete)',
    );
  }

  /**
   * Polls `expression` in the page until it is true. (Playwright's waitForFunction evaluates a string with eval, which
   * the site's Content-Security-Policy refuses.)
   */
  async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await page.evaluate(expression))) {
      if (Date.now() > end) throw new Error(`still false after ${timeoutMs} ms: ${expression}`);
      await sleep(50);
    }
  }

  beforeAll(async () => {
    t = await freshStore('sqlite');
    const tail = join(t.env.PAPERBOY_DATA_DIR!, 'corpus-tail.jsonl');
    await writeCorpusTail(tail, CORPUS_TAIL);
    const imported = await runCli(['import', tail], t.env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(importLine(imported.stdout)).toMatchObject({ new: CORPUS_TAIL, rejected: 0 });

    const latest = (await t.store.neighbourDays('9999-12-31')).previous!;
    const previous = (await t.store.neighbourDays(latest)).previous!;
    const ofDay = await t.store.listPapers({ from: latest, to: latest, sort: 'date', limit: 30 });
    // The day's selection as Hugging Face would list it: upvotes, comments, submitters, code with stars.
    const picked = ofDay.slice(0, 12);
    await t.store.upsertPapers([
      ...picked.map(
        (p, i): PaperRecord => ({
          id: p.id,
          source: 'hf-daily',
          title: p.title,
          abstract: '',
          dailyOn: latest,
          upvotes: 120 - i * 9,
          numComments: i % 4,
          submittedBy: SUBMITTERS[i % SUBMITTERS.length],
          ...(i % 3 === 0
            ? {}
            : { githubRepo: `https://github.com/example/repo-${i}`, githubStars: [0, 12, 1_234, 45_678][i % 4] }),
        }),
      ),
      ...HOSTILE.map((r) => ({ ...r, listedOn: latest, dailyOn: latest })),
    ]);
    // Most of them have their first page; a few are still waiting for it (and show the placeholder).
    const withThumbnail = [...picked.filter((_, i) => i % 4 !== 3), ...ofDay.slice(12, 24)].map((p) => p.id);
    withThumbnail.push(HOSTILE[0]!.id, HOSTILE[2]!.id);
    for (const [i, id] of withThumbnail.entries())
      expect(
        await t.store.saveThumbnail(id, {
          bytes: paperPagePng(THUMB.width, THUMB.height, i),
          type: 'image/png',
          ...THUMB,
        }),
      ).toBe(true);
    thumbnailsOnHome = picked.filter((_, i) => i % 4 !== 3).length + 2;

    const rich = picked[1]!;
    const author = (await t.store.getPaper(rich.id))!.authors[0]!;
    pages = {
      home: '/',
      day: `/day/${previous}`,
      trending: '/trending',
      paper: `/papers/${rich.id}`,
      search: '/search?q=language+models',
      author: `/authors/${encodeURIComponent(author)}`,
    };
    // A subscriber with many long alerts, for the preferences page; pending ones, for the confirmation page.
    const now = new Date();
    const prefs = { frequency: 'weekly' as const, weekday: 5, hour: 8, trending: true };
    const many = await subscribe(
      t.db,
      LONG_EMAIL,
      { ...prefs, timeZone: 'America/North_Dakota/New_Salem', alerts: MANY_ALERTS },
      now,
    );
    if (many.kind !== 'confirm') throw new Error('the subscriber with many alerts is new');
    await confirm(t.db, many.token, now);
    const preferences = subscriberLinks('', new Signer(SECRET), many.subscriber.id).preferencesUrl;
    for (let i = 0; i < WIDTHS.length * (SCHEMES.length + 1); i++) {
      const pending = await subscribe(
        t.db,
        `${i}.${LONG_EMAIL}`,
        { ...prefs, timeZone: 'America/Argentina/Rio_Gallegos', alerts: MANY_ALERTS },
        now,
      );
      if (pending.kind !== 'confirm') throw new Error('a pending subscriber is new');
      confirmLinks.push(`/subscribe/confirm?token=${encodeURIComponent(pending.token)}`);
    }
    hostilePages = {
      'subscribe-alerts': `/subscribe?${new URLSearchParams([
        ...MANY_ALERTS.filter((a) => a.kind === 'search').map((a): [string, string] => [
          'search',
          `/search?${a.value}`,
        ]),
        ...MANY_ALERTS.filter((a) => a.kind === 'category').map((a): [string, string] => ['category', a.value]),
        ...MANY_ALERTS.filter((a) => a.kind === 'author').map((a): [string, string] => ['author', a.value]),
      ])}`,
      preferences: `${preferences}&saved=1`,
      'long-word': `/papers/${HOSTILE[0]!.id}`,
      rtl: `/papers/${HOSTILE[1]!.id}`,
      'fifty-authors': `/papers/${HOSTILE[2]!.id}`,
      'long-author': `/authors/${encodeURIComponent(HOSTILE[0]!.authors![0]!)}`,
      'search-hostile': `/search?q=${encodeURIComponent('supercalifragilisticexpialidociousneuralarchitecturesearch')}`,
      subscribe: '/subscribe',
      signin: '/signin',
      docs: '/docs',
      about: '/about',
      week: '/week',
      month: '/month',
      category: '/categories/cs.LG',
      'not-found': '/no/such/page',
    };

    const [started, launched] = await Promise.allSettled([
      startServer({ ...t.env, PAPERBOY_THUMBNAILS_CRON: 'off', PAPERBOY_SECRET: SECRET, PAPERBOY_TRUST_PROXY: 'true' }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const r of [started, launched]) if (r.status === 'rejected') throw r.reason;
    base = server.url;
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 180_000);

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

  it('saves screenshots of home, day, trending, paper, search and author at 320 to 1920 px, light and dark', async () => {
    for (const scheme of SCHEMES) {
      for (const width of WIDTHS) {
        const page = await (await sized(width, scheme)).newPage();
        for (const [name, path] of Object.entries(pages)) {
          await visit(page, path);
          await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}-${scheme}.png`) });
        }
        // The paper page whole, with its facts and related papers, on a phone and a desktop.
        if (width === 390 || width === 1280) {
          await visit(page, pages.paper!);
          await page.screenshot({ path: join(SCREENSHOTS, `paper-full-${width}-${scheme}.png`), fullPage: true });
          await visit(page, hostilePages['fifty-authors']!);
          await page.screenshot({ path: join(SCREENSHOTS, `hostile-paper-${width}-${scheme}.png`), fullPage: true });
        }
      }
    }
  });

  it('has no page wider than the viewport at any width, hostile titles and names included', async () => {
    const found: string[] = [];
    for (const width of WIDTHS) {
      const page = await (await sized(width)).newPage();
      for (const [name, path] of Object.entries({ ...pages, ...hostilePages })) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(name === 'not-found' ? 404 : 200);
        if (name === 'not-found') problems = problems.filter((p) => !p.includes('/no/such/page'));
        const r = (await page.evaluate(OVERFLOW)) as { scrollWidth: number; width: number; offenders: string[] };
        if (r.scrollWidth > r.width || r.offenders.length)
          found.push(`${name} at ${width}px is ${r.scrollWidth}px wide: ${r.offenders.join('; ')}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('shows the subscription pages whole at every width, light and dark: the form with many alerts, its errors, the confirmation and the saved preferences', async () => {
    const found: string[] = [];
    const check = async (page: Page, name: string, width: number, scheme: string) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}-${scheme}.png`), fullPage: true });
      const r = (await page.evaluate(OVERFLOW)) as { scrollWidth: number; width: number; offenders: string[] };
      if (r.scrollWidth > r.width || r.offenders.length)
        found.push(`${name} at ${width}px ${scheme} is ${r.scrollWidth}px wide: ${r.offenders.join('; ')}`);
    };
    let confirmations = 0;
    for (const scheme of SCHEMES) {
      for (const width of WIDTHS) {
        const page = await (await sized(width, scheme)).newPage();
        await visit(page, hostilePages['subscribe-alerts']!);
        await check(page, 'subscribe-alerts', width, scheme);

        // Refused, with the reader's input kept and the problems listed above the form.
        await page.fill('input[name="email"]', HOSTILE_FORM.email);
        await page.fill('textarea[name="categories"]', HOSTILE_FORM.categories);
        await page.fill('textarea[name="searches"]', HOSTILE_FORM.searches);
        await Promise.all([page.waitForURL('**/subscribe'), page.click('form.subscribe-form button[type="submit"]')]);
        expect(await page.locator('.errors li').count()).toBeGreaterThan(0);
        expect(await page.inputValue('textarea[name="categories"]')).toBe(HOSTILE_FORM.categories);
        await check(page, 'subscribe-errors', width, scheme);

        await visit(page, confirmLinks[confirmations++]!);
        await Promise.all([page.waitForURL('**/subscribe/confirm?*'), page.click('main button[type="submit"]')]);
        await page.locator('h1', { hasText: 'You are subscribed' }).waitFor();
        await check(page, 'subscribe-confirmed', width, scheme);

        await visit(page, hostilePages.preferences!);
        expect(await page.locator('[role="status"]').innerText()).toContain('Saved.');
        await check(page, 'preferences', width, scheme);
      }
    }
    // The refused form is answered 400, as it should be.
    problems = problems.filter(
      (p) =>
        !/^HTTP 400 for POST \S+\/subscribe$/.test(p) &&
        !/^console error on \S+\/subscribe: Failed to load resource: .* 400 /.test(p),
    );
    expect(found).toEqual([]);
  });

  it('keeps the parts of every card apart at every width', async () => {
    const found: string[] = [];
    for (const width of WIDTHS) {
      const page = await (await sized(width)).newPage();
      for (const path of [pages.home!, pages.search!]) {
        await visit(page, path);
        for (const overlap of (await page.evaluate(CARD_OVERLAPS)) as string[])
          found.push(`${path} at ${width}px: ${overlap}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('fits the header on one line from 1024 px up, and shows the first paper in the first screen of a phone', async () => {
    for (const width of [1024, 1280, 1920]) {
      const page = await (await newContext({ viewport: { width, height: 800 } })).newPage();
      await visit(page, '/');
      const boxes = (await page.evaluate(`[...document.querySelectorAll('header.site .wrap > *')].map((el) => {
        const r = el.getBoundingClientRect();
        return { name: el.className || el.tagName, top: r.top, bottom: r.bottom, visible: r.width > 0 };
      })`)) as { name: string; top: number; bottom: number; visible: boolean }[];
      const shown = boxes.filter((b) => b.visible);
      expect(shown.map((b) => b.name)).toEqual(['brand', 'main', 'quick', 'account']);
      const middle = (b: { top: number; bottom: number }) => (b.top + b.bottom) / 2;
      for (const b of shown) expect(Math.abs(middle(b) - middle(shown[0]!)), `${b.name} at ${width}px`).toBeLessThan(4);
      // Every navigation item on that line too: nothing wraps inside the navigation.
      const navTops = (await page.evaluate(
        `[...document.querySelectorAll('nav.main a')].map((a) => Math.round(a.getBoundingClientRect().top))`,
      )) as number[];
      expect(new Set(navTops).size, `navigation items on one line at ${width}px`).toBe(1);
    }
    for (const width of [320, 390] as const) {
      const page = await (await sized(width)).newPage();
      await visit(page, '/');
      const header = (await page.evaluate(
        `document.querySelector('header.site').getBoundingClientRect().height`,
      )) as number;
      expect(header, `the header at ${width}px`).toBeLessThan(100);
      const title = (await page.evaluate(
        `document.querySelector('ol.papers > li.paper h2').getBoundingClientRect().bottom`,
      )) as number;
      expect(title, `the first paper's title at ${width}px is on the first screen`).toBeLessThan(HEIGHTS[width]);
    }
  });

  it('passes an axe-core audit on every page type with no serious or critical violation, light and dark', async () => {
    const audited = {
      ...pages,
      subscribe: '/subscribe',
      preferences: hostilePages.preferences!,
      signin: '/signin',
      docs: '/docs',
      about: '/about',
      rtl: hostilePages.rtl!,
    };
    const found: string[] = [];
    // Every page on a desktop in light and on a phone in dark (the audit takes seconds a page); the front page also
    // the other way round, for what only one layout shows (the header's search box).
    for (const [width, scheme, names] of [
      [1280, 'light', Object.keys(audited)],
      [390, 'dark', Object.keys(audited)],
      [1280, 'dark', ['home']],
      [390, 'light', ['home']],
    ] as const) {
      const page = await (await sized(width, scheme)).newPage();
      for (const name of names) {
        const path = audited[name as keyof typeof audited];
        await visit(page, path);
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
          found.push(
            `${name} ${width}px ${scheme}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
              .slice(0, 3)
              .map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`)
              .join(' | ')}`,
          );
      }
    }
    expect(found).toEqual([]);
  });

  it('does not shift the home page while its thumbnails load (CLS < 0.05), on a desktop and a phone', async () => {
    for (const width of [1280, 390] as const) {
      const context = await sized(width);
      let served = 0;
      // Thumbnails arrive slowly and out of order, as over a real network.
      await context.route('**/thumbnails/**', async (route) => {
        await sleep(300 + ((served++ * 137) % 500));
        await route.continue();
      });
      await context.addInitScript(CLS_OBSERVER);
      const page = await context.newPage();
      expect((await page.goto('/'))?.status()).toBe(200);
      // Down the page and back, so every lazy thumbnail loads while the reader could be looking.
      const height = (await page.evaluate('document.documentElement.scrollHeight')) as number;
      for (let y = 0; y <= height; y += HEIGHTS[width] / 2) {
        await page.evaluate(`window.scrollTo(0, ${y})`);
        await sleep(120);
      }
      await until(page, '[...document.images].every((i) => i.complete)', 20_000);
      await sleep(300);
      const loaded = (await page.evaluate(
        `[...document.querySelectorAll('.thumb img')].filter((i) => i.naturalWidth > 0).length`,
      )) as number;
      expect(loaded, `thumbnails loaded at ${width}px`).toBeGreaterThanOrEqual(thumbnailsOnHome);
      const cls = (await page.evaluate('window.__cls')) as number;
      console.log(`cumulative layout shift of the home page at ${width}px, ${loaded} thumbnails loading: ${cls}`);
      expect(cls).toBeLessThan(0.05);
    }
  });

  it('lays out the library signed in (screenshots, no overflow, axe) and saves a paper with a click', async () => {
    const now = new Date();
    const { account } = await accountForEmail(t.db, 'reader@example.org', now);
    const session = await createSession(t.db, account.id, now);
    const latest = (await t.store.neighbourDays('9999-12-31')).previous!;
    const papers = await t.store.listPapers({ from: latest, to: latest, limit: 8 });
    const saved = await savedCollection(t.db, account.id, now);
    const group = await createCollection(t.db, account.id, { name: `Reading group: ${LONG_WORD.slice(0, 60)}` }, now);
    for (const [i, p] of [...papers.slice(0, 3), ...HOSTILE.map((h) => ({ id: h.id }))].entries()) {
      await addPaper(t.db, account.id, saved.id, p.id, now);
      await addPaper(t.db, account.id, group.id, p.id, now);
      if (i % 2 === 0)
        await setNote(t.db, account.id, group.id, p.id, `Note ${i}: read section 3 again.\n${LONG_WORD}`, now);
    }
    const shared = await updateCollection(t.db, account.id, group.id, { visibility: 'link' }, now);
    // Follows, listed on the account page with their Unfollow buttons (a long name among them).
    for (const follow of [
      { kind: 'category', value: 'cs.CL' },
      { kind: 'author', value: papers[0]!.authors[0] ?? 'Ada Lovelace' },
      { kind: 'author', value: `Ada ${LONG_WORD.slice(0, 80)}` },
    ] as const)
      await setFollow(t.db, account, follow, true, now);
    const library = {
      library: '/library',
      collection: `/library/${group.id}`,
      shared: `/library/shared/${shared.shareId}`,
      'paper-signed-in': pages.paper!,
      // Ranked on the saves above, each card with its reasons and its two buttons.
      'for-you': `/for-you?date=${latest}`,
      account: '/account',
    };
    // "For you" opens in the background of `serve` (it reads every paper once); until then the page says so.
    for (let i = 0; !server.output().includes('for-you ranking ready'); i++) {
      if (i > 200) throw new Error(`For you did not open:\n${server.output()}`);
      await sleep(100);
    }

    const signedIn = async (width: (typeof WIDTHS)[number], scheme: 'light' | 'dark' = 'light') => {
      const context = await sized(width, scheme);
      await context.addCookies([{ name: SESSION_COOKIE, value: session, url: base }]);
      return context.newPage();
    };
    const found: string[] = [];
    for (const scheme of SCHEMES) {
      for (const width of [390, 1280] as const) {
        const page = await signedIn(width, scheme);
        for (const [name, path] of Object.entries(library)) {
          await visit(page, path);
          await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}-${scheme}.png`), fullPage: true });
        }
      }
    }
    for (const width of WIDTHS) {
      const page = await signedIn(width);
      for (const [name, path] of Object.entries(library)) {
        await visit(page, path);
        const r = (await page.evaluate(OVERFLOW)) as { scrollWidth: number; width: number; offenders: string[] };
        if (r.scrollWidth > r.width || r.offenders.length)
          found.push(`${name} at ${width}px is ${r.scrollWidth}px wide: ${r.offenders.join('; ')}`);
        for (const overlap of (await page.evaluate(CARD_OVERLAPS)) as string[])
          found.push(`${name} at ${width}px: ${overlap}`);
      }
    }
    for (const [width, scheme] of [
      [1280, 'light'],
      [390, 'dark'],
    ] as const) {
      const page = await signedIn(width, scheme);
      for (const [name, path] of Object.entries(library)) {
        await visit(page, path);
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
          found.push(`${name} ${width}px ${scheme}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes[0]?.target.join(' ')}`);
      }
    }
    expect(found).toEqual([]);

    // Save on a card of the front page, with JavaScript: the button turns to Saved in place.
    const page = await signedIn(1280);
    await visit(page, '/');
    const unsaved = papers.find((p) => !HOSTILE.some((h) => h.id === p.id) && papers.indexOf(p) >= 3) ?? papers[3]!;
    const button = page.locator(`button[data-save="${unsaved.id}"]`).first();
    await expect(button.getAttribute('aria-pressed')).resolves.toBe('false');
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
    expect(page.url()).toBe(`${base}/`);
    expect((await collectionPapers(t.db, saved.id)).map((i) => i.paper.id)).toContain(unsaved.id);
    // Without JavaScript the same form posts, and the paper's page says it is no longer saved. (The site sends
    // Referrer-Policy: no-referrer, so the form cannot come back to the page it was on, as with Upvote.)
    const context = await newContext({ javaScriptEnabled: false });
    await context.addCookies([{ name: SESSION_COOKIE, value: session, url: base }]);
    const plain = await context.newPage();
    await visit(plain, '/');
    await plain.locator(`button[data-save="${unsaved.id}"]`).first().click();
    await plain.waitForURL(`${base}/papers/${unsaved.id}`);
    await expect(plain.locator('.paper-main button[data-save]').getAttribute('aria-pressed')).resolves.toBe('false');
    expect((await collectionPapers(t.db, saved.id)).map((i) => i.paper.id)).not.toContain(unsaved.id);

    // For you: with JavaScript, Not interested dims the card in place and the same button takes it back; without, the
    // form comes back to the next card's place with the paper gone down, and Reset brings it back.
    const forYou = library['for-you'];
    await visit(page, forYou);
    const first = page.locator('li.paper').first();
    const dismiss = first.locator('form[data-not-interested] button');
    await dismiss.click();
    await expect.poll(() => dismiss.getAttribute('aria-pressed')).toBe('true');
    await expect(first.getAttribute('class')).resolves.toContain('dismissed');
    await dismiss.click();
    await expect.poll(() => dismiss.getAttribute('aria-pressed')).toBe('false');
    await visit(plain, forYou);
    const [top, next] = await plain.locator('li.paper').evaluateAll((cards) => cards.slice(0, 2).map((c) => c.id));
    await plain.locator('li.paper').first().locator('form[data-not-interested] button').click();
    await plain.waitForURL(`${base}${forYou}#${next}`);
    await expect(plain.locator('li.paper').first().getAttribute('id')).resolves.not.toBe(top);
    await expect(plain.locator(`li.paper[id="${next}"]`).count()).resolves.toBe(1);
    // Reset starts from now: the mark goes, and the saves made before it no longer rank (the follows still do).
    await plain.locator('.fy-reset button').click();
    await plain.waitForURL(`${base}${forYou}&reset=done`);
    await expect(plain.locator('p.notice[role="status"]').first().textContent()).resolves.toContain(
      'Your ranking starts from now',
    );
    await expect(plain.locator('li.paper .reason.closest').count()).resolves.toBe(0);
    await expect(plain.locator('li.paper form[data-not-interested] button[aria-pressed="true"]').count()).resolves.toBe(
      0,
    );
  });

  it('shares a paper: the address copied with JavaScript, a plain link to it without', async () => {
    const context = await newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    await visit(page, pages.paper!);
    const share = page.locator('.paper-main a[data-share]');
    const href = await share.getAttribute('href');
    expect(href).toMatch(/^\/papers\/\d{4}\.\d{4,5}$/);
    // Beside the title: upvote and share on the first screen, with the arXiv id and who submitted it.
    for (const selector of ['.paper-main form[data-upvote] button', '.paper-main a[data-share]', '.paper-main .byline'])
      expect((await page.locator(selector).boundingBox())!.y, selector).toBeLessThan(900);
    await expect(page.locator('.kicker').innerText()).resolves.toContain(`arXiv:${pages.paper!.split('/').pop()}`);
    await share.click();
    // The clipboard answers asynchronously.
    await expect.poll(() => page.locator('[data-share-status]').innerText()).toBe('Link copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${base}${href}`);
    expect(page.url()).toBe(`${base}${pages.paper}`);

    const plain = await (await newContext({ javaScriptEnabled: false })).newPage();
    await visit(plain, pages.paper!);
    await plain.locator('.paper-main a[data-share]').click();
    await plain.waitForURL(`${base}${href}`);
  });
});
