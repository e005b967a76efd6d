import type { Context } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import { CSRF_HEADER, csrfValid } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { viewer } from '../session.js';
import { ApiError } from './errors.js';

/** What an operation does: reads the account's own data, or changes it. */
export type Access = 'read' | 'write';

/**
 * The account an API request acts for, or a 401/403 ApiError: the one place the API decides who is asking, so that
 * another way in (personal tokens, `Authorization: Bearer`) is added here and nowhere else. Today that is the site's
 * session cookie; a write by cookie must also carry the page's form token in `X-CSRF-Token`, as every form does, so
 * that another site cannot make a signed-in browser write.
 */
export async function apiAccount(c: Context, deps: WebDeps, access: Access): Promise<Account> {
  c.header('Cache-Control', 'private, no-store');
  c.header('Vary', 'Cookie');
  const account = await viewer(c, deps.db, deps.clock());
  if (!account)
    throw new ApiError(
      401,
      'unauthorized',
      'Sign in on this site first: the API acts for the account of the session cookie.',
    );
  if (access === 'write' && !csrfValid(c, deps.signer, c.req.header(CSRF_HEADER)))
    throw new ApiError(
      403,
      'forbidden',
      `A change made with the session cookie needs the form token of a page of this site in the ${CSRF_HEADER} header.`,
    );
  return account;
}

/** The account when the request is signed in, else undefined (for operations open to everyone, such as public collections). */
export async function apiViewer(c: Context, deps: WebDeps): Promise<Account | undefined> {
  c.header('Vary', 'Cookie');
  return viewer(c, deps.db, deps.clock());
}
