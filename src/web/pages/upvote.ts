import { type Context, Hono } from 'hono';
import { toggleVote } from '../../accounts/votes.js';
import { paperPath } from '../components.js';
import { checkedForm } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { rateLimit } from '../rate-limit.js';
import { accountContext, localPath, viewer } from '../session.js';

const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

/** Votes (and takings back) per client address in a window: a reader going down a day's feed stays far below. */
export const VOTES_PER_IP = 300;
export const VOTES_WINDOW_SECONDS = 600;

/**
 * POST /papers/:id/upvote toggles the visitor's upvote. A form post is answered with a redirect back to the page it
 * came from; `fetch` (Accept: application/json) gets `{ upvoted, upvotes }`. Signed out: to sign-in, or 401.
 */
export function upvoteRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, signer, now, baseUrl } = ctx;

  const limited = rateLimit(
    { counts: deps.rateCounts, name: 'votes' },
    {
      limit: VOTES_PER_IP,
      windowSeconds: VOTES_WINDOW_SECONDS,
      trustProxy: deps.config.trustProxy ?? false,
      onLimited: (c, seconds) => {
        const message = `Too many votes from your address. Please try again in ${Math.ceil(seconds / 60)} minutes.`;
        return wantsJson(c) ? c.json({ error: message }, 429) : c.text(message, 429);
      },
    },
  );

  app.post('/papers/:id{.+}/upvote', limited, async (c) => {
    const id = c.req.param('id');
    c.header('Cache-Control', 'no-store');
    const account = await viewer(c, db, now());
    if (!account) {
      if (wantsJson(c))
        return c.json(
          { error: 'Sign in to upvote.', signIn: `/signin?next=${encodeURIComponent(paperPath(id))}` },
          401,
        );
      return c.redirect(`/signin?next=${encodeURIComponent(paperPath(id))}`, 303);
    }
    if (!(await checkedForm(c, signer))) {
      if (wantsJson(c)) return c.json({ error: 'This form has expired. Reload the page and try again.' }, 403);
      return c.text('This form has expired. Go back, reload the page and try again.', 403);
    }
    const result = await toggleVote(deps.store, account, id, now());
    if (!result)
      return wantsJson(c)
        ? c.json({ error: `There is no paper ${id}.` }, 404)
        : c.text(`There is no paper ${id}.`, 404);
    if (wantsJson(c)) return c.json(result);
    return c.redirect(backTo(c) ?? paperPath(id), 303);
  });

  /** The page the form was on, when the Referer says it was this site. */
  function backTo(c: Context): string | undefined {
    const referer = c.req.header('referer');
    if (!referer) return undefined;
    try {
      const url = new URL(referer);
      if (url.origin !== new URL(baseUrl).origin && url.origin !== new URL(c.req.url).origin) return undefined;
      return localPath(url.pathname + url.search);
    } catch {
      return undefined;
    }
  }

  return app;
}
