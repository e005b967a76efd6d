import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Signer } from '../crypto/tokens.js';
import { SESSION_COOKIE } from './session.js';

export const CSRF_COOKIE = 'pb_csrf';
/** The form field, and the header `fetch` sends it in. */
export const CSRF_FIELD = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Double-submit token: a random cookie, and its HMAC in the form, bound to the visitor's session. A site that cannot
 * read our cookies cannot make the pair; and a pair an attacker made for themselves and planted (a cookie set from a
 * sibling subdomain) does not pass for a signed-in victim, whose session differs. Sets the cookie when the browser has none.
 */
export function csrfToken(c: Context, signer: Signer, baseUrl: string): string {
  let value = getCookie(c, CSRF_COOKIE);
  if (!value || value.length > 64) {
    value = randomBytes(18).toString('base64url');
    setCookie(c, CSRF_COOKIE, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: baseUrl.startsWith('https:'),
    });
  }
  return formToken(signer, value, getCookie(c, SESSION_COOKIE));
}

export function csrfValid(c: Context, signer: Signer, token: unknown): boolean {
  const cookie = getCookie(c, CSRF_COOKIE);
  return (
    !!cookie && typeof token === 'string' && signer.verify('csrf', bound(cookie, getCookie(c, SESSION_COOKIE)), token)
  );
}

/** The token a form carries for this browser: its CSRF cookie and its session cookie (none when signed out), signed. */
export function formToken(signer: Signer, csrfCookie: string, sessionCookie: string | undefined): string {
  return signer.sign('csrf', bound(csrfCookie, sessionCookie));
}

const bound = (csrfCookie: string, sessionCookie: string | undefined) => `${csrfCookie}\u0000${sessionCookie ?? ''}`;

/** The form's fields when its token is good (from the field, or the header for `fetch`), else undefined. */
export async function checkedForm(c: Context, signer: Signer): Promise<Record<string, unknown> | undefined> {
  const body = await c.req.parseBody();
  return csrfValid(c, signer, body[CSRF_FIELD] ?? c.req.header(CSRF_HEADER)) ? body : undefined;
}
