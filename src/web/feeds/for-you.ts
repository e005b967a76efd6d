import { type Context, Hono } from 'hono';
import { getAccount } from '../../accounts/accounts.js';
import { hashToken } from '../../crypto/tokens.js';
import { siteUrl } from '../api/present.js';
import type { WebDeps } from '../deps.js';
import { feedTokenAccount, papersOf, periodOf, rankFor, reasonText, reasonWords } from '../for-you.js';
import { rateLimit } from '../rate-limit.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, type FeedFormat, renderFeed } from './build.js';

/** Papers in the private feed: the latest day's best. */
export const FOR_YOU_FEED_SIZE = 30;
/**
 * Reads of one feed address per window: a feed reader polls every few minutes at most, and each read ranks a day.
 * Reads from one client address are limited as the API's are (src/web/rate-limit.ts defaultRateLimit).
 */
export const FOR_YOU_FEED_READS = 30;
export const FOR_YOU_FEED_WINDOW_SECONDS = 600;

/**
 * GET /for-you/feed.{atom,rss,json}?token=…: a reader's For you of the latest day, for a feed reader, which cannot
 * sign in, each item saying why it is there. The token is the account id signed with the account's feed key
 * (src/web/for-you.ts feedToken); a token that is not the current one, or whose account is gone or banned, is
 * answered 404 like any unknown address.
 */
export function forYouFeedRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = siteUrl(deps.config.baseUrl, '');
  const trustProxy = deps.config.trustProxy ?? false;
  const tooMany = (c: Context, seconds: number) =>
    c.text(`Too many reads of this feed. Your feed reader can try again in ${Math.ceil(seconds / 60)} minutes.`, 429);
  // Reads: counted in each process and written to the shared counts within a second (src/web/rate-limit.ts).
  const perClient = rateLimit(
    { counts: deps.rateCounts, name: 'for-you-feed' },
    { trustProxy, batched: true, onLimited: tooMany },
  );
  const perToken = rateLimit(
    { counts: deps.rateCounts, name: 'for-you-feed-token' },
    {
      limit: FOR_YOU_FEED_READS,
      windowSeconds: FOR_YOU_FEED_WINDOW_SECONDS,
      trustProxy,
      batched: true,
      // Hashed: the counts table is no place for the private address.
      key: (c) => `token:${hashToken((c.req.query('token') ?? '').slice(0, 200))}`,
      onLimited: tooMany,
    },
  );

  const serve = (format: FeedFormat) => async (c: Context) => {
    c.header('Cache-Control', 'private, no-store');
    c.header('X-Robots-Tag', 'noindex');
    const token = c.req.query('token') ?? '';
    const id = await feedTokenAccount(deps, token);
    const account = id ? await getAccount(deps.db, id) : undefined;
    if (!account || account.bannedAt)
      return c.text(
        'No such feed: this address is wrong, or it was replaced by a new one. Copy the current address from your For-you page (/for-you).',
        404,
      );
    const period = await periodOf(deps, {});
    if (typeof period === 'string') throw new Error(period);
    const ranking = await rankFor(deps, account, period);
    const items = await papersOf(deps, ranking.recommendations.slice(0, FOR_YOU_FEED_SIZE));
    const notes = new Map(
      items
        .filter((i) => i.recommendation.reasons.length)
        .map(({ paper, recommendation }) => [
          paper.id,
          `Why: ${recommendation.reasons.map((r) => reasonText(reasonWords(r, paper, ranking.signals, ranking.ready))).join('; ')}.`,
        ]),
    );
    const query = `?token=${encodeURIComponent(token)}`;
    const body = renderFeed(
      format,
      {
        title: `Paperboy: for ${account.handle}`,
        description: `The ${FOR_YOU_FEED_SIZE} papers of the latest day ranked first for ${account.handle}, from their upvotes, saves and follows.`,
        pageUrl: siteUrl(baseUrl, `/for-you?date=${period.value}`),
        feedBase: siteUrl(baseUrl, '/for-you/feed'),
        query,
        baseUrl,
      },
      items.map((i) => i.paper),
      notes,
    );
    return c.body(body, 200, { 'Content-Type': FEED_CONTENT_TYPES[format] });
  };

  for (const format of FEED_FORMATS) app.get(`/for-you/feed.${format}`, perClient, perToken, serve(format));
  return app;
}
