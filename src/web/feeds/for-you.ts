import { type Context, Hono } from 'hono';
import { getAccount } from '../../accounts/accounts.js';
import { siteUrl } from '../api/present.js';
import type { WebDeps } from '../deps.js';
import { feedTokenAccount, papersOf, periodOf, rankFor } from '../for-you.js';
import { FEED_CONTENT_TYPES, FEED_FORMATS, type FeedFormat, renderFeed } from './build.js';

/** Papers in the private feed: the latest day's best. */
export const FOR_YOU_FEED_SIZE = 30;

/**
 * GET /for-you/feed.{atom,rss,json}?token=…: a reader's For you of the latest day, for a feed reader, which cannot
 * sign in. The token is the account id signed for this purpose (src/web/for-you.ts feedToken); a token that is not
 * one, or whose account is gone or banned, is answered 404 like any unknown address.
 */
export function forYouFeedRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = siteUrl(deps.config.baseUrl, '');

  const serve = (format: FeedFormat) => async (c: Context) => {
    c.header('Cache-Control', 'private, no-store');
    c.header('X-Robots-Tag', 'noindex');
    const token = c.req.query('token') ?? '';
    const id = feedTokenAccount(deps.signer, token);
    const account = id ? await getAccount(deps.db, id) : undefined;
    if (!account || account.bannedAt)
      return c.text('No such feed. Copy the address again from your For-you page (/for-you).', 404);
    const period = await periodOf(deps, {});
    if (typeof period === 'string') throw new Error(period);
    const ranking = await rankFor(deps, account, period);
    const items = await papersOf(deps, ranking.recommendations.slice(0, FOR_YOU_FEED_SIZE));
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
    );
    return c.body(body, 200, { 'Content-Type': FEED_CONTENT_TYPES[format] });
  };

  for (const format of FEED_FORMATS) app.get(`/for-you/feed.${format}`, serve(format));
  return app;
}
