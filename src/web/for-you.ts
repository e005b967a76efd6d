import type { Account } from '../accounts/accounts.js';
import type { Signer } from '../crypto/tokens.js';
import { type Follow, listFollows } from '../digest/follows.js';
import type { Reason, Recommendation } from '../foryou/for-you.js';
import { readSettings } from '../foryou/settings.js';
import { readSignals, sinceReset } from '../foryou/signals.js';
import { savedSignals } from '../library/collections.js';
import { humanDay, isValidDay, weekOf, weekRange } from '../model/dates.js';
import type { Paper } from '../model/paper.js';
import { authorKey } from '../model/record.js';
import type { WebDeps } from './deps.js';

/**
 * "For you" as the site, the API and the private feed ask for it (src/foryou/ ranks): a reader's signals gathered
 * (upvotes, saves, follows, "not interested"), the period's papers ranked, and each reason put in words.
 */

/** A day (`?date=`) or an ISO week (`?week=`) of feed days. */
export interface Period {
  kind: 'day' | 'week';
  /** 2026-07-01 or 2026-W27. */
  value: string;
  from: string;
  to: string;
}

/** The period a query asks for; the latest day with papers when it names none; a message when it is not one. */
export async function periodOf(
  deps: Pick<WebDeps, 'store'>,
  query: { date?: string | undefined; week?: string | undefined },
): Promise<Period | string> {
  if (query.date !== undefined && query.week !== undefined) return 'Ask for a date or a week, not both.';
  if (query.week !== undefined) {
    const range = weekRange(query.week);
    if (!range) return `There is no week called “${query.week.slice(0, 20)}”. Weeks look like 2026-W27.`;
    return { kind: 'week', value: query.week, ...range };
  }
  if (query.date !== undefined) {
    if (!isValidDay(query.date))
      return `There is no day called “${query.date.slice(0, 20)}”. Days look like 2026-07-01.`;
    return { kind: 'day', value: query.date, from: query.date, to: query.date };
  }
  const latest = (await deps.store.neighbourDays('9999-12-31')).previous;
  const day = latest ?? new Date().toISOString().slice(0, 10);
  return { kind: 'day', value: day, from: day, to: day };
}

export const periodLabel = (p: Period) =>
  p.kind === 'day' ? humanDay(p.value) : `the week ${humanDay(p.from)} to ${humanDay(p.to)}`;
/** The query string of a period: `date=…` or `week=…`. */
export const periodQuery = (p: Period) => (p.kind === 'day' ? `date=${p.value}` : `week=${p.value}`);
export const weekOfPeriod = (p: Period) => (p.kind === 'week' ? p.value : weekOf(p.value));

/** What the ranking learned from: shown on the page ("from your 3 upvotes, …"). */
export interface ReaderSignals {
  upvoted: Set<string>;
  saved: Set<string>;
  follows: Follow[];
  notInterested: number;
}

export interface Ranking {
  /** False while "For you" is being opened (src/cli/serve.ts): the period in trending order meanwhile. */
  ready: boolean;
  /** Nothing to learn from (no likes, no follows): the period in trending order, each reason saying so. */
  cold: boolean;
  recommendations: Recommendation[];
  signals: ReaderSignals;
}

/** Every paper of the period, best first for this reader. */
export async function rankFor(
  deps: Pick<WebDeps, 'db' | 'clock' | 'forYou'>,
  account: Account,
  period: Period,
): Promise<Ranking> {
  const { db } = deps;
  const [stored, saved, follows] = await Promise.all([
    readSignals(db, account.id),
    savedSignals(db, account.id),
    listFollows(db, account, deps.clock()),
  ]);
  const signals: ReaderSignals = {
    upvoted: new Set(stored.upvoted.map((s) => s.paperId)),
    saved: new Set(sinceReset(saved, stored.since).map((s) => s.paperId)),
    follows,
    notInterested: stored.notInterested.length,
  };
  const forYou = deps.forYou();
  if (!forYou) return { ready: false, cold: true, recommendations: await trendingOrder(deps, period), signals };
  const recommendations = await forYou.rankPeriod(account.id, period, {
    saved,
    follows: {
      authors: new Set(follows.filter((f) => f.kind === 'author').map((f) => authorKey(f.value))),
      categories: new Set(follows.filter((f) => f.kind === 'category').map((f) => f.value)),
    },
  });
  // A reader with likes or follows never gets a trending reason (src/foryou/rank.ts coldStart).
  const cold = recommendations[0]?.reasons[0]?.kind === 'trending';
  return { ready: true, cold, recommendations, signals };
}

/** The period's shown papers by trending score: what a cold start shows, read without "For you" (ids only). */
async function trendingOrder(deps: Pick<WebDeps, 'db'>, period: Period): Promise<Recommendation[]> {
  const rows = await deps.db
    .selectFrom('papers')
    .select(['id', 'trending'])
    .where('feed_day', '>=', period.from)
    .where('feed_day', '<=', period.to)
    .where('hidden_at', 'is', null)
    .orderBy('trending', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ paperId: r.id, score: r.trending, reasons: [{ kind: 'trending' }] }));
}

/** The papers of these recommendations, in their order (a paper hidden meanwhile is left out). */
export async function papersOf(
  deps: Pick<WebDeps, 'store'>,
  recommendations: Recommendation[],
): Promise<{ paper: Paper; recommendation: Recommendation }[]> {
  const papers = new Map((await deps.store.getPapers(recommendations.map((r) => r.paperId))).map((p) => [p.id, p]));
  return recommendations.flatMap((r) => {
    const paper = papers.get(r.paperId);
    return paper ? [{ paper, recommendation: r }] : [];
  });
}

/** A reason in words, with the title it names (if any) apart so that a page can set it in italics and link it. */
export interface ReasonWords {
  before: string;
  title?: { paperId: string; text: string };
  after: string;
}

/**
 * How a page, the API and the feed say a reason. `paper` is the paper it is a reason for (a followed author is named
 * as the paper writes the name); `ready` false says the ranking is still being prepared.
 */
export function reasonWords(reason: Reason, paper: Paper, signals: ReaderSignals, ready = true): ReasonWords {
  switch (reason.kind) {
    case 'closest': {
      const up = signals.upvoted.has(reason.paperId);
      const saved = signals.saved.has(reason.paperId);
      const how = up && saved ? 'upvoted and saved' : saved ? 'saved' : 'upvoted';
      // A liked paper of the period is closest to itself.
      if (reason.paperId === paper.id) return { before: `You ${how} it`, after: '' };
      return { before: 'Close to ', title: { paperId: reason.paperId, text: reason.title }, after: ` (you ${how} it)` };
    }
    case 'words':
      return { before: `Words: ${reason.words.join(', ')}`, after: '' };
    case 'category':
      return {
        before: `${reason.category}, where ${Math.round(reason.share * 100)}% of your likes are`,
        after: '',
      };
    case 'followed-author': {
      const name = paper.authors.find((a) => authorKey(a) === reason.author) ?? reason.author;
      return { before: `You follow ${name}`, after: '' };
    }
    case 'followed-category':
      return { before: `You follow ${reason.category}`, after: '' };
    case 'not-interested':
      return reason.paperId === paper.id
        ? { before: 'You marked it not interested', after: '' }
        : {
            before: 'Lower: like ',
            title: { paperId: reason.paperId, text: reason.title },
            after: ', which you marked not interested',
          };
    case 'trending':
      return {
        before: ready ? 'Trending (you have no likes yet)' : 'Trending (For you is being prepared)',
        after: '',
      };
  }
}

export const reasonText = (w: ReasonWords) => `${w.before}${w.title ? `“${w.title.text}”` : ''}${w.after}`;

/** Whether the reader marked this very paper "not interested". */
export const markedNotInterested = (r: Recommendation) =>
  r.reasons.some((x) => x.kind === 'not-interested' && x.paperId === r.paperId);

/**
 * The private feed's token: the account id signed for this purpose and the account's feed key (src/foryou/settings.ts),
 * so that a new key makes a new address and the old one stops working. An account that never asked for a new one has
 * no key: its first address is the account id signed for the purpose alone.
 */
export const FEED_TOKEN_PURPOSE = 'for-you';
const feedPurpose = (key: string | undefined) => (key ? `${FEED_TOKEN_PURPOSE}\u0000${key}` : FEED_TOKEN_PURPOSE);
export const feedToken = (signer: Signer, accountId: string, key: string | undefined) =>
  signer.token(feedPurpose(key), accountId);

/** The account whose current feed address this token is; undefined for any other token (forged, replaced, too long). */
export async function feedTokenAccount(
  deps: Pick<WebDeps, 'db' | 'signer'>,
  token: string,
): Promise<string | undefined> {
  const dot = token.lastIndexOf('.');
  if (token.length > 200 || dot <= 0) return undefined;
  const { feedKey } = await readSettings(deps.db, token.slice(0, dot));
  return deps.signer.open(feedPurpose(feedKey), token);
}
