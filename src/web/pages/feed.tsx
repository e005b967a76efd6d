import { type Context, Hono } from 'hono';
import { lastHarvestReport } from '../../ingest/harvest-report.js';
import {
  addDays,
  humanDay,
  humanMonth,
  isValidDay,
  monthRange,
  shiftMonth,
  shiftWeek,
  weekOf,
  weekRange,
} from '../../model/dates.js';
import type { Paper } from '../../model/paper.js';
import { echo } from '../../model/text.js';
import { untilPapersChange } from '../../store/result-cache.js';
import type { ListQuery } from '../../store/store.js';
import { PaperItem, PaperList } from '../card.js';
import { FeedLinks, Pager } from '../components.js';
import type { WebDeps } from '../deps.js';
import { feedLinks } from '../feeds/links.js';
import { Layout, SubscribeBanner } from '../layout.js';
import { HarvestNotice } from './harvest-notice.js';
import { notFoundPage } from './not-found.js';

export const PAGE_SIZE = 50;
const utf8 = new TextEncoder();
/** Papers shown in a day's "Featured by curators" section. */
const FEATURED_MAX = 20;

/** A day page's sort orders (`?sort=`), the store's order for each, and what the page calls them. */
const DAY_SORTS = { upvotes: 'upvotes', trending: 'trending', newest: 'date' } as const satisfies Record<
  string,
  ListQuery['sort']
>;
type DaySort = keyof typeof DAY_SORTS;
const DEFAULT_DAY_SORT: DaySort = 'upvotes';
const DAY_SORT_LABELS: Record<DaySort, string> = { upvotes: 'Most upvoted', trending: 'Trending', newest: 'Newest' };

/** What a day page shows: the community's selection (default) or every paper (`?show=all`), in which order. */
interface DayView {
  all: boolean;
  sort: DaySort;
}

/** The view a day page's query asks for, or what is wrong with it. */
function dayView(params: URLSearchParams): DayView | string {
  const sort = params.get('sort') ?? DEFAULT_DAY_SORT;
  const show = params.get('show');
  if (!Object.hasOwn(DAY_SORTS, sort))
    return `“${echo(sort)}” is not a sort order here: use ${Object.keys(DAY_SORTS).join(', ')}.`;
  if (show !== null && show !== 'all') return `“${echo(show)}” is not a view here: use show=all, or leave it out.`;
  return { all: show === 'all', sort: sort as DaySort };
}

/**
 * Day pages (the front page first: the site's busiest page, which changes a few times a day) are rendered once and
 * served from memory until the store says papers changed (another process's writes too: `serve` follows the store's
 * change feed), or for at most RENDERED_TTL_MS, a bound for a process that does not follow it. Pages already tell
 * browsers they may keep them 60 s.
 * This holds while a day page is the same for every visitor: per-visitor content (a session, a CSRF token) must not
 * be cached here.
 */
const RENDERED_TTL_MS = 10_000;
/** Bounds the memory: a rendered day page is about 70 kB. */
const RENDERED_MAX = 200;

/** The highest page asked of a list: 10,000 pages of 30 papers pass any day, week or month there is. */
const MAX_PAGE = 10_000;

/** The page a `?page=` asks for, or undefined when it is not a whole number from 1 to MAX_PAGE. */
function pageNumber(value: string | undefined): number | undefined {
  if (value === undefined) return 1;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  return n >= 1 && n <= MAX_PAGE ? n : undefined;
}

/** Says what is wrong with a page number instead of showing another page. */
function badPage(c: Context, baseUrl: string, value: string | undefined, pages?: number) {
  const path = new URL(c.req.url).pathname;
  const message =
    pages === undefined
      ? `“${echo(String(value))}” is not a page number: pages are numbered from 1 to ${MAX_PAGE.toLocaleString('en')}.`
      : `This list has ${pages === 1 ? 'one page' : `${pages} pages`}, so there is no page ${value}. Its first page is at ${path}.`;
  return notFoundPage(c, baseUrl, message);
}

/** Whether anything but age moves a paper's trending score (src/model/trending.ts). */
const hasSignal = (p: Paper) =>
  p.upvotes + p.communityUpvotes + p.numComments + p.communityComments > 0 || (p.githubStars ?? 0) > 0;

const pagesOf = (total: number) => Math.max(1, Math.ceil(total / PAGE_SIZE));

/** The daily, weekly and monthly feeds and trending. */
export function feedPages(deps: WebDeps): Hono {
  const { store } = deps;
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;

  /** The newest feed day: the one before the end of the calendar, an index lookup (not the newest papers read and sorted). */
  async function latestDay(): Promise<string | undefined> {
    return (await store.neighbourDays('9999-12-31')).previous ?? undefined;
  }

  // Kept as UTF-8 bytes: encoding a 70 kB page again for every request took a quarter of the front page's time.
  const rendered = untilPapersChange<Uint8Array>(store, RENDERED_MAX, RENDERED_TTL_MS, deps.closed);
  const cached = (key: string, render: () => Promise<string>) =>
    rendered.remember(key, async () => utf8.encode(await render()));
  const htmlBytes = (c: Context, bytes: Uint8Array) =>
    c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'text/html; charset=UTF-8' });

  async function list(query: ListQuery, page: number) {
    const papers = await store.listPapers({ ...query, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
    return { papers: papers.slice(0, PAGE_SIZE), hasNext: papers.length > PAGE_SIZE };
  }

  app.get('/', async (c) => {
    const params = new URLSearchParams(c.req.query());
    const page = pageNumber(c.req.query('page'));
    if (page === undefined) return badPage(c, baseUrl, c.req.query('page'));
    const view = dayView(params);
    if (typeof view === 'string') return notFoundPage(c, baseUrl, view);
    if (page > 1) {
      const day = await latestDay();
      const total = day ? await store.countPapers(await viewQuery(day, view)) : 0;
      if ((page - 1) * PAGE_SIZE >= total) return badPage(c, baseUrl, String(page), pagesOf(total));
    }
    const html = await cached(`/?${params}`, async () => {
      const day = await latestDay();
      return day ? dayPage(day, '/', page, params, view) : '';
    });
    if (!html.length) {
      const report = await lastHarvestReport(store);
      return c.html(
        <Layout title="Paperboy: no papers yet" path="/" baseUrl={baseUrl}>
          <h1>No papers yet</h1>
          <p>
            The store is empty. Import a dump with <code>npx paperboy import &lt;file&gt;</code> (for example the corpus
            in
            <code> ../shared/data/corpus/</code>), or fetch today's papers with{' '}
            <code>npx paperboy ingest configured</code>. This page fills in as papers arrive.
          </p>
          <HarvestNotice report={report} />
        </Layout>,
      );
    }
    return htmlBytes(c, html);
  });

  app.get('/day/:day', async (c) => {
    const day = c.req.param('day');
    if (!isValidDay(day))
      return notFoundPage(c, baseUrl, `There is no day called “${day}”. Days look like 2026-07-01.`);
    const params = new URLSearchParams(c.req.query());
    const page = pageNumber(c.req.query('page'));
    if (page === undefined) return badPage(c, baseUrl, c.req.query('page'));
    const view = dayView(params);
    if (typeof view === 'string') return notFoundPage(c, baseUrl, view);
    if (page > 1) {
      const total = await store.countPapers(await viewQuery(day, view));
      if ((page - 1) * PAGE_SIZE >= total) return badPage(c, baseUrl, String(page), pagesOf(total));
    }
    return htmlBytes(c, await cached(`/day/${day}?${params}`, () => dayPage(day, `/day/${day}`, page, params, view)));
  });

  /** The papers a day's view lists: the selection, or every paper when asked or when nobody has selected any. */
  async function viewQuery(day: string, view: DayView): Promise<ListQuery> {
    const all = view.all || (await store.countPapers({ from: day, to: day, selected: true })) === 0;
    return { from: day, to: day, selected: !all, sort: DAY_SORTS[view.sort] };
  }

  async function dayPage(
    day: string,
    path: string,
    page: number,
    params: URLSearchParams,
    view: DayView,
  ): Promise<string> {
    const [selectedCount, total, around, featured] = await Promise.all([
      store.countPapers({ from: day, to: day, selected: true }),
      store.countPapers({ from: day, to: day }),
      store.neighbourDays(day),
      page === 1 ? store.listPapers({ featuredOn: day, sort: 'trending', limit: FEATURED_MAX }) : [],
    ]);
    const all = view.all || selectedCount === 0;
    const listed = await list({ from: day, to: day, selected: !all, sort: DAY_SORTS[view.sort] }, page);
    const shown = new Set(featured.map((p) => p.id));
    const papers = listed.papers.filter((p) => !shown.has(p.id));
    const hasNext = listed.hasNext;
    const link = (change: { show?: string | null; sort?: string | null }) => {
      const next = new URLSearchParams(params);
      next.delete('page');
      for (const [key, value] of Object.entries(change)) {
        if (value === null || value === undefined) next.delete(key);
        else next.set(key, value);
      }
      const query = next.toString();
      return query ? `${path}?${query}` : path;
    };
    return (
      <Layout title={`Daily Papers, ${humanDay(day)} | Paperboy`} path={path} baseUrl={baseUrl} feeds={feedLinks('/')}>
        <SubscribeBanner />
        <h1>
          Daily Papers <span class="sub">{humanDay(day)}</span>
        </h1>
        <nav class="daynav" aria-label="Days">
          {around.previous ? (
            <a href={`/day/${around.previous}`} rel="prev">
              ← {humanDay(around.previous)}
            </a>
          ) : null}
          {around.next ? (
            <a href={`/day/${around.next}`} rel="next">
              {humanDay(around.next)} →
            </a>
          ) : null}
          <a href={`/week/${weekOf(day)}`}>This week</a>
          <a href={`/month/${day.slice(0, 7)}`}>This month</a>
          <a href="/submit">Submit a paper</a>
        </nav>
        <div class="views">
          <nav class="tabs" aria-label="Which papers">
            <a href={link({ show: null })} aria-current={all ? undefined : 'page'}>
              Selected <span class="count">{selectedCount}</span>
            </a>
            <a href={link({ show: 'all' })} aria-current={all ? 'page' : undefined}>
              All new on arXiv <span class="count">{total}</span>
            </a>
            {/* The same link for everyone (this page is kept rendered): the For-you page itself is per reader. */}
            <a href={`/for-you?date=${day}`}>For you</a>
          </nav>
          <nav class="sorts" aria-label="Sort by">
            {(Object.keys(DAY_SORTS) as DaySort[]).map((sort) => (
              <a
                href={link({ sort: sort === DEFAULT_DAY_SORT ? null : sort })}
                aria-current={sort === view.sort ? 'true' : undefined}
              >
                {DAY_SORT_LABELS[sort]}
              </a>
            ))}
          </nav>
        </div>
        {featured.length ? (
          <section class="featured" aria-labelledby="featured">
            <h2 id="featured">Featured by curators</h2>
            <ol class="papers">
              {featured.map((p) => (
                <PaperItem paper={p} heading="h3" />
              ))}
            </ol>
          </section>
        ) : null}
        {selectedCount === 0 && !view.all ? (
          <p class="notice">
            Nobody has picked a paper of this day yet (no upvotes, submissions, features or Hugging Face daily list), so
            here is every new paper. <a href="/submit">Submit one</a> or upvote what you read.
          </p>
        ) : null}
        {papers.length ? (
          <PaperList papers={papers} />
        ) : (
          <p>No papers on this day. Try the previous day or the week.</p>
        )}
        <Pager path={path} params={params} page={page} hasNext={hasNext} />
        {!all && !hasNext && total > selectedCount ? (
          <p class="more">
            <a href={link({ show: 'all' })}>See all {total} new papers of this day</a>
          </p>
        ) : null}
        <FeedLinks base="" />
      </Layout>
    ).toString();
  }

  async function rangePage(
    c: Context,
    opts: {
      title: string;
      heading: string;
      path: string;
      from: string;
      to: string;
      previous: string;
      next: string;
      previousLabel: string;
      nextLabel: string;
    },
  ) {
    const page = pageNumber(c.req.query('page'));
    if (page === undefined) return badPage(c, baseUrl, c.req.query('page'));
    const [{ papers, hasNext }, counts] = await Promise.all([
      list({ from: opts.from, to: opts.to, sort: 'trending' }, page),
      store.dayCounts(opts.from, opts.to),
    ]);
    const total = counts.reduce((s, d) => s + d.count, 0);
    if (page > 1 && papers.length === 0) return badPage(c, baseUrl, String(page), pagesOf(total));
    return c.html(
      <Layout title={`${opts.title} | Paperboy`} path={opts.path} baseUrl={baseUrl} feeds={feedLinks('/')}>
        <SubscribeBanner />
        <h1>{opts.heading}</h1>
        <nav class="daynav" aria-label="Periods">
          <a href={opts.previous} rel="prev">
            ← {opts.previousLabel}
          </a>
          <a href={opts.next} rel="next">
            {opts.nextLabel} →
          </a>
        </nav>
        <p class="sub">
          {total} {total === 1 ? 'paper' : 'papers'}, most upvoted first
        </p>
        <ul class="counts" aria-label="Papers per day">
          {counts.map((d) => (
            <li>
              <a href={`/day/${d.day}`}>{humanDay(d.day)}</a>: {d.count}
            </li>
          ))}
        </ul>
        {papers.length ? <PaperList papers={papers} /> : <p>No papers in this period.</p>}
        <Pager path={opts.path} params={new URLSearchParams(c.req.query())} page={page} hasNext={hasNext} />
      </Layout>,
    );
  }

  app.get('/week', async (c) =>
    c.redirect(`/week/${weekOf((await latestDay()) ?? new Date().toISOString().slice(0, 10))}`),
  );
  app.get('/month', async (c) => c.redirect(`/month/${((await latestDay()) ?? new Date().toISOString()).slice(0, 7)}`));

  app.get('/week/:week', async (c) => {
    const week = c.req.param('week');
    const range = weekRange(week);
    if (!range) return notFoundPage(c, baseUrl, `There is no week called “${week}”. Weeks look like 2026-W27.`);
    return rangePage(c, {
      title: `Papers of ${week}`,
      heading: `Papers of the week ${humanDay(range.from)} to ${humanDay(range.to)}`,
      path: `/week/${week}`,
      ...range,
      previous: `/week/${shiftWeek(week, -1)}`,
      next: `/week/${shiftWeek(week, 1)}`,
      previousLabel: shiftWeek(week, -1),
      nextLabel: shiftWeek(week, 1),
    });
  });

  app.get('/month/:month', async (c) => {
    const month = c.req.param('month');
    const range = monthRange(month);
    if (!range) return notFoundPage(c, baseUrl, `There is no month called “${month}”. Months look like 2026-07.`);
    return rangePage(c, {
      title: `Papers of ${humanMonth(month)}`,
      heading: `Papers of ${humanMonth(month)}`,
      path: `/month/${month}`,
      ...range,
      previous: `/month/${shiftMonth(month, -1)}`,
      next: `/month/${shiftMonth(month, 1)}`,
      previousLabel: humanMonth(shiftMonth(month, -1)),
      nextLabel: humanMonth(shiftMonth(month, 1)),
    });
  });

  app.get('/trending', async (c) => {
    const page = pageNumber(c.req.query('page'));
    if (page === undefined) return badPage(c, baseUrl, c.req.query('page'));
    const latest = (await latestDay()) ?? new Date().toISOString().slice(0, 10);
    const from = addDays(latest, -6);
    const { papers, hasNext } = await list({ from, to: latest, sort: 'trending' }, page);
    if (page > 1 && papers.length === 0)
      return badPage(c, baseUrl, String(page), pagesOf(await store.countPapers({ from, to: latest })));
    return c.html(
      <Layout title="Trending papers | Paperboy" path="/trending" baseUrl={baseUrl} feeds={feedLinks('/trending')}>
        <SubscribeBanner />
        <h1>Trending this week</h1>
        <p class="sub">
          Papers from {humanDay(from)} to {humanDay(latest)}, ranked by upvotes, comments and code stars against age.{' '}
          <a href="/about#trending">How the score works</a>
        </p>
        {papers.length && !papers.some(hasSignal) ? (
          <p class="notice">
            No paper of this week has upvotes, comments or code stars yet, so there is nothing to rank by: until readers
            vote, these are the newest papers.
          </p>
        ) : null}
        {papers.length ? <PaperList papers={papers} /> : <p>No papers in the last week yet.</p>}
        <Pager path="/trending" params={new URLSearchParams(c.req.query())} page={page} hasNext={hasNext} />
        <FeedLinks base="/trending" />
      </Layout>,
    );
  });

  return app;
}
