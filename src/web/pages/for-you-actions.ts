import { type Context, Hono } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import { rotateFeedKey } from '../../foryou/settings.js';
import { markNotInterested, resetForYou, unmarkNotInterested } from '../../foryou/signals.js';
import { addPaper, savedCollection } from '../../library/collections.js';
import { Refusal } from '../../model/refusal.js';
import { paperPath } from '../components.js';
import { checkedForm } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { rateLimit } from '../rate-limit.js';
import { accountContext, localPath, viewer } from '../session.js';

/** Steering "For you" (not interested, more like this, reset) per address per window: as many as votes. */
export const STEERS_PER_IP = 300;
export const STEERS_WINDOW_SECONDS = 600;

const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

/**
 * The For-you page's buttons: POST /papers/:id/not-interested (`undo=1` takes the mark back), POST
 * /papers/:id/more-like-this, POST /for-you/reset and POST /for-you/feed/rotate (a new private feed address). Plain forms answered with a redirect to `next` (the page, at the
 * card's anchor), or JSON for app.js; signed out, to sign-in and back.
 */
export function forYouRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const { db, signer, now, trustProxy } = accountContext(deps);
  const limited = rateLimit(
    { counts: deps.rateCounts, name: 'for-you' },
    {
      limit: STEERS_PER_IP,
      windowSeconds: STEERS_WINDOW_SECONDS,
      trustProxy,
      onLimited: (c, seconds) => {
        const message = `Too many changes from your address. Please try again in ${Math.ceil(seconds / 60)} minutes.`;
        return wantsJson(c) ? c.json({ error: message }, 429) : c.text(message, 429);
      },
    },
  );

  /** One action for a signed-in reader whose form is genuine; it answers JSON (app.js) or a redirect to `next`. */
  function action(
    fallback: (c: Context) => string,
    run: (c: Context, account: Account, form: Record<string, unknown>) => Promise<object>,
  ) {
    return async (c: Context) => {
      c.header('Cache-Control', 'no-store');
      const body = await c.req.parseBody();
      const next = body.next === undefined ? fallback(c) : localPath(body.next);
      const account = await viewer(c, db, now());
      if (!account) {
        const signIn = `/signin?next=${encodeURIComponent(next)}`;
        return wantsJson(c) ? c.json({ error: 'Sign in first.', signIn }, 401) : c.redirect(signIn, 303);
      }
      const form = await checkedForm(c, signer);
      if (!form) {
        if (wantsJson(c)) return c.json({ error: 'This form has expired. Reload the page and try again.' }, 403);
        return c.text('This form has expired. Go back, reload the page and try again.', 403);
      }
      try {
        const result = await run(c, account, form);
        return wantsJson(c) ? c.json(result) : c.redirect(next, 303);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return wantsJson(c) ? c.json({ error: error.message }, 404) : c.text(error.message, 404);
      }
    };
  }

  const paperId = (c: Context) => c.req.param('id') ?? '';
  const noSuchPaper = (id: string) => new Refusal('not-found', `There is no paper ${id} on this site.`);

  app.post(
    '/papers/:id{.+}/not-interested',
    limited,
    action(
      () => '/for-you',
      async (c, account, form) => {
        const id = paperId(c);
        if (form.undo === '1') {
          await unmarkNotInterested(db, account.id, id);
          return { notInterested: false };
        }
        if (!(await markNotInterested(db, account.id, id, now()))) throw noSuchPaper(id);
        return { notInterested: true };
      },
    ),
  );

  // "More like this" saves the paper to the reader's reading list rather than upvoting it: an upvote is a public vote
  // (it moves the paper up for everyone, src/model/trending.ts), while a preference of one reader's ranking should
  // stay theirs. A save is private, For you already counts it as a like (src/foryou/for-you.ts ExtraSignals.saved),
  // the Save button then shows it and the library undoes it; a table of its own would add a third notion of "like".
  app.post(
    '/papers/:id{.+}/more-like-this',
    limited,
    action(
      (c) => paperPath(paperId(c)),
      async (c, account) => {
        const saved = await savedCollection(db, account.id, now());
        await addPaper(db, account.id, saved.id, paperId(c), now());
        return { saved: true };
      },
    ),
  );

  app.post(
    '/for-you/reset',
    limited,
    action(
      () => '/for-you',
      async (_c, account) => {
        await resetForYou(db, account.id, now());
        return { reset: true };
      },
    ),
  );

  app.post(
    '/for-you/feed/rotate',
    limited,
    action(
      () => '/for-you#fy-feed',
      async (_c, account) => {
        await rotateFeedKey(db, account.id);
        return { rotated: true };
      },
    ),
  );

  return app;
}
