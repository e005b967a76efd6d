import { Hono } from 'hono';
import { authorKey } from '../../model/record.js';
import { cleanName } from '../../model/text.js';
import { PaperList } from '../card.js';
import { FeedLinks, Pager } from '../components.js';
import type { WebDeps } from '../deps.js';
import { feedLinks } from '../feeds/links.js';
import { Layout } from '../layout.js';
import { PAGE_SIZE } from './feed.js';
import { FollowButton } from './follow.js';
import { notFoundPage } from './not-found.js';

/** All papers of one author or one category, newest first. */
export function listPages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;

  const page = (kind: 'author' | 'category') => async (c: import('hono').Context) => {
    const value = cleanName(c.req.param('value') ?? '').slice(0, 200);
    const n = Math.max(1, Math.min(1000, Number.parseInt(c.req.query('page') ?? '1', 10) || 1));
    if (kind === 'author' && !authorKey(value)) {
      return notFoundPage(
        c,
        baseUrl,
        'An author’s name has at least one letter or digit. Search for the author instead.',
      );
    }
    const filter = kind === 'author' ? { author: value } : { category: value };
    const [papers, total] = await Promise.all([
      deps.store.listPapers({ ...filter, sort: 'date', limit: PAGE_SIZE + 1, offset: (n - 1) * PAGE_SIZE }),
      deps.store.countPapers(filter),
    ]);
    if (total === 0) {
      return notFoundPage(
        c,
        baseUrl,
        kind === 'author' ? `No papers by “${value}” yet.` : `No papers in the category “${value}” yet.`,
      );
    }
    const base = `/${kind === 'author' ? 'authors' : 'categories'}/${encodeURIComponent(value)}`;
    const heading = kind === 'author' ? `Papers by ${value}` : `Papers in ${value}`;
    return c.html(
      <Layout title={`${heading} | Paperboy`} path={base} baseUrl={baseUrl} feeds={feedLinks(base)}>
        <h1>{heading}</h1>
        <FollowButton kind={kind} value={value} next={base} />
        <p class="sub">
          {total} {total === 1 ? 'paper' : 'papers'}, newest first
        </p>
        <PaperList papers={papers.slice(0, PAGE_SIZE)} />
        <Pager path={base} params={new URLSearchParams(c.req.query())} page={n} hasNext={papers.length > PAGE_SIZE} />
        <FeedLinks base={base} alert={kind === 'author' ? { author: value } : { category: value }} />
      </Layout>,
    );
  };

  app.get('/authors/:value', page('author'));
  app.get('/categories/:value', page('category'));
  return app;
}
