import { Hono, type Context } from 'hono';
import { CurationError, curatePaper, type PaperCuration } from '../community/curation.js';
import { paperPath } from './components.js';
import { checkedForm } from './csrf.js';
import type { WebDeps } from './deps.js';
import { ownPage } from './pages/signin.js';
import { rateLimit } from './rate-limit.js';
import { accountContext, localPath, viewer } from './session.js';

/** Curator and admin writes from one address per window. */
export const CURATION_WRITES_PER_IP = 60;
export const CURATION_WRITES_WINDOW_SECONDS = 600;

const CHANGES: readonly string[] = ['feature', 'unfeature', 'hide', 'unhide', 'lock', 'unlock'] satisfies PaperCuration[];

const STATUS = { forbidden: 403, 'not-found': 404, invalid: 400, 'last-admin': 409, 'is-admin': 409, exists: 409 } as const;

/** The page that says why a curation or moderation form was refused, and where to go back to. */
export function refused(c: Context, baseUrl: string, error: CurationError, back: string) {
  return ownPage(c, baseUrl, 'Not done', <><p class="error" role="alert">{error.message}</p><p><a href={back}>Go back</a></p></>, STATUS[error.code]);
}

export function expiredForm(c: Context, baseUrl: string, back: string) {
  return ownPage(c, baseUrl, 'Please try again', <p>This form has expired. <a href={back}>Open the page again</a> and resend it.</p>, 403);
}

/**
 * POST /papers/:id/curate with `change` (feature, unfeature, hide, unhide, lock, unlock) and, to feature, `day`:
 * curators' buttons on the paper page and the admin page. Answered with a redirect back (`next`, else the paper).
 */
export function curationRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, baseUrl, signer, now, trustProxy } = ctx;
  const limit = rateLimit({ limit: CURATION_WRITES_PER_IP, windowSeconds: CURATION_WRITES_WINDOW_SECONDS, trustProxy: trustProxy });

  app.post('/papers/:id{.+}/curate', limit, async (c) => {
    const id = c.req.param('id');
    c.header('Cache-Control', 'no-store');
    const account = await viewer(c, db, now());
    if (!account) return c.redirect(`/signin?next=${encodeURIComponent(paperPath(id))}`, 303);
    const body = await checkedForm(c, signer);
    const back = localPath(body?.next ?? paperPath(id));
    if (!body) return expiredForm(c, baseUrl, back);
    const change = typeof body.change === 'string' && CHANGES.includes(body.change) ? body.change as PaperCuration : undefined;
    if (!change) return refused(c, baseUrl, new CurationError('invalid', `Choose what to do: ${CHANGES.join(', ')}.`), back);
    try {
      await curatePaper(deps.store, account, id, change, now(), typeof body.day === 'string' ? body.day : undefined);
    } catch (error) {
      if (error instanceof CurationError) return refused(c, baseUrl, error, back);
      throw error;
    }
    return c.redirect(back, 303);
  });

  return app;
}
