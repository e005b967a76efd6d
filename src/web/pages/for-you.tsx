import { Hono } from 'hono';
import type { Recommendation } from '../../foryou/for-you.js';
import { readSettings } from '../../foryou/settings.js';
import { humanDay, shiftWeek } from '../../model/dates.js';
import type { Paper } from '../../model/paper.js';
import { siteUrl } from '../api/present.js';
import { PaperItem } from '../card.js';
import { Pager, paperPath } from '../components.js';
import { csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import {
  feedToken,
  markedNotInterested,
  type Period,
  papersOf,
  periodLabel,
  periodOf,
  periodQuery,
  type Ranking,
  type ReaderSignals,
  rankFor,
  reasonWords,
  weekOfPeriod,
} from '../for-you.js';
import { Layout } from '../layout.js';
import { accountContext, viewer } from '../session.js';
import { FollowButton } from './follow.js';
import { notFoundPage } from './not-found.js';

/** Papers per page of the For-you list. */
export const FOR_YOU_PAGE_SIZE = 50;
/** Categories offered to follow on a cold start: the period's busiest. */
const COLD_START_CATEGORIES = 8;

/** The card's anchor, for a form to come back to the same place. */
export const forYouAnchor = (paperId: string) => `fy-${paperId.replace(/[^A-Za-z0-9.-]/g, '-')}`;
export const notInterestedPath = (id: string) => `/papers/${id}/not-interested`;
export const moreLikeThisPath = (id: string) => `/papers/${id}/more-like-this`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** GET /for-you?date=YYYY-MM-DD | week=YYYY-Www [&page=N]: a reader's ranking of a day or a week. Private. */
export function forYouPages(deps: WebDeps): Hono {
  const app = new Hono();
  const { db, baseUrl, signer, now } = accountContext(deps);

  app.get('/for-you', async (c) => {
    // Per reader, or an invitation to sign in that names the day: never kept by a cache.
    c.header('Cache-Control', 'private, no-store');
    const period = await periodOf(deps, { date: c.req.query('date'), week: c.req.query('week') });
    if (typeof period === 'string') return notFoundPage(c, baseUrl, period);
    const pageParam = c.req.query('page') ?? '1';
    const page = /^\d{1,5}$/.test(pageParam) ? Number(pageParam) : 0;
    if (page < 1) return notFoundPage(c, baseUrl, `“${pageParam.slice(0, 20)}” is not a page number.`);
    const path = `/for-you?${periodQuery(period)}`;
    const account = await viewer(c, db, now());
    if (!account) return c.html(<SignedOut period={period} path={path} baseUrl={baseUrl} />);

    const ranking = await rankFor(deps, account, period);
    const total = ranking.recommendations.length;
    const pages = Math.max(1, Math.ceil(total / FOR_YOU_PAGE_SIZE));
    if (page > pages)
      return notFoundPage(c, baseUrl, `This list has ${plural(pages, 'page')}: there is no page ${page}.`);
    const slice = ranking.recommendations.slice((page - 1) * FOR_YOU_PAGE_SIZE, page * FOR_YOU_PAGE_SIZE);
    const [items, around, categories] = await Promise.all([
      papersOf(deps, slice),
      period.kind === 'day' ? deps.store.neighbourDays(period.value) : undefined,
      ranking.cold ? busiestCategories(period) : [],
    ]);
    const here = page > 1 ? `${path}&page=${page}` : path;
    const csrf = csrfToken(c, signer, baseUrl);
    const { feedKey } = await readSettings(db, account.id);
    const token = feedToken(signer, account.id, feedKey);
    const feed = siteUrl(baseUrl, `/for-you/feed.atom?token=${encodeURIComponent(token)}`);
    return c.html(
      <Layout title="For you | Paperboy" path="/for-you" baseUrl={baseUrl} bodyClass="for-you">
        <h1>
          For you <span class="sub">{periodLabel(period)}</span>
        </h1>
        <PeriodNav period={period} around={around} />
        <div class="views">
          <nav class="tabs" aria-label="Which papers">
            {period.kind === 'day' ? (
              <>
                <a href={`/day/${period.value}`}>Selected</a>
                <a href={`/day/${period.value}?show=all`}>All new on arXiv</a>
              </>
            ) : (
              <a href={`/week/${period.value}`}>The whole week</a>
            )}
            <a href={path} aria-current="page">
              For you <span class="count">{total}</span>
            </a>
          </nav>
        </div>
        {c.req.query('reset') === 'done' ? (
          <p class="notice" role="status">
            Your ranking starts from now: your “not interested” marks are cleared, and only what you upvote or save from
            now on (and your follows) shapes it.
          </p>
        ) : null}
        {c.req.query('feed') === 'new' ? (
          <p class="notice" role="status">
            Your private feed has a new address (below): the old one no longer works. Put the new one in your feed
            reader.
          </p>
        ) : null}
        {ranking.ready ? null : (
          <p class="notice" role="status">
            For you is being prepared: the site reads every paper once after it starts, which takes a few seconds.
            Meanwhile here is {periodLabel(period)} in trending order. Reload the page in a moment.
          </p>
        )}
        {ranking.ready && ranking.cold ? (
          <ColdStart categories={categories} path={path} />
        ) : (
          <Learned signals={ranking.signals} ready={ranking.ready} />
        )}
        {items.length ? (
          <ol class="papers">
            {items.map(({ paper, recommendation }, i) => (
              <PaperItem
                paper={paper}
                anchor={forYouAnchor(paper.id)}
                extra={
                  <Why
                    paper={paper}
                    recommendation={recommendation}
                    ranking={ranking}
                    csrf={csrf}
                    here={here}
                    // After "not interested" the paper goes down: the page comes back to the card that took its place.
                    after={items[i + 1]?.paper.id ?? items[i - 1]?.paper.id ?? paper.id}
                  />
                }
              />
            ))}
          </ol>
        ) : (
          <p class="empty">No papers in {periodLabel(period)}. Try another day or the week.</p>
        )}
        <Pager path="/for-you" params={new URLSearchParams(periodQuery(period))} page={page} hasNext={page < pages} />
        <Reset signals={ranking.signals} csrf={csrf} here={`${path}&reset=done`} />
        <section class="fy-feed" aria-labelledby="fy-feed">
          <h2 id="fy-feed">Your private feed</h2>
          <p>The latest day's 30 best papers for you, in any feed reader (Atom; RSS with .rss instead of .atom):</p>
          <p class="token-value">
            <input id="for-you-feed" readonly value={feed} aria-label="Your private feed address" spellcheck={false} />{' '}
            <button type="button" data-copy="for-you-feed" hidden>
              Copy
            </button>
            <span data-copy-status aria-live="polite" />
          </p>
          <p class="hint">
            Copy the address into your feed reader. Anyone who has it can read this list (not your account or anything
            else), so keep it to yourself. If it leaks, make a new address: the old one stops working.
          </p>
          <form method="post" action="/for-you/feed/rotate">
            <input type="hidden" name="csrf" value={csrf} />
            <input type="hidden" name="next" value={`${path}&feed=new#fy-feed`} />
            <button type="submit">Make a new address</button>
          </form>
        </section>
      </Layout>,
    );
  });

  /** The period's categories with the most papers (primary), for a reader with nothing to learn from yet. */
  async function busiestCategories(period: Period): Promise<string[]> {
    const rows = await db
      .selectFrom('papers')
      .select((eb) => ['primary_category', eb.fn.countAll<number | string>().as('n')])
      .where('feed_day', '>=', period.from)
      .where('feed_day', '<=', period.to)
      .where('hidden_at', 'is', null)
      .where('primary_category', 'is not', null)
      .groupBy('primary_category')
      .orderBy('n', 'desc')
      .orderBy('primary_category')
      .limit(COLD_START_CATEGORIES)
      .execute();
    return rows.map((r) => r.primary_category!);
  }

  return app;
}

function SignedOut(props: { period: Period; path: string; baseUrl: string }) {
  return (
    <Layout title="For you | Paperboy" path="/for-you" baseUrl={props.baseUrl}>
      <h1>For you</h1>
      <p>
        For you ranks every paper of a day or a week by what you upvote, save and follow, says why each paper is where
        it is, and learns from “Not interested”. It is yours alone: nobody else sees it.
      </p>
      <p>
        <a class="button" href={`/signin?next=${encodeURIComponent(props.path)}`}>
          Sign in to see yours
        </a>{' '}
        or read <a href={`/day/${props.period.kind === 'day' ? props.period.value : props.period.from}`}>the day</a> as
        everyone sees it.
      </p>
    </Layout>
  );
}

function PeriodNav(props: { period: Period; around: { previous: string | null; next: string | null } | undefined }) {
  const { period, around } = props;
  if (period.kind === 'week')
    return (
      <nav class="daynav" aria-label="Weeks">
        <a href={`/for-you?week=${shiftWeek(period.value, -1)}`} rel="prev">
          ← {shiftWeek(period.value, -1)}
        </a>
        <a href={`/for-you?week=${shiftWeek(period.value, 1)}`} rel="next">
          {shiftWeek(period.value, 1)} →
        </a>
        <a href={`/for-you?date=${period.to}`}>One day</a>
      </nav>
    );
  return (
    <nav class="daynav" aria-label="Days">
      {around?.previous ? (
        <a href={`/for-you?date=${around.previous}`} rel="prev">
          ← {humanDay(around.previous)}
        </a>
      ) : null}
      {around?.next ? (
        <a href={`/for-you?date=${around.next}`} rel="next">
          {humanDay(around.next)} →
        </a>
      ) : null}
      <a href={`/for-you?week=${weekOfPeriod(period)}`}>This week</a>
    </nav>
  );
}

/** What the ranking learned from, in one line. */
function Learned(props: { signals: ReaderSignals; ready: boolean }) {
  const { signals } = props;
  const parts = [
    signals.upvoted.size ? plural(signals.upvoted.size, 'upvote') : '',
    signals.saved.size ? plural(signals.saved.size, 'saved paper') : '',
    signals.follows.length ? plural(signals.follows.length, 'follow') : '',
  ].filter(Boolean);
  if (!props.ready || !parts.length) return null;
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
  return (
    <p class="sub fy-learned">
      Ranked on your {list}
      {signals.notInterested
        ? `, and away from ${plural(signals.notInterested, 'paper')} you marked not interested`
        : ''}
      . Each card says why it is there.
    </p>
  );
}

/** Nothing to learn from yet: follow a few categories, and upvote or save what you like. */
function ColdStart(props: { categories: string[]; path: string }) {
  return (
    <section class="notice fy-cold" aria-labelledby="fy-cold">
      <h2 id="fy-cold">Start your ranking</h2>
      <p>
        You have no upvotes, saved papers or follows yet, so these papers are in trending order. Follow a few
        categories, and upvote or save papers you like (or press “More like this”): the list is ranked for you from then
        on.
      </p>
      {props.categories.length ? (
        <ul class="fy-categories" aria-label="Categories to follow">
          {props.categories.map((category) => (
            <li>
              <FollowButton kind="category" value={category} next={props.path} named />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** Why a paper is where it is, and the two buttons that steer the ranking. */
function Why(props: {
  paper: Paper;
  recommendation: Recommendation;
  ranking: Ranking;
  csrf: string;
  here: string;
  after: string;
}) {
  const { paper, recommendation, ranking } = props;
  const marked = markedNotInterested(recommendation);
  return (
    <div class="why">
      <ul class="reasons" aria-label="Why this paper is here">
        {recommendation.reasons.map((reason) => {
          const w = reasonWords(reason, paper, ranking.signals, ranking.ready);
          return (
            <li class={`reason ${reason.kind}`}>
              {w.before}
              {w.title ? (
                <a href={paperPath(w.title.paperId)}>
                  <em>{w.title.text}</em>
                </a>
              ) : null}
              {w.after}
            </li>
          );
        })}
      </ul>
      <div class="steer">
        <form method="post" action={notInterestedPath(paper.id)} data-not-interested>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="next" value={`${props.here}#${forYouAnchor(marked ? paper.id : props.after)}`} />
          {marked ? <input type="hidden" name="undo" value="1" /> : null}
          <button type="submit" aria-pressed={marked ? 'true' : 'false'}>
            <span class="off">Not interested</span>
            <span class="on">Not interested: undo</span>
          </button>
        </form>
        <form method="post" action={moreLikeThisPath(paper.id)} data-more-like-this>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="next" value={`${props.here}#${forYouAnchor(paper.id)}`} />
          <button type="submit" title="Saves it to your reading list: For you ranks papers like your saves higher">
            More like this
          </button>
        </form>
        <span class="steer-status" data-steer-status aria-live="polite" />
      </div>
    </div>
  );
}

/** The reset ("start from now"), and what it does not undo. */
function Reset(props: { signals: ReaderSignals; csrf: string; here: string }) {
  const { signals } = props;
  const something = signals.notInterested > 0 || signals.upvoted.size > 0 || signals.saved.size > 0;
  return (
    <section class="fy-reset" aria-labelledby="fy-reset">
      <h2 id="fy-reset">Reset</h2>
      <p>
        {something
          ? `Reset starts your ranking from now: ${signals.notInterested ? `your ${plural(signals.notInterested, '“not interested” mark')} ${signals.notInterested === 1 ? 'is' : 'are'} cleared, and ` : ''}the upvotes and saves you made so far stop shaping it.`
          : 'Nothing to reset: no upvote, save or “not interested” mark shapes your ranking now.'}{' '}
        A reset does not undo your upvotes (they are public votes: take one back with its button), your saved papers
        (remove them in <a href="/library">your library</a>) or your follows (<a href="/following">Following</a>), which
        keep counting.
      </p>
      {something ? (
        <form method="post" action="/for-you/reset">
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="next" value={props.here} />
          <button type="submit">Reset: start from now</button>
        </form>
      ) : null}
    </section>
  );
}
