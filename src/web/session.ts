import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Account } from '../accounts/accounts.js';
import { SESSION_DAYS, sessionAccount } from '../accounts/sessions.js';
import type { Signer } from '../crypto/tokens.js';
import type { Db } from '../store/schema.js';
import type { WebDeps } from './deps.js';

export const SESSION_COOKIE = 'pb_session';

const cookieOptions = (baseUrl: string) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'Lax' as const,
  secure: baseUrl.startsWith('https:'),
});

export function setSessionCookie(c: Context, token: string, baseUrl: string): void {
  setCookie(c, SESSION_COOKIE, token, { ...cookieOptions(baseUrl), maxAge: SESSION_DAYS * 86_400 });
}

export function clearSessionCookie(c: Context, baseUrl: string): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(baseUrl));
}

const resolved = new WeakMap<Request, Promise<Account | undefined>>();

/** The signed-in account of this request, looked up once per request. */
export function viewer(c: Context, db: Db, now: Date): Promise<Account | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return Promise.resolve(undefined);
  let found = resolved.get(c.req.raw);
  if (!found) {
    found = sessionAccount(db, token, now);
    resolved.set(c.req.raw, found);
  }
  return found;
}

/**
 * Whether the request carries credentials (a session, an API token): its reader may have just changed what it reads
 * through another process (a vote answered by a redirect that lands on this one), so the paper of a paper page or of
 * the API is read from the database, not from the papers this process keeps until it hears of a change
 * (`Store.getPaper`'s `fresh`). The cards of other papers on the page (related papers, search hits) come from the kept
 * papers: a vote on one of them shows there once this process hears of it, milliseconds later.
 */
export function mayHaveWritten(c: Context): boolean {
  return getCookie(c, SESSION_COOKIE) !== undefined || c.req.header('authorization') !== undefined;
}

/** A path on this site to come back to, or `/`: never another origin (`//evil.example`, `/\evil.example`). */
export function localPath(value: unknown): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\') ||
    value.length > 500
  )
    return '/';
  return value;
}

export interface AccountContext {
  db: Db;
  signer: Signer;
  now: () => Date;
  baseUrl: string;
  trustProxy: boolean;
}

/** What the routes of signed-in visitors share. */
export function accountContext(deps: WebDeps): AccountContext {
  return {
    db: deps.db,
    signer: deps.signer,
    now: deps.clock,
    baseUrl: deps.config.baseUrl,
    trustProxy: deps.config.trustProxy ?? false,
  };
}
