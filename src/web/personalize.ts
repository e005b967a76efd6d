import type { MiddlewareHandler } from 'hono';
import { upvotedAmong } from '../accounts/votes.js';
import { followedAmong } from '../digest/follows.js';
import { savedAmong } from '../library/collections.js';
import { csrfToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { SIGN_IN_LINK } from './layout.js';
import { viewer } from './session.js';

const UPVOTE_CSRF = 'value="" data-upvote-csrf';
/** The token field of any other form on a page rendered for every visitor (e.g. src/web/pages/comments.tsx). */
export const FORM_CSRF = 'value="" data-csrf';
const UPVOTE_BUTTON = /aria-pressed="false" data-paper="([^"]+)"/g;
/** The Save buttons of src/web/card.tsx. */
const SAVE_BUTTON = /aria-pressed="false" data-save="([^"]+)"/g;
/** The Follow buttons of src/web/pages/follow.tsx. */
const FOLLOW_BUTTON = /aria-pressed="false" data-follow="([^"]+)"/g;
/** The header's link for a signed-in visitor: their library, then their account. */
const signedInLinks = (handle: string) =>
  `<a class="library following" href="/following">Following</a><a class="library" href="/library">Library</a><a class="account" href="/account">@${handle}</a>`;

/**
 * Pages are rendered once for every visitor (day pages are even kept rendered in memory), so they carry no
 * per-visitor state. For a signed-in visitor this fills it in on the way out: the handle and library in the header, the
 * CSRF token of the upvote and save forms and which papers they upvoted and saved; such answers are private and never cached.
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
    const saveIds = [...html.matchAll(SAVE_BUTTON)].map((m) => m[1]!);
    const followKeys = [...html.matchAll(FOLLOW_BUTTON)].map((m) => m[1]!);
    const [upvoted, saved, followed] = await Promise.all([
      upvotedAmong(db, account.id, ids),
      savedAmong(db, account.id, saveIds),
      followedAmong(db, account, followKeys, now()),
    ]);
    const token =
      html.includes(UPVOTE_CSRF) || html.includes(FORM_CSRF) ? csrfToken(c, signer, deps.config.baseUrl) : '';
    const out = html
      .replace(SIGN_IN_LINK, signedInLinks(account.handle))
      .replaceAll(UPVOTE_CSRF, `value="${token}" data-upvote-csrf`)
      .replaceAll(FORM_CSRF, `value="${token}" data-csrf`)
      .replace(UPVOTE_BUTTON, (whole, id: string) =>
        upvoted.has(id) ? `aria-pressed="true" data-paper="${id}"` : whole,
      )
      .replace(SAVE_BUTTON, (whole, id: string) => (saved.has(id) ? `aria-pressed="true" data-save="${id}"` : whole))
      .replace(FOLLOW_BUTTON, (whole, key: string) =>
        followed.has(key) ? `aria-pressed="true" data-follow="${key}"` : whole,
      );
    const headers = new Headers(c.res.headers);
    headers.set('Cache-Control', 'private, no-store');
    headers.delete('Content-Length');
    c.res = new Response(out, { status: c.res.status, headers });
  };
}
