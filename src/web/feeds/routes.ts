import { type Context, Hono } from 'hono';
import type { Paper } from '../../model/paper.js';
import { cleanName } from '../../model/text.js';
import { parseSearchForm, searchFormQuery, toSearchQuery } from '../../search/search-form.js';
import { httpCache } from '../api/cache.js';
import { errorJson } from '../api/errors.js';
import { siteUrl } from '../api/present.js';
import type { WebDeps } from '../deps.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, type FeedFormat, renderFeed } from './build.js';

export { feedLinks } from './links.js';

/** Items per feed. */
export const FEED_SIZE = 100;

const CATEGORY = /^[a-z][a-z-]*(\.[A-Za-z-]+)?$/;
/** Upper bound on feed days: it leaves out papers with no date at all, which have no place in a dated feed. */
const DATED = { to: '9999-12-31' };

interface FeedContent {
  title: string;
  description: string;
  /** Path of the page the feed follows; its feeds are at `${pagePath}/feed.*` (`/feed.*` for `/`). */
  pagePath: string;
  /** Query string (without `?`) that selects this feed, carried into its self links. */
  query?: string;
  papers: Paper[];
}

type Load = (c: Context) => Promise<FeedContent | Response>;

/**
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the daily feed, trending, every category, every author and every search.
 * A search feed takes the search page's query string (q, cat, exclude, from, to, code, sort) and lists the newest
 * matches first unless `sort=relevance` is asked for: new papers are what a subscriber wants to see.
 */
export function feedRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const { store, search } = deps;
  const baseUrl = siteUrl(deps.config.baseUrl, '');

  const serve = (format: FeedFormat, load: Load) => async (c: Context) => {
    const content = await load(c);
    if (content instanceof Response) return content;
    const qs = content.query ? `?${content.query}` : '';
    const feedBase = siteUrl(baseUrl, `${content.pagePath === '/' ? '' : content.pagePath}/feed`);
    const body = renderFeed(
      format,
      {
        title: `Paperboy: ${content.title}`,
        description: content.description,
        pageUrl: siteUrl(baseUrl, `${content.pagePath}${qs}`),
        feedBase,
        query: qs,
        baseUrl,
      },
      content.papers,
    );
    return c.body(body, 200, { 'Content-Type': FEED_CONTENT_TYPES[format] });
  };

  const daily: Load = async () => ({
    title: 'Daily Papers',
    description: 'The latest papers of the daily feed, newest day first.',
    pagePath: '/',
    papers: await store.listPapers({ ...DATED, sort: 'feed', limit: FEED_SIZE }),
  });
  const trending: Load = async () => ({
    title: 'Trending papers',
    description: 'The papers drawing the most attention lately.',
    pagePath: '/trending',
    papers: await store.listPapers({ ...DATED, sort: 'trending', limit: FEED_SIZE }),
  });
  const category: Load = async (c) => {
    const cat = c.req.param('cat') ?? '';
    if (!CATEGORY.test(cat))
      return errorJson(c, 404, 'not_found', `"${cat}" is not an arXiv category; categories look like cs.CL or hep-th.`);
    return {
      title: `Papers in ${cat}`,
      description: `The latest papers in ${cat}, primary or cross-listed.`,
      pagePath: `/categories/${cat}`,
      papers: await store.listPapers({ ...DATED, category: cat, sort: 'feed', limit: FEED_SIZE }),
    };
  };
  const author: Load = async (c) => {
    const name = cleanName(c.req.param('name') ?? '').trim();
    if (!name || name.length > 200)
      return errorJson(c, 404, 'not_found', 'An author feed needs an author name: /authors/<name>/feed.atom.');
    return {
      title: `Papers by ${name}`,
      description: `The latest papers by ${name}.`,
      pagePath: `/authors/${encodeURIComponent(name)}`,
      papers: await store.listPapers({ ...DATED, author: name, sort: 'date', limit: FEED_SIZE }),
    };
  };
  const searchFeed: Load = async (c) => {
    const params = new URL(c.req.url).searchParams;
    const form = parseSearchForm(params);
    if (!form.q.trim()) {
      return errorJson(
        c,
        400,
        'invalid_request',
        'A search feed needs words to search for: /search/feed.atom?q=your+words, with any filter of the search page (cat, exclude, from, to, code, sort).',
      );
    }
    const relevance = params.get('sort') === 'relevance';
    const result = await search.search(
      toSearchQuery({ ...form, sort: relevance ? 'relevance' : 'date', page: 1 }, FEED_SIZE),
    );
    const query = new URLSearchParams(searchFormQuery({ ...form, sort: 'relevance' }));
    if (relevance) query.set('sort', 'relevance');
    return {
      title: `search “${form.q}”`,
      description: `Papers matching “${form.q}”${relevance ? ', best matches first' : ', newest first'}.`,
      pagePath: '/search',
      query: query.toString(),
      papers: result.hits.map((hit) => hit.paper),
    };
  };

  for (const format of FEED_FORMATS) {
    app.get(`/feed.${format}`, httpCache(), serve(format, daily));
    app.get(`/trending/feed.${format}`, httpCache(), serve(format, trending));
    app.get(`/categories/:cat/feed.${format}`, httpCache(), serve(format, category));
    app.get(`/authors/:name/feed.${format}`, httpCache(), serve(format, author));
    app.get(`/search/feed.${format}`, httpCache(), serve(format, searchFeed));
  }
  return app;
}
