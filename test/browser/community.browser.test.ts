import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiFeed, type RawPaper, readDay } from '../arxiv-fixtures.js';
import { importLine, runCli } from '../cli.js';
import { closedPort } from '../ports.js';
import { startTestSmtp, type TestSmtp } from '../smtp-server.js';
import { engines, freshStore, type TestStore } from '../stores.js';
import { launchChromium, SCREENSHOTS, watchProblems, writeCorpusTail } from './chromium.js';
import { type RunningServer, startServer } from './server.js';

/**
 * The research community as a reader meets it (issue 6): the real `paperboy serve` on a store of real papers, a real
 * SMTP server on loopback that receives the sign-in link, and an arXiv API on loopback for the submitted paper, driven
 * through Debian's Chromium. One reader goes through it in order: signs in from the inbox, upvotes, submits, comments,
 * replies, signs out.
 */

/** The corpus's last lines: a few hundred papers of its newest listing days. */
const CORPUS_TAIL = 400;
const EMAIL = 'ada@example.org';
const COMMENT = '**bold** and $x^2$';
const REPLY = 'A reply with `code`.';

/** An ISO time without milliseconds, as the arXiv API writes it. */
const arxivTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

describe.each(engines)(
  'the community in Chromium on %s: sign in by mail, upvote, submit, discuss',
  { timeout: 60_000 },
  (engine) => {
    let t: TestStore;
    let smtp: TestSmtp;
    let arxiv: Server;
    const arxivRequests: string[] = [];
    let server: RunningServer;
    let browser: Browser;
    let base: string;
    /** The paper submitted: a real record of an arXiv listing the store lacks, first published (the API says) today. */
    let submitted: RawPaper;
    /** The reader's browser context, kept from one test to the next (its cookies are the session). */
    let reader: BrowserContext;
    let page: Page;
    let handle: string;
    /** Console errors, page errors, failed requests and 4xx/5xx answers of the current test. */
    let problems: string[] = [];
    const contexts: BrowserContext[] = [];

    async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 }, ...options });
      contexts.push(context);
      watchProblems(context, (p) => problems.push(p));
      return context;
    }

    /** Main-frame navigations of a page, counted from now. */
    function navigations(p: Page): { count: number } {
      const seen = { count: 0 };
      p.on('framenavigated', (frame) => {
        if (frame === p.mainFrame()) seen.count++;
      });
      return seen;
    }

    const firstUpvote = (p: Page) => p.locator('ol.papers > li.paper form[data-upvote]').first();
    const countOf = async (form: ReturnType<typeof firstUpvote>) =>
      Number(await form.locator('[data-count]').innerText());

    beforeAll(async () => {
      t = await freshStore(engine);
      const tail = join(mkdtempSync(join(tmpdir(), 'paperboy-community-')), 'corpus-tail.jsonl');
      await writeCorpusTail(tail, CORPUS_TAIL);
      const imported = await runCli(['import', tail], t.env);
      expect(imported.code, imported.stderr).toBe(0);
      expect(importLine(imported.stdout)).toMatchObject({ new: CORPUS_TAIL, rejected: 0 });

      // A paper of an older raw listing, which the corpus tail does not hold: submitting it fetches it from "arXiv".
      const candidates = readDay('2025-03-18.jsonl');
      const missing = [];
      for (const p of candidates.slice(0, 20)) if (!(await t.store.getPaper(p.id))) missing.push(p);
      if (!missing[0]) throw new Error('every candidate paper is in the store already: pick others');
      submitted = missing[0];

      // The arXiv API on loopback: the submitted paper, first published a minute ago (the 14-day rule uses the real clock).
      arxiv = createServer((req, res) => {
        const ids = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('id_list')?.split(',') ?? [];
        arxivRequests.push(ids.join(','));
        const found = ids.includes(submitted.id)
          ? [{ paper: submitted, published: arxivTime(new Date(Date.now() - 60_000)) }]
          : [];
        res.writeHead(200, { 'Content-Type': 'application/atom+xml; charset=utf-8' }).end(apiFeed(found));
      });
      await new Promise<void>((resolve) => arxiv.listen(0, '127.0.0.1', resolve));
      smtp = await startTestSmtp();

      // The port is chosen here so the base URL (and so the link in the mail) names it.
      const port = await closedPort();
      const [started, launched] = await Promise.allSettled([
        startServer({
          ...t.env,
          PORT: String(port),
          PAPERBOY_BASE_URL: `http://127.0.0.1:${port}`,
          PAPERBOY_SOURCES: 'none',
          SMTP_URL: smtp.url,
          PAPERBOY_MAIL_RATE: '0',
          PAPERBOY_DIGEST_CRON: 'off',
          PAPERBOY_ARXIV_API_URL: `http://127.0.0.1:${(arxiv.address() as AddressInfo).port}/api/query`,
          PAPERBOY_ARXIV_DELAY_MS: '0',
          PAPERBOY_HTTP_RETRIES: '0',
        }),
        launchChromium(),
      ]);
      if (started.status === 'fulfilled') server = started.value;
      if (launched.status === 'fulfilled') browser = launched.value;
      for (const r of [started, launched]) if (r.status === 'rejected') throw r.reason;
      base = server.url;
      expect(base).toBe(`http://127.0.0.1:${port}`);
      mkdirSync(SCREENSHOTS, { recursive: true });
      reader = await newContext();
      page = await reader.newPage();
    }, 120_000);

    afterEach(() => {
      const found = problems;
      problems = [];
      expect(found, 'console errors or failed requests').toEqual([]);
    });

    afterAll(async () => {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      await browser?.close();
      await server?.stop();
      await smtp?.close();
      await new Promise((resolve) => (arxiv ? arxiv.close(resolve) : resolve(undefined)));
      await t?.dispose();
    });

    it('signs in with the link from the mail, in the browser that asked for it', async () => {
      expect((await page.goto('/'))?.status()).toBe(200);
      await page.locator('header.site a.account', { hasText: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/signin');
      await page.getByLabel('Email address').fill(EMAIL);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await expect(page.locator('h1').innerText()).resolves.toBe('Check your inbox');

      await smtp.waitFor(1);
      const mail = smtp.received[0]!;
      expect(mail.to).toBe(EMAIL);
      expect(mail.parsed.subject).toBe('Your Paperboy sign-in link');
      const link = new RegExp(`${base.replaceAll('.', '\\.')}/signin/verify\\?token=[\\w%-]+`).exec(
        mail.parsed.text ?? '',
      )?.[0];
      expect(link, mail.parsed.text).toBeTruthy();

      // Another browser (no cookie from the request) is refused, and that uses nothing up.
      const elsewhere = await (await newContext()).newPage();
      expect((await elsewhere.goto(link!))?.status()).toBe(403);
      await expect(elsewhere.locator('h1').innerText()).resolves.toBe('Open the link in the browser you asked from');
      // Expected, and nothing else: the 403 and the console line Chromium writes for it.
      expect(problems).toContain(`HTTP 403 for GET ${link}`);
      expect(
        problems.filter(
          (p) =>
            ![
              `HTTP 403 for GET ${link}`,
              `console error on ${link}: Failed to load resource: the server responded with a status of 403 (Forbidden)`,
            ].includes(p),
        ),
      ).toEqual([]);
      problems = [];

      // Opening the link only asks; the button signs in.
      expect((await page.goto(link!))?.status()).toBe(200);
      await expect(page.locator('main').innerText()).resolves.toContain(`Sign in as ${EMAIL}?`);
      await page.locator('main').getByRole('button', { name: 'Sign in' }).click();
      // A new account lands on its profile page to pick a handle.
      await page.waitForURL((url) => url.pathname === '/account' && url.searchParams.get('welcome') === '1');
      await expect(page.locator('[role=status]').innerText()).resolves.toContain('Welcome!');
      const account = page.locator('header.site a.account');
      await expect(account.getAttribute('href')).resolves.toBe('/account');
      const shown = await account.innerText();
      expect(shown).toMatch(/^@[a-z0-9_-]+$/);
      handle = shown.slice(1);
      await expect(page.locator('input[name=handle]').inputValue()).resolves.toBe(handle);

      expect((await page.goto('/'))?.status()).toBe(200);
      await expect(page.locator('header.site a.account').innerText()).resolves.toBe(`@${handle}`);
    });

    it('upvotes a paper in the feed without leaving the page; the vote is still there after a reload', async () => {
      expect((await page.goto('/'))?.status()).toBe(200);
      const form = firstUpvote(page);
      const button = form.locator('button');
      const paperId = await button.getAttribute('data-paper');
      await expect(button.getAttribute('aria-pressed')).resolves.toBe('false');
      const before = await countOf(form);

      await page.evaluate('window.__stayed = true');
      const navigated = navigations(page);
      const answered = page.waitForResponse(
        (r) => r.url().endsWith(`/papers/${paperId}/upvote`) && r.request().method() === 'POST',
      );
      await button.click();
      const response = await answered;
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual({ upvoted: true, upvotes: before + 1 });
      await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
      expect(await countOf(form)).toBe(before + 1);
      await expect(button.getAttribute('aria-label')).resolves.toBe(`Upvote (${before + 1} upvotes)`);
      expect(navigated.count, 'no page navigation').toBe(0);
      expect(await page.evaluate('window.__stayed'), 'the same document').toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, `community-feed-upvoted-${engine}.png`) });

      await page.reload();
      const again = page.locator(`ol.papers > li.paper form[data-upvote]:has(button[data-paper="${paperId}"])`).first();
      await expect(again.locator('button').getAttribute('aria-pressed')).resolves.toBe('true');
      expect(await countOf(again)).toBe(before + 1);
      // The paper page agrees.
      expect((await page.goto(`/papers/${paperId}`))?.status()).toBe(200);
      const onPaper = page.locator(`form[data-upvote]:has(button[data-paper="${paperId}"])`).first();
      await expect(onPaper.locator('button').getAttribute('aria-pressed')).resolves.toBe('true');
      expect(await countOf(onPaper)).toBe(before + 1);

      // Taken back on the paper page, again without leaving it; the feed agrees.
      const takenBack = page.waitForResponse(
        (r) => r.url().endsWith(`/papers/${paperId}/upvote`) && r.request().method() === 'POST',
      );
      await onPaper.locator('button').click();
      expect(await (await takenBack).json()).toEqual({ upvoted: false, upvotes: before });
      await expect.poll(() => onPaper.locator('button').getAttribute('aria-pressed')).toBe('false');
      expect(await countOf(onPaper)).toBe(before);
      expect((await page.goto('/'))?.status()).toBe(200);
      const inFeed = page
        .locator(`ol.papers > li.paper form[data-upvote]:has(button[data-paper="${paperId}"])`)
        .first();
      await expect(inFeed.locator('button').getAttribute('aria-pressed')).resolves.toBe('false');
      expect(await countOf(inFeed)).toBe(before);
    });

    it('submits a paper by its arXiv URL: fetched from arXiv, it shows who submitted it', async () => {
      expect((await page.goto('/submit'))?.status()).toBe(200);
      await page.getByLabel('arXiv id or link').fill(`https://arxiv.org/abs/${submitted.id}v1`);
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.waitForURL(`**/papers/${submitted.id}`);
      expect(arxivRequests).toContain(submitted.id);
      await expect(page.locator('h1').innerText()).resolves.toBe(submitted.title.replace(/\s+/g, ' ').trim());
      // In the facts beside the abstract, after the circle of the submitter's initials.
      const by = page.locator('dt:text-is("Submitted by") + dd');
      await expect(by.locator('a').innerText()).resolves.toBe(handle);
      await expect(by.locator('a').getAttribute('href')).resolves.toBe(`/users/${handle}`);

      // Today's feed, now the front page, has it with "submitted by".
      expect((await page.goto('/'))?.status()).toBe(200);
      const item = page.locator(`ol.papers > li.paper:has(a[href="/papers/${submitted.id}"])`);
      const byline = item.locator('.byline');
      await expect(byline.innerText()).resolves.toMatch(/^submitted by /);
      await expect(byline.locator('a').innerText()).resolves.toBe(handle);
      await expect(byline.locator('a').getAttribute('href')).resolves.toBe(`/users/${handle}`);
    });

    it('comments with Markdown and TeX, and replies in a nested thread', async () => {
      expect((await page.goto(`/papers/${submitted.id}`))?.status()).toBe(200);
      const discussion = page.locator('section.discussion');
      await discussion.getByLabel('Add to the discussion').fill(COMMENT);
      await discussion.getByRole('button', { name: 'Post comment' }).click();
      await page.waitForURL(new RegExp(`/papers/${submitted.id}#comment-`));
      const anchor = new URL(page.url()).hash.slice(1);
      const comment = page.locator(`li.comment#${anchor}`);
      const body = comment.locator(':scope > article .comment-body');
      await expect(body.locator('strong').innerText()).resolves.toBe('bold');
      const math = await body
        .locator('math')
        .evaluateAll((nodes) => nodes.map((n) => ({ ns: n.namespaceURI, height: n.getBoundingClientRect().height })));
      expect(math).toHaveLength(1);
      expect(math[0]!.ns).toBe('http://www.w3.org/1998/Math/MathML');
      expect(math[0]!.height).toBeGreaterThan(0);
      await expect(body.innerText()).resolves.not.toContain('$');
      await expect(comment.locator(':scope > article header.meta').innerText()).resolves.toContain(`@${handle}`);
      await expect(page.locator('#comments .sub').innerText()).resolves.toBe('1 comment');

      await comment.locator(':scope > article summary', { hasText: 'Reply' }).click();
      await comment.locator(':scope > article').getByLabel('Your reply').fill(REPLY);
      await comment.locator(':scope > article').getByRole('button', { name: 'Post reply' }).click();
      await page.waitForURL((url) => url.hash.startsWith('#comment-') && url.hash !== `#${anchor}`);
      const replyAnchor = new URL(page.url()).hash.slice(1);
      const reply = page.locator(`li.comment#${anchor} > ol.comments > li.comment#${replyAnchor}`);
      await expect(reply.count(), 'the reply is nested under the comment').resolves.toBe(1);
      await expect(reply.locator('.comment-body code').innerText()).resolves.toBe('code');
      await expect(reply.locator('header.meta').innerText()).resolves.toContain(`@${handle}`);
      await expect(page.locator('#comments .sub').innerText()).resolves.toBe('2 comments');
      await page
        .locator('section.discussion')
        .screenshot({ path: join(SCREENSHOTS, `community-discussion-${engine}.png`) });

      // The feed counts them (its rendered day page was dropped when the comments arrived).
      expect((await page.goto('/'))?.status()).toBe(200);
      const item = page.locator(`ol.papers > li.paper:has(h2 a[href="/papers/${submitted.id}"])`);
      await expect(item.locator(`a[href="/papers/${submitted.id}#comments"]`).innerText()).resolves.toBe('2 comments');
    });

    it('makes an API token on the account page, shown once; a script upvotes with it; revoking stops it', async () => {
      expect((await page.goto('/account'))?.status()).toBe(200);
      const section = page.locator('section#tokens');
      await expect(section.locator('h2').innerText()).resolves.toBe('API tokens');
      await expect(section.innerText()).resolves.toContain('You have no tokens.');
      await section.getByLabel('Name (what it is for)').fill('my script');
      await section.getByLabel('read and write').check();
      await section.getByRole('button', { name: 'Create token' }).click();
      await page.waitForURL(`${base}/account/tokens`);
      const field = page.locator('input#new-token');
      const token = await field.inputValue();
      expect(token).toMatch(/^pb_[A-Za-z0-9_-]{43}$/);
      await expect(page.locator('.new-token').innerText()).resolves.toContain('Copy it now: it is not shown again.');
      // The Copy button is there where a script may write the clipboard (127.0.0.1 is a secure context).
      await reader.grantPermissions(['clipboard-read', 'clipboard-write']);
      const copy = page.getByRole('button', { name: 'Copy', exact: true });
      await expect(copy.isVisible()).resolves.toBe(true);
      await copy.click();
      await expect.poll(() => page.locator('[data-copy-status]').innerText()).not.toBe('');
      await expect(section.locator('.token-list li').innerText()).resolves.toMatch(/my script\s+read and write/);

      // A script (no browser, no cookie) upvotes with it, and the reader sees the vote.
      const api = (method: string, path: string) =>
        fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      expect(await (await api('GET', '/api/me')).json()).toMatchObject({ handle, auth: 'token', scope: 'write' });
      expect((await page.goto('/'))?.status()).toBe(200);
      const paperId = (await firstUpvote(page).locator('button').getAttribute('data-paper'))!;
      const before = await countOf(firstUpvote(page));
      const voted = await api('POST', `/api/papers/${paperId}/upvote`);
      expect(await voted.json()).toEqual({ id: paperId, upvoted: true, upvotes: before + 1 });
      await page.reload();
      const form = page.locator(`ol.papers > li.paper form[data-upvote]:has(button[data-paper="${paperId}"])`).first();
      await expect(form.locator('button').getAttribute('aria-pressed')).resolves.toBe('true');
      expect(await countOf(form)).toBe(before + 1);
      expect(await (await api('DELETE', `/api/papers/${paperId}/upvote`)).json()).toMatchObject({ upvoted: false });

      // Never shown again; revoked from its button, it fails at once.
      expect((await page.goto('/account'))?.status()).toBe(200);
      expect(await page.content()).not.toContain(token);
      await page.getByRole('button', { name: 'Revoke my script' }).click();
      await page.waitForURL(`${base}/account?revoked=1#tokens`);
      await expect(page.locator('[role=status]').innerText()).resolves.toBe('Token revoked: it no longer works.');
      const refused = await api('GET', '/api/me');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Bearer');

      // The section as readers see it, a new token on top, on a phone and a desktop, light and dark.
      const cookies = await reader.cookies();
      for (const [name, viewport] of [
        ['390', { width: 390, height: 844 }],
        ['desktop', { width: 1280, height: 900 }],
      ] as const) {
        for (const colorScheme of ['light', 'dark'] as const) {
          const context = await newContext({ viewport, colorScheme });
          await context.addCookies(cookies);
          const p = await context.newPage();
          expect((await p.goto('/account'))?.status()).toBe(200);
          await p.getByLabel('Name (what it is for)').fill(`laptop, ${name} ${colorScheme}`);
          await p.getByRole('button', { name: 'Create token' }).click();
          await p.waitForURL(`${base}/account/tokens`);
          const width = await p.evaluate('document.documentElement.scrollWidth');
          expect(width, `account page at ${name} ${colorScheme}`).toBeLessThanOrEqual(viewport.width);
          await p.screenshot({
            path: join(SCREENSHOTS, `account-tokens-${name}-${colorScheme}-${engine}.png`),
            fullPage: true,
          });
        }
      }
    });

    it('signs out; the upvote button then sends to sign-in', async () => {
      expect((await page.goto('/account'))?.status()).toBe(200);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL(`${base}/`);
      await expect(page.locator('header.site a.account').innerText()).resolves.toBe('Sign in');
      await expect(page.locator('section.discussion').count()).resolves.toBe(0);

      // The fetch behind the button is answered 401, which the page turns into a visit to sign-in.
      const form = firstUpvote(page);
      await expect(form.locator('button').getAttribute('aria-pressed')).resolves.toBe('false');
      const votedOn = await form.locator('button').getAttribute('data-paper');
      await form.locator('button').click();
      await page.waitForURL((url) => url.pathname === '/signin' && url.searchParams.get('next') === '/');
      await expect(page.getByLabel('Email address').count()).resolves.toBe(1);
      // Expected, and nothing else: the 401, and (as Chromium may report them) its console line and its unread body cut
      // off by the navigation to sign-in.
      const upvoteUrl = `${base}/papers/${votedOn}/upvote`;
      expect(problems).toContain(`HTTP 401 for POST ${upvoteUrl}`);
      expect(
        problems.filter(
          (p) =>
            ![
              `HTTP 401 for POST ${upvoteUrl}`,
              `console error on ${upvoteUrl}: Failed to load resource: the server responded with a status of 401 (Unauthorized)`,
              `request failed: POST ${upvoteUrl}: net::ERR_ABORTED`,
            ].includes(p),
        ),
      ).toEqual([]);
      problems = [];

      // Without JavaScript the same button posts the form, and is sent to sign-in with the paper to come back to.
      const plain = await (await newContext({ javaScriptEnabled: false })).newPage();
      expect((await plain.goto('/'))?.status()).toBe(200);
      const paperId = await firstUpvote(plain).locator('button').getAttribute('data-paper');
      await firstUpvote(plain).locator('button').click();
      await plain.waitForURL(
        (url) => url.pathname === '/signin' && url.searchParams.get('next') === `/papers/${paperId}`,
      );
      await expect(plain.getByLabel('Email address').count()).resolves.toBe(1);
    });
  },
);
