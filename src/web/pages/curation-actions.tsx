import { type Context, Hono } from 'hono';
import { curatePaper, type PaperCuration } from '../../community/curation.js';
import { Refusal } from '../../model/refusal.js';
import { paperPath } from '../components.js';
import { checkedForm } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { accountContext, localPath, viewer } from '../session.js';
import { ownPage } from './signin.js';

/** Curator and admin writes from one address per window. */
export const CURATION_WRITES_PER_IP = 60;
export const CURATION_WRITES_WINDOW_SECONDS = 600;

const CHANGES: readonly string[] = [
  'feature',
  'unfeature',
  'hide',
  'unhide',
  'lock',
  'unlock',
] satisfies PaperCuration[];

export function expiredForm(c: Context, baseUrl: string, back: string) {
  return ownPage(
    c,
    baseUrl,
    'Please try again',
    <p>
      This form has expired. <a href={back}>Open the page again</a> and resend it.
    </p>,
    403,
  );
}

/**
 * POST /papers/:id/curate with `change` (feature, unfeature, hide, unhide, lock, unlock) and, to feature, `day`:
 * curators' buttons on the paper page and the admin page. Answered with a redirect back (`next`, else the paper).
 */
export function curationRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, baseUrl, signer, now, trustProxy } = ctx;
  const limit = rateLimit(
    { counts: deps.rateCounts, name: 'curation' },
    {
      limit: CURATION_WRITES_PER_IP,
      windowSeconds: CURATION_WRITES_WINDOW_SECONDS,
      trustProxy: trustProxy,
    },
  );

  app.post('/papers/:id{.+}/curate', limit, async (c) => {
    const id = c.req.param('id');
    c.header('Cache-Control', 'no-store');
    const account = await viewer(c, db, now());
    if (!account) return c.redirect(`/signin?next=${encodeURIComponent(paperPath(id))}`, 303);
    const body = await checkedForm(c, signer);
    const back = localPath(body?.next ?? paperPath(id));
    if (!body) return expiredForm(c, baseUrl, back);
    const change =
      typeof body.change === 'string' && CHANGES.includes(body.change) ? (body.change as PaperCuration) : undefined;
    if (!change)
      return refusalPage(c, baseUrl, new Refusal('invalid', `Choose what to do: ${CHANGES.join(', ')}.`), {
        back: { href: back },
      });
    try {
      await curatePaper(deps.store, account, id, change, now(), typeof body.day === 'string' ? body.day : undefined);
    } catch (error) {
      if (error instanceof Refusal) return refusalPage(c, baseUrl, error, { back: { href: back } });
      throw error;
    }
    return c.redirect(back, 303);
  });

  return app;
}
