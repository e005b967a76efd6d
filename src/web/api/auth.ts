import type { Context, MiddlewareHandler } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import { type TokenScope, tokenAccount } from '../../accounts/api-tokens.js';
import { CSRF_HEADER, csrfValid } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { viewer } from '../session.js';
import { ApiError } from './errors.js';

/** Who is asking the API, and how they proved it. */
export interface ApiCaller {
  account: Account;
  /** `token`: an `Authorization: Bearer` header; `session`: a signed-in browser's cookie. */
  via: 'token' | 'session';
  /** The token's scope; null for a browser session, which may write with its form token (CSRF). */
  scope: TokenScope | null;
}

type AuthDeps = Pick<WebDeps, 'db' | 'clock' | 'signer'>;

/** Longer than any header a token of ours makes: refused unread. */
const MAX_AUTHORIZATION = 200;
const BEARER = /^Bearer +(\S+) *$/i;
const REALM = 'Bearer realm="Paperboy"';

const HOW =
  'Create a token on your account page (/account) or with `paperboy tokens create <handle>`, and send it as `Authorization: Bearer pb_...`.';

const unauthorized = (message: string, error?: 'invalid_token' | 'invalid_request') =>
  new ApiError(401, 'unauthorized', message, undefined, {
    'WWW-Authenticate': error ? `${REALM}, error="${error}"` : REALM,
  });

const found = new WeakMap<Request, Promise<ApiCaller | undefined>>();

/**
 * Who is asking: the account of the request's Bearer token, else of its session cookie, else undefined. A request
 * that sends an Authorization header is judged by it alone, never by its cookies: a header that is not a valid token
 * (malformed, unknown, revoked, or of a banned account) is answered 401. Looked up once per request.
 */
export function apiCaller(c: Context, deps: AuthDeps): Promise<ApiCaller | undefined> {
  let caller = found.get(c.req.raw);
  if (!caller) {
    caller = resolve(c, deps);
    found.set(c.req.raw, caller);
  }
  return caller;
}

async function resolve(c: Context, deps: AuthDeps): Promise<ApiCaller | undefined> {
  const header = c.req.header('authorization');
  if (header === undefined) {
    const account = await viewer(c, deps.db, deps.clock());
    return account ? { account, via: 'session', scope: null } : undefined;
  }
  const token = header.length <= MAX_AUTHORIZATION ? BEARER.exec(header)?.[1] : undefined;
  if (!token) throw unauthorized(`The Authorization header is not a Bearer token. ${HOW}`, 'invalid_request');
  const owner = await tokenAccount(deps.db, token, deps.clock());
  if (!owner)
    throw unauthorized(
      `This API token is not valid: it was revoked, mistyped, or its account is banned. ${HOW}`,
      'invalid_token',
    );
  return { account: owner.account, via: 'token', scope: owner.token.scope };
}

/**
 * The caller of an operation on personal data, or the refusal: 401 when no one is signed in, 403 when a read-only
 * token writes, or a browser session writes without its form token in the `X-CSRF-Token` header (a page of another
 * site could otherwise write with the reader's cookie). The answer is private: never cached, by anyone.
 */
export async function requireCaller(c: Context, deps: AuthDeps, need: TokenScope): Promise<ApiCaller> {
  c.header('Cache-Control', 'private, no-store');
  c.header('Vary', 'Authorization, Cookie');
  const caller = await apiCaller(c, deps);
  if (!caller) throw unauthorized(`Sign in first. ${HOW}`);
  if (need === 'read') return caller;
  if (caller.via === 'token' && caller.scope !== 'write') {
    throw new ApiError(
      403,
      'forbidden',
      'This token may only read. Create a token with write scope on your account page (/account) or with `paperboy tokens create <handle> --scope write`, and use it instead.',
      undefined,
      { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="write"` },
    );
  }
  if (caller.via === 'session' && !csrfValid(c, deps.signer, c.req.header(CSRF_HEADER))) {
    throw new ApiError(
      403,
      'forbidden',
      `A signed-in browser writes with its form token in the ${CSRF_HEADER} header. Scripts send a token with write scope instead: ${HOW}`,
    );
  }
  return caller;
}

/** Judges every request that sends an Authorization header, so that a bad token is answered 401 on any operation. */
export function bearerCheck(deps: AuthDeps): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'OPTIONS' && c.req.header('authorization') !== undefined) await apiCaller(c, deps);
    await next();
  };
}

/**
 * The rate-limit key of a request: its account when it is signed in or sends a good token (so that one account has
 * one budget, from any address and with any of its tokens and sessions), else none (its address is used).
 */
export async function callerKey(c: Context, deps: AuthDeps): Promise<string | undefined> {
  try {
    const caller = await apiCaller(c, deps);
    return caller ? `account:${caller.account.id}` : undefined;
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}
