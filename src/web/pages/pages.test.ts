import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOSTILE_ID,
  HOSTILE_TITLE,
  LATEST_DAY,
  type LoadedPapers,
  loadTestPapers,
  OLD_STYLE_ID,
} from '../../../test/fixture-papers.js';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import { accountForEmail } from '../../accounts/accounts.js';
import { toggleVote } from '../../accounts/votes.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { thumbnailHash } from '../../store/thumbnails.js';
import { createApp } from '../app.js';
import { avatarColour } from '../avatar.js';

describe.each(engines)('pages on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let loaded: LoadedPapers;
  let app: ReturnType<typeof createApp>;
  const get = (path: string) => app.request(path);
  const html = async (path: string, status = 200) => {
    const res = await get(path);
    expect(res.status, path).toBe(status);
    return res.text();
  };

  beforeAll(async () => {
    t = await freshStore(engine);
    loaded = await loadTestPapers(t.store);
    await t.store.upsertPapers([
      {
        id: '2607.00002',
        source: 'arxiv-api',
        version: 1,
        title: 'Bounds of order $O(n^2)$',
        abstract: 'We prove $\\sum_i x_i^2 \\le 1$ for <all> x.',
        authors: ['Émile Borel'],
        primaryCategory: 'math.PR',
        categories: ['math.PR', 'cs.LG'],
        listedOn: '2026-06-30',
      },
    ]);
    search = await createSearchService(t.store, t.db);
    app = createApp(testDeps(t, search, { baseUrl: 'http://paperboy.test' }));
  });
  afterAll(async () => {
    search.close();
    await t.dispose();
  });

  it('shows the latest day on the front page, escaped, with neighbours, feeds and the subscribe banner', async () => {
    const page = await html('/');
    expect(page).toContain('1 July 2026');
    const record = loaded.records.find((r) => r.id === loaded.byDay.get(LATEST_DAY)![0])!;
    expect(page).toContain(`/papers/${record.id}`);
    expect(page).not.toContain('<script>alert');
    const all = await html('/?show=all');
    expect(all).not.toContain('<script>alert');
    expect(all).toContain('Escaping &lt;script&gt;alert');
    expect(page).toContain('href="/day/2026-06-30"');
    expect(page).toMatch(/<link rel="alternate" type="application\/atom\+xml" href="\/feed.atom"/);
    expect(page).toContain('Get trending papers in your email inbox!');
    expect(page).toMatch(/<main id="content"/);
    expect(page).toContain('<meta property="og:title"');
  });

  it("leads a day with the community's selection, most upvoted first, and lists every paper under a tab", async () => {
    const hf = loaded.byDay.get(LATEST_DAY)!.slice(0, 5);
    const ids = (page: string) => [...page.matchAll(/<h2><a href="\/papers\/([^"]+)"/g)].map((m) => m[1]);
    const selected = await html('/');
    expect(selected).toMatch(/Selected <span class="count">5<\/span>/);
    expect(selected).toMatch(/All new on arXiv <span class="count">6<\/span>/);
    // The Hugging Face daily list came with 10, 20 … 50 upvotes: most upvoted first, and the unpicked paper left out.
    expect(ids(selected)).toEqual([...hf].reverse());
    expect(selected).not.toContain(`/papers/${HOSTILE_ID}"`);
    expect(selected).toContain('href="/?show=all"');

    const all = ids(await html('/?show=all'));
    expect(all).toHaveLength(6);
    expect(all).toContain(HOSTILE_ID);
    expect(ids(await html('/?sort=newest'))).toEqual([...hf].sort().reverse());

    // A reader's upvote puts a paper into the selection.
    const { account } = await accountForEmail(t.db, 'day-reader@example.org', new Date('2026-06-01T00:00:00Z'));
    await toggleVote(t.store, account, HOSTILE_ID, new Date());
    expect(await html('/')).toMatch(/Selected <span class="count">6<\/span>/);
    await toggleVote(t.store, account, HOSTILE_ID, new Date());
    expect(await html('/')).toMatch(/Selected <span class="count">5<\/span>/);

    expect(await html('/?sort=bogus', 404)).toContain(
      '“bogus” is not a sort order here: use upvotes, trending, newest.',
    );
    expect(await html('/?show=none', 404)).toContain('is not a view here');

    // A day nobody picked from says so and shows every paper.
    const quiet = await html('/day/2025-12-29');
    expect(quiet).toContain('Nobody has picked a paper of this day yet');
    for (const id of loaded.byDay.get('2025-12-29')!) expect(quiet).toContain(`/papers/${id}"`);
  });

  it('says when trending has nothing to rank by yet', async () => {
    expect(await html('/trending')).not.toContain('nothing to rank by');
    const quiet = await freshStore(engine);
    try {
      await quiet.store.upsertPapers(loaded.records.slice(0, 5));
      const quietSearch = await createSearchService(quiet.store, quiet.db);
      const quietApp = createApp(testDeps(quiet, quietSearch, { baseUrl: 'http://paperboy.test' }));
      const page = await (await quietApp.request('/trending')).text();
      quietSearch.close();
      expect(page).toContain('nothing to rank by');
      expect(page).toContain(`/papers/${loaded.records[0]!.id}"`);
    } finally {
      await quiet.dispose();
    }
  });

  it('says when a page number is past the end of a list, or not a page number, instead of showing another page', async () => {
    for (const path of ['/', '/day/2025-12-29', '/week/2026-W01', '/month/2026-01', '/trending']) {
      expect(await html(`${path}?page=9999`, 404)).toMatch(
        /This list has (one page|\d+ pages), so there is no page 9999\./,
      );
      expect(await html(`${path}?page=99999`, 404)).toContain('pages are numbered from 1 to 10,000');
      expect(await html(`${path}?page=abc`, 404)).toContain('“abc” is not a page number');
      expect(await html(`${path}?page=0`, 404)).toContain('is not a page number');
      expect(await html(`${path}?page=1`)).toContain('/papers/');
    }
  });

  it('shows any day, week and month with counts, and explains a bad date', async () => {
    const day = await html('/day/2025-12-29');
    for (const id of loaded.byDay.get('2025-12-29')!) expect(day).toContain(`/papers/${id}"`);
    expect(day).not.toContain(`/papers/${loaded.byDay.get('2025-12-28')![0]}"`);
    expect(await html('/day/2026-02-30', 404)).toContain('Days look like 2026-07-01');

    const week = await html('/week/2026-W01');
    for (const id of [...loaded.byDay.get('2025-12-29')!, ...loaded.byDay.get('2026-01-04')!])
      expect(week).toContain(`/papers/${id}"`);
    expect(week).not.toContain(`/papers/${loaded.byDay.get('2025-12-28')![0]}"`);
    expect(week).toContain('10 papers');
    expect(await html('/week/2026-W60', 404)).toContain('Weeks look like');

    const month = await html('/month/2025-12');
    expect(month).toContain('10 papers');
    expect(month).toMatch(/href="\/day\/2025-12-28">28 December 2025<\/a>: 5/);
    expect((await get('/month')).headers.get('location')).toBe('/month/2026-07');
  });

  it('shows on a card the first page, title, authors, categories, upvotes, comments, code with stars and the submitter', async () => {
    const [withImage, without] = loaded.byDay.get(LATEST_DAY)!.slice(1, 3) as [string, string];
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    expect(await t.store.saveThumbnail(withImage, { bytes, type: 'image/png', width: 400, height: 519 })).toBe(true);
    const page = await html('/');
    const card = (id: string) => {
      const at = page.indexOf(`<a href="/papers/${id}">`);
      const next = page.indexOf('<li class="paper">', at);
      return page.slice(page.lastIndexOf('<li class="paper">', at), next < 0 ? page.indexOf('</ol>', at) : next);
    };
    const first = card(withImage);
    // The image in a box of its own shape, loaded lazily, decorative: the title is the link.
    expect(first).toMatch(
      new RegExp(
        `<div class="thumb" aria-hidden="true"><img src="/thumbnails/${thumbnailHash(bytes)}/${withImage}" width="400" height="519" loading="lazy" decoding="async" alt=""/></div>`,
      ),
    );
    expect(first).toContain('<strong data-count="true">20</strong>');
    expect(first).toContain(
      `<a class="stat comments" href="/papers/${withImage}#comments">1 <span class="vh">comment</span></a>`,
    );
    expect(first).toMatch(
      /<a class="stat code" href="https:\/\/github.com\/example\/repo-1" rel="nofollow noopener">Code .*>100<\/span> <span class="vh">stars<\/span><\/a>/,
    );
    expect(first).toContain(
      `submitted by <span class="avatar c${avatarColour('bob')}" aria-hidden="true">B</span> bob`,
    );
    expect(first).toMatch(/<ul class="chips" aria-label="Categories"><li><a href="\/categories\/[^"]+">/);
    // Without an image yet: a placeholder of the same shape, hidden from screen readers.
    expect(card(without)).toMatch(/<div class="thumb" aria-hidden="true"><span class="placeholder t-[a-z]+">/);
  });

  it('shows the arXiv id, the submitter, upvote and share with the title of a paper, and many authors behind "more"', async () => {
    const id = loaded.byDay.get(LATEST_DAY)![1]!;
    const page = await html(`/papers/${id}`);
    expect(page).toContain(`<a href="https://arxiv.org/abs/${id}">arXiv:${id}</a>`);
    const head = page.slice(page.indexOf('<h1>'), page.indexOf('<h2>Abstract</h2>'));
    expect(head).toContain(`data-paper="${id}"`);
    expect(head).toContain(`<a class="stat share" href="/papers/${id}" data-share="true">Share</a>`);
    expect(head).toContain('submitted by <span class="avatar');
    expect(page).toContain('<dt>arXiv id</dt>');
    expect(page).toMatch(/<dt>Submitted by<\/dt><dd><span class="avatar c\d" aria-hidden="true">B<\/span> bob<\/dd>/);

    await t.store.upsertPapers([
      {
        id: '2607.00004',
        source: 'arxiv-api',
        title: 'A large collaboration',
        abstract: '',
        authors: Array.from({ length: 40 }, (_, i) => `Member ${i + 1}`),
        listedOn: '2026-06-30',
      },
    ]);
    const large = await html('/papers/2607.00004');
    expect(large).toContain('<details class="more-authors"><summary>and 28 more</summary>');
    expect(large).toContain('href="/authors/Member%2040"');
    const list = await html('/day/2026-06-30?show=all');
    expect(list).toContain('Member 6</a> and 34 more');
    expect(list).not.toContain('href="/authors/Member%207"');
  });

  it('ranks trending by the score: the most upvoted paper of the week first', async () => {
    const page = await html('/trending');
    const ids = [...page.matchAll(/<h2><a href="\/papers\/([^"]+)"/g)].map((m) => m[1]);
    const top = loaded.byDay.get(LATEST_DAY)![4]!; // 50 upvotes, the most
    expect(ids[0]).toBe(top);
    expect(page).toContain('/about#trending');
  });

  it('shows a paper with its math as MathML, its links, versions and related papers', async () => {
    const page = await html('/papers/2607.00002');
    expect(page).toContain('<math');
    expect(page).toContain('&lt;all&gt;');
    expect(page).toContain('href="https://arxiv.org/abs/2607.00002"');
    expect(page).toContain('href="/authors/%C3%89mile%20Borel"');
    expect(page).toContain('href="/categories/cs.LG"');
    const old = await html(`/papers/${OLD_STYLE_ID}`);
    expect(old).toContain('v1 (1999-01-04), v2 (1999-02-01)');
    const real = await html(`/papers/${loaded.byDay.get(LATEST_DAY)![0]}`);
    expect(real).toContain('Related papers');
    expect(real).toContain('github.com/example/repo-0');
    const hostile = await html(`/papers/${HOSTILE_ID}`);
    expect(hostile).toContain('Ada &lt;Lovelace&gt;');
    expect(hostile).not.toContain(HOSTILE_TITLE);
  });

  it('draws math in titles in lists, on the paper page, and in search results (with the words marked)', async () => {
    const formula = /Bounds of order <math>.*?<\/math>/;
    expect(await html('/day/2026-06-30')).toMatch(formula);
    expect(await html('/papers/2607.00002')).toMatch(/<h1>Bounds of order <math>.*?<\/math><\/h1>/);
    const search = await html('/search?q=bounds+order');
    expect(search).toMatch(/<mark>Bounds<\/mark> of <mark>order<\/mark> <math>.*?<\/math>/);
    expect(search).not.toContain('$O(n^2)$');
  });

  it('redirects versioned ids and explains unknown ones', async () => {
    const res = await get(`/papers/${loaded.byDay.get(LATEST_DAY)![0]}v3`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/papers/${loaded.byDay.get(LATEST_DAY)![0]}`);
    expect(await html('/papers/2101.99999', 404)).toContain('https://arxiv.org/abs/2101.99999');
  });

  it('says which search filters it left out, instead of quietly showing other results', async () => {
    const page = await html('/search?q=bounds&from=garbage&to=2026-13-40&page=abc');
    expect(page).toContain('“garbage” is not a day (like 2026-07-01), so the results are not limited by a first day.');
    expect(page).toContain('“2026-13-40” is not a day');
    expect(page).toContain('“abc” is not a page from 1 to 1000');
    expect(await html('/search?q=bounds&from=2026-01-01')).not.toContain('is not a day');
    // What is quoted back cannot turn the message around it backwards, nor run on for pages.
    const hostile = await html(`/search?q=bounds&from=${encodeURIComponent(`\u202E<b>x</b>${'y'.repeat(5000)}`)}`);
    expect(hostile).toContain('“&lt;b&gt;x&lt;/b&gt;yyy');
    expect(hostile).not.toContain('\u202E');
    expect(hostile).not.toContain('y'.repeat(41));
  });

  it('says "1000+ papers" when more papers match than a search counts', async () => {
    const counted = async (result: Omit<Awaited<ReturnType<SearchService['search']>>, 'tookMs'>) => {
      const site = createApp(
        testDeps(t, { ...search, search: async () => ({ ...result, tookMs: 1 }) }, { baseUrl: 'http://paperboy.test' }),
      );
      return (await site.request('/search?q=model')).text();
    };
    expect(await counted({ total: 1000, capped: true, hits: [] })).toContain('1000+ papers for &ldquo;model&rdquo;');
    expect(await counted({ total: 1000, hits: [] })).toContain('1000 papers for &ldquo;model&rdquo;');
  });

  it('searches without JavaScript, redirects an arXiv id, and survives hostile queries', async () => {
    const record = loaded.records[7]!;
    const page = await html(`/search?q=${encodeURIComponent(record.title)}`);
    const first = /<h2><a href="\/papers\/([^"]+)"/.exec(page)?.[1];
    expect(first).toBe(record.id);
    expect(page).toContain('<mark>');
    expect(page).toContain('href="/search/feed.atom?q=');
    const redirect = await get(`/search?q=${encodeURIComponent(`https://arxiv.org/abs/${record.id}v1`)}`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`/papers/${record.id}`);
    for (const q of [
      '"unbalanced',
      'NEAR(a b',
      '*',
      '<script>alert(1)</script>',
      'a'.repeat(3000),
      '-',
      'title:x AND OR',
    ]) {
      const res = await get(
        `/search?q=${encodeURIComponent(q)}&cat=cs.CV&from=2020-01-01&to=nonsense&sort=date&code=1`,
      );
      expect(res.status, q).toBe(200);
      expect(await res.text()).not.toContain('<script>alert(1)');
    }
  });

  it('lists an author and a category, and says when there is nothing', async () => {
    expect(await html('/authors/emile%20borel')).toContain('Bounds of order');
    expect(await html('/categories/cs.LG')).toContain('Bounds of order');
    expect(await html('/categories/astro-ph.ZZ', 404)).toContain('No papers in the category');
    // A name of punctuation alone names nobody (not every paper, as its empty key once did).
    for (const name of ['%3A', '%20', '%2D%2D'])
      expect(await html(`/authors/${name}`, 404)).toContain('at least one letter or digit');
  });

  it('sends security headers, caches pages briefly and static files forever', async () => {
    const res = await get('/');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('permissions-policy')).toMatch(/camera=\(\).*geolocation=\(\)/);
    expect(res.headers.get('cache-control')).toContain('max-age=60');
    const css = /href="(\/static\/app\.[0-9a-f]+\.css)"/.exec(await res.text())?.[1];
    const asset = await get(css!);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const stylesheet = await asset.text();
    expect(stylesheet).toContain('prefers-color-scheme: dark');
    // temml's font, which its stylesheet asks for.
    const font = await get(/url\('(\/static\/temml\.[0-9a-f]+\.woff2)'\)/.exec(stylesheet)![1]!);
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toBe('font/woff2');
  });

  it('shows papers written after a day page was first served (rendered pages are kept until papers change)', async () => {
    const before = await html('/');
    expect(before).not.toContain('A paper that arrived later');
    await t.store.upsertPapers([
      {
        id: '2607.00003',
        source: 'hf-daily',
        title: 'A paper that arrived later',
        abstract: '',
        dailyOn: LATEST_DAY,
        upvotes: 500,
      },
    ]);
    expect(await html('/')).toContain('A paper that arrived later');
    expect(await html(`/day/${LATEST_DAY}`)).toContain('A paper that arrived later');
  });

  it('answers unknown pages with a helpful 404', async () => {
    const page = await html('/no/such/page', 404);
    expect(page).toContain('role="search"');
    expect(page).toContain('href="/trending"');
  });
});
