import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOSTILE_ID,
  HOSTILE_TITLE,
  type LoadedPapers,
  loadTestPapers,
  OLD_STYLE_ID,
} from '../../../test/fixture-papers.js';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { FEED_SIZE, feedLinks, feedRoutes } from './routes.js';

const baseUrl = 'http://papers.test';
const ALWAYS_ARRAYS = new Set([
  'rss.channel.item',
  'rss.channel.atom:link',
  'rss.channel.item.author',
  'rss.channel.item.category',
  'feed.link',
  'feed.entry',
  'feed.entry.link',
  'feed.entry.author',
  'feed.entry.category',
]);
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (_name, jpath) => ALWAYS_ARRAYS.has(String(jpath)),
});

type Node = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : String((v as Node)['#text'] ?? ''));
const decodeHtml = (s: string) =>
  s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);

describe.each(engines)('feeds on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let loaded: LoadedPapers;
  let app: ReturnType<typeof feedRoutes>;

  beforeAll(async () => {
    t = await freshStore(engine);
    loaded = await loadTestPapers(t.store);
    search = await createSearchService(t.store, t.db);
    await search.refit();
    app = feedRoutes(testDeps(t, search, { baseUrl }));
  });
  afterAll(async () => {
    search?.close();
    await t?.dispose();
  });

  async function fetchFeed(path: string, type: string): Promise<string> {
    const res = await app.request(path);
    const body = await res.text();
    expect(res.status, body.slice(0, 300)).toBe(200);
    expect(res.headers.get('content-type')).toBe(`${type}; charset=utf-8`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('etag')).toMatch(/^W\//);
    return body;
  }
  const rss = async (path: string) => {
    const doc = xml.parse(await fetchFeed(path, 'application/rss+xml')) as {
      rss: { '@_version': string; channel: Node };
    };
    expect(doc.rss['@_version']).toBe('2.0');
    const channel = doc.rss.channel;
    for (const field of ['title', 'link', 'description']) expect(text(channel[field])).not.toBe('');
    const items = (channel.item ?? []) as Node[];
    for (const item of items) for (const field of ['title', 'link', 'guid']) expect(text(item[field])).not.toBe('');
    return { channel, items };
  };
  const atom = async (path: string) => {
    const { feed } = xml.parse(await fetchFeed(path, 'application/atom+xml')) as { feed: Node };
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    for (const field of ['id', 'title', 'updated']) expect(text(feed[field])).not.toBe('');
    const entries = (feed.entry ?? []) as Node[];
    for (const entry of entries) {
      for (const field of ['id', 'title', 'updated']) expect(text(entry[field])).not.toBe('');
      expect((entry.link as Node[])[0]!['@_href']).toMatch(/^http/);
    }
    return { feed, entries };
  };
  const jsonFeed = async (path: string) => {
    const feed = JSON.parse(await fetchFeed(path, 'application/feed+json')) as {
      version: string;
      title: string;
      feed_url: string;
      items: Node[];
    };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).not.toBe('');
    for (const item of feed.items) expect(typeof item.id).toBe('string');
    return feed;
  };

  it('serves the daily feed in RSS 2.0, Atom 1.0 and JSON Feed 1.1, in feed order', async () => {
    await t.store.upsertPapers([
      { id: 'title-0undated', source: 'page', title: 'A paper with no date at all', abstract: 'From a saved page.' },
    ]);
    const order = (await t.store.listPapers({ sort: 'feed', to: '9999-12-31', limit: FEED_SIZE })).map(
      (p) => `${baseUrl}/papers/${p.id}`,
    );
    const r = await rss('/feed.rss');
    expect(r.items.map((i) => text(i.link))).toEqual(order);
    expect(order).not.toContain(`${baseUrl}/papers/title-0undated`);
    expect(r.items.map((i) => text(i.guid))).toEqual(order);
    expect((r.channel['atom:link'] as Node[])[0]).toMatchObject({ '@_rel': 'self', '@_href': `${baseUrl}/feed.rss` });
    const a = await atom('/feed.atom');
    expect(a.entries.map((e) => text(e.id))).toEqual(order);
    expect((a.feed.link as Node[]).find((l) => l['@_rel'] === 'self')!['@_href']).toBe(`${baseUrl}/feed.atom`);
    const j = await jsonFeed('/feed.json');
    expect(j.items.map((i) => i.id)).toEqual(order);
    expect(j.feed_url).toBe(`${baseUrl}/feed.json`);
  });

  it('describes each paper: date of its feed day, authors, categories, abstract and links', async () => {
    const paper = (await t.store.getPaper(loaded.records[0]!.id))!;
    const { items } = await rss('/feed.rss');
    const item = items.find((i) => text(i.link) === `${baseUrl}/papers/${paper.id}`)!;
    expect(text(item.pubDate)).toBe(new Date(`${paper.listedOn}T00:00:00Z`).toUTCString());
    expect((item.category as unknown[]).map(text)).toEqual(paper.categories);
    expect((item.author as unknown[]).map(text)).toEqual([paper.authors.join(', ')]);
    expect(decodeHtml(text(item.description).replace(/<[^>]+>/g, ' '))).toContain(paper.abstract);
    expect(text(item.description)).toContain(`<a href="https://arxiv.org/abs/${paper.id}">arXiv</a>`);
    const { entries } = await atom('/feed.atom');
    const entry = entries.find((e) => text(e.id) === `${baseUrl}/papers/${paper.id}`)!;
    expect((entry.author as Node[]).map((a) => text(a.name))).toEqual(paper.authors);
    expect(text(entry.updated)).toBe(`${paper.listedOn}T00:00:00.000Z`);
    const j = await jsonFeed('/feed.json');
    const ji = j.items.find((i) => i.id === `${baseUrl}/papers/${paper.id}`)!;
    expect(ji).toMatchObject({
      content_text: paper.abstract,
      external_url: `https://arxiv.org/abs/${paper.id}`,
      tags: paper.categories,
    });
    expect(ji.authors).toEqual(paper.authors.map((name) => ({ name })));
  });

  it('keeps titles and abstracts with markup characters as the same text, escaped once', async () => {
    const link = `${baseUrl}/papers/${HOSTILE_ID}`;
    const paper = (await t.store.getPaper(HOSTILE_ID))!;
    const rssItem = (await rss('/feed.rss')).items.find((i) => text(i.link) === link)!;
    expect(decodeHtml(text(rssItem.title))).toBe(HOSTILE_TITLE);
    expect(text(rssItem.title)).not.toContain('<b>');
    expect(text(rssItem.description)).toContain('a &lt; b &amp;&amp; c &gt; d, &quot;quotes&quot; and ]]&gt; too.');
    expect(text(rssItem.description)).not.toContain('&amp;lt;');
    const entry = (await atom('/feed.atom')).entries.find((e) => text(e.id) === link)!;
    expect((entry.title as Node)['@_type']).toBe('html');
    expect(decodeHtml(text(entry.title))).toBe(HOSTILE_TITLE);
    expect(text(entry.title)).not.toContain('&amp;lt;');
    expect((entry.author as Node[]).map((a) => text(a.name))).toEqual(paper.authors);
    const item = (await jsonFeed('/feed.json')).items.find((i) => i.id === link)!;
    expect(item.title).toBe(HOSTILE_TITLE);
    expect(item.content_text).toBe(paper.abstract);
  });

  it('serves trending, category and author feeds', async () => {
    const trending = (await t.store.listPapers({ sort: 'trending', to: '9999-12-31', limit: FEED_SIZE })).map(
      (p) => `${baseUrl}/papers/${p.id}`,
    );
    expect((await atom('/trending/feed.atom')).entries.map((e) => text(e.id))).toEqual(trending);
    const cat = await rss('/categories/cs.CR/feed.rss');
    expect(cat.items.map((i) => text(i.link))).toContain(`${baseUrl}/papers/${HOSTILE_ID}`);
    expect(text(cat.channel.title)).toContain('cs.CR');
    const byAuthor = await jsonFeed(`/authors/${encodeURIComponent('Old Author')}/feed.json`);
    expect(byAuthor.items.map((i) => i.url)).toEqual([`${baseUrl}/papers/${OLD_STYLE_ID}`]);
    expect(byAuthor.feed_url).toBe(`${baseUrl}/authors/Old%20Author/feed.json`);
    expect((await jsonFeed('/categories/math.AG/feed.json')).items).toEqual([]);
    expect((await app.request('/categories/Not%20A%20Category/feed.rss')).status).toBe(404);
  });

  it('turns every search into a feed whose items are the search results, newest first', async () => {
    const target = loaded.records[7]!;
    const q = target.title.split(/\s+/).slice(0, 3).join(' ');
    const expected = await search.search({ q, sort: 'date', limit: FEED_SIZE, offset: 0 });
    expect(expected.hits.length).toBeGreaterThan(0);
    const qs = new URLSearchParams({ q }).toString();
    const a = await atom(`/search/feed.atom?${qs}`);
    expect(a.entries.map((e) => text(e.id))).toEqual(expected.hits.map((h) => `${baseUrl}/papers/${h.paper.id}`));
    expect((a.feed.link as Node[]).find((l) => l['@_rel'] === 'self')!['@_href']).toBe(
      `${baseUrl}/search/feed.atom?${qs}`,
    );
    const best = await search.search({ q, sort: 'relevance', limit: FEED_SIZE, offset: 0 });
    const j = await jsonFeed(`/search/feed.json?${qs}&sort=relevance`);
    expect(j.items.map((i) => i.id)).toEqual(best.hits.map((h) => `${baseUrl}/papers/${h.paper.id}`));
    expect(j.feed_url).toBe(`${baseUrl}/search/feed.json?${qs}&sort=relevance`);
    const cat = target.categories![0]!;
    const filtered = await rss(`/search/feed.rss?${qs}&cat=${cat}`);
    for (const item of filtered.items) expect((item.category as unknown[]).map(text)).toContain(cat);
    expect((await app.request('/search/feed.rss')).status).toBe(400);
    await search.settled();
    const exact = `q=${encodeURIComponent('A paper with no date at all')}&sort=relevance`;
    const undated = await jsonFeed(`/search/feed.json?${exact}`);
    expect(undated.items[0]).toMatchObject({ id: `${baseUrl}/papers/title-0undated`, authors: [] });
    expect((await rss(`/search/feed.rss?${exact}`)).items[0]!.author).toBeUndefined();
  });

  it("reads the same papers back through a feed reader's parser, in RSS and Atom alike", async () => {
    const expected = await t.store.listPapers({ sort: 'feed', to: '9999-12-31', limit: FEED_SIZE });
    for (const path of ['/feed.rss', '/feed.atom']) {
      const parsed = parseFeed(
        await fetchFeed(path, path.endsWith('.rss') ? 'application/rss+xml' : 'application/atom+xml'),
      );
      expect(parsed.meta.type, path).toBe(path.endsWith('.rss') ? 'rss' : 'atom');
      expect(parsed.title).toContain('Daily Papers');
      expect(parsed.items.map((i) => i.url)).toEqual(expected.map((p) => `${baseUrl}/papers/${p.id}`));
      expect(parsed.items.map((i) => i.title)).toEqual(expected.map((p) => p.title));
      const hostile = parsed.items.find((i) => i.url === `${baseUrl}/papers/${HOSTILE_ID}`)!;
      expect(hostile.title).toBe(HOSTILE_TITLE);
      for (const [i, item] of parsed.items.entries()) expect(item.published, `${path} item ${i}`).toBeInstanceOf(Date);
    }
  });

  it('answers If-None-Match with 304', async () => {
    const res = await app.request('/trending/feed.json');
    const again = await app.request('/trending/feed.json', { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('feedLinks', () => {
  it('links the feeds of every page that has them', () => {
    expect(feedLinks('/')).toEqual([
      { rel: 'alternate', type: 'application/atom+xml', href: '/feed.atom', title: 'Daily Papers (Atom)' },
      { rel: 'alternate', type: 'application/rss+xml', href: '/feed.rss', title: 'Daily Papers (RSS)' },
      { rel: 'alternate', type: 'application/feed+json', href: '/feed.json', title: 'Daily Papers (JSON Feed)' },
    ]);
    expect(feedLinks('/trending').map((l) => l.href)).toEqual([
      '/trending/feed.atom',
      '/trending/feed.rss',
      '/trending/feed.json',
    ]);
    expect(feedLinks('/categories/cs.CL')[0]!.title).toBe('Papers in cs.CL (Atom)');
    expect(feedLinks('/authors/Ada%20Lovelace')[1]).toMatchObject({
      href: '/authors/Ada%20Lovelace/feed.rss',
      title: 'Papers by Ada Lovelace (RSS)',
    });
    expect(feedLinks('/search', 'q=graph&cat=cs.LG')[2]!.href).toBe('/search/feed.json?q=graph&cat=cs.LG');
    expect(feedLinks('/papers/2503.11731')).toEqual([]);
  });
});
