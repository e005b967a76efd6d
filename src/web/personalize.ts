import type { MiddlewareHandler } from 'hono';
import { upvotedAmong } from '../accounts/votes.js';
import { csrfToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { SIGN_IN_LINK } from './layout.js';
import { viewer } from './session.js';

const UPVOTE_CSRF = 'value="" data-upvote-csrf';
/** The token field of any other form on a page rendered for every visitor (e.g. src/web/pages/comments.tsx). */
export const FORM_CSRF = 'value="" data-csrf';
const UPVOTE_BUTTON = /aria-pressed="false" data-paper="([^"]+)"/g;

/**
 * Pages are rendered once for every visitor (day pages are even kept rendered in memory), so they carry no
 * per-visitor state. For a signed-in visitor this fills it in on the way out: the handle in the header, the CSRF
 * token of the upvote forms and which papers they upvoted; such answers are private and never cached.
 */
export function personalize(deps: WebDeps): MiddlewareHandler {
  const { db, signer, clock: now } = deps;
  return async (c, next) => {
    await next();
    if (!c.res.headers.get('Content-Type')?.startsWith('text/html')) return;
    c.res.headers.append('Vary', 'Cookie');
    const account = await viewer(c, db, now());
    if (!account) return;
    const html = await c.res.text();
    const ids = [...html.matchAll(UPVOTE_BUTTON)].map((m) => m[1]!);
    const upvoted = await upvotedAmong(db, account.id, ids);
    const token =
      html.includes(UPVOTE_CSRF) || html.includes(FORM_CSRF) ? csrfToken(c, signer, deps.config.baseUrl) : '';
    const out = html
      .replace(SIGN_IN_LINK, `<a class="account" href="/account">@${account.handle}</a>`)
      .replaceAll(UPVOTE_CSRF, `value="${token}" data-upvote-csrf`)
      .replaceAll(FORM_CSRF, `value="${token}" data-csrf`)
      .replace(UPVOTE_BUTTON, (whole, id: string) =>
        upvoted.has(id) ? `aria-pressed="true" data-paper="${id}"` : whole,
      );
    const headers = new Headers(c.res.headers);
    headers.set('Cache-Control', 'private, no-store');
    headers.delete('Content-Length');
    c.res = new Response(out, { status: c.res.status, headers });
  };
}
