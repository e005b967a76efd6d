import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDeps } from '../../test/site.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { xmlError } from '../../test/strict-xml.js';
import { createSearchService, type SearchService } from '../search/search.js';
import { createApp } from './app.js';

const ID = '2607.40001';
/** Characters no feed or page may carry. PostgreSQL cannot store NUL in text at all, so only SQLite is given one. */
const controls = (engine: string) => `${engine === 'sqlite' ? '\u0000' : ''}\u0001\u000B\u000C\u001B\u009B`;
const FORBIDDEN = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]/;

/**
 * Defence in depth: text that got into the store before it was cleaned at the door (written here straight into the
 * table) still leaves as well-formed feeds and pages, and so do hostile queries and author names in a URL.
 */
describe.each(engines)('hostile text out of the store on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers([
      {
        id: ID,
        source: 'arxiv-api',
        title: 'Plain title',
        abstract: 'Plain abstract',
        authors: ['Ada Lovelace'],
        primaryCategory: 'cs.CR',
        categories: ['cs.CR'],
        listedOn: '2026-07-01',
      },
    ]);
    const c = controls(engine);
    await t.db
      .updateTable('papers')
      .set({
        title: `A <b>bold</b> title${c}`,
        abstract: `An abstract${c} with controls`,
        authors: JSON.stringify([`Ada${c} Lovelace`, '\u202Eecila']),
      })
      .where('id', '=', ID)
      .execute();
    search = await createSearchService(t.store, t.db);
    app = createApp(testDeps(t, search, { baseUrl: 'http://paperboy.test' }));
  });
  afterAll(async () => {
    search.close();
    await t.dispose();
  });

  const get = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };

  it.each([
    '/feed.rss',
    '/feed.atom',
    '/trending/feed.rss',
    '/trending/feed.atom',
    '/categories/cs.CR/feed.rss',
    '/categories/cs.CR/feed.atom',
    '/search/feed.atom?q=x%0B%0Cy',
    '/search/feed.rss?q=bold%01',
    '/authors/Han%00Li/feed.atom',
    '/authors/Ada%01%20Lovelace/feed.rss',
  ])('serves %s as XML a strict parser accepts', async (path) => {
    const { status, body } = await get(path);
    expect(status).toBe(200);
    expect(xmlError(body)).toBeUndefined();
    expect(() => parseFeed(body)).not.toThrow();
    expect(body).not.toContain('\u202E');
  });

  it('escapes HTML in RSS titles and leaves bidirectional overrides out of author names', async () => {
    const { body } = await get('/feed.rss');
    expect(body).not.toContain('<b>bold</b>');
    expect(body).toContain('A &lt;b&gt;bold&lt;/b&gt; title');
    expect(parseFeed(body).items.find((i) => i.url?.endsWith(ID))?.title).toBe('A <b>bold</b> title');
    expect(body).toMatch(/Ada\s+Lovelace, ecila/);
  });

  it('links only web addresses: a stored javascript: or data: link is left out of cards and the paper page', async () => {
    await t.db
      .updateTable('papers')
      .set({
        github_repo: 'javascript:alert(1)',
        code_urls: JSON.stringify(['JavaScript:alert(2)', 'https://github.com/ok/repo', ' data:text/html,x']),
        project_page: 'javascript:alert(3)',
      })
      .where('id', '=', ID)
      .execute();
    for (const path of [`/papers/${ID}`, '/categories/cs.CR']) {
      const { status, body } = await get(path);
      expect(status).toBe(200);
      expect(body).toContain('href="https://github.com/ok/repo"');
      expect(body).not.toMatch(/href="\s*(javascript:|data:text)/i);
    }
  });

  it('refuses an author feed whose name is nothing but control characters', async () => {
    const { status, type } = await get('/authors/%01/feed.atom');
    expect(status).toBe(404);
    expect(type).toMatch(/json/);
  });

  it.each([`/papers/${ID}`, '/', '/authors/Han%00Li', '/authors/%01', '/search?q=a%00b%0Bc', '/categories/cs%00CR'])(
    'keeps control characters out of the HTML of %s',
    async (path) => {
      const { type, body } = await get(path);
      expect(type).toMatch(/^text\/html/);
      expect(body).not.toMatch(FORBIDDEN);
    },
  );

  it('answers JSON with control characters escaped, as JSON requires', async () => {
    const { body } = await get(`/api/papers/${ID}`);
    expect(body).not.toMatch(/[\0-\x1F]/);
    expect(() => JSON.parse(body)).not.toThrow();
  });
});
