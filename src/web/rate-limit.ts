import type { Context, MiddlewareHandler } from 'hono';
import type { RateCounts } from './rate-counts.js';

export interface RateLimitOptions {
  /** Requests allowed per client in one window. */
  limit: number;
  windowSeconds: number;
  /** Take the client address from the first X-Forwarded-For entry (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** Counts requests by this key instead (e.g. the signed-in account); by the client address when it gives none. */
  key?: ((c: Context) => string | undefined | Promise<string | undefined>) | undefined;
  /** Answers the 429 response; the rate-limit headers are already set on the context. */
  onLimited?: ((c: Context, retryAfterSeconds: number) => Response | Promise<Response>) | undefined;
  now?: (() => number) | undefined;
  /**
   * Count here and write the count to the store within a second, or at once near the limit, instead of on every
   * request (src/web/rate-counts.ts): for the API's limit on reads; write limits count every request in the store.
   */
  batched?: boolean | undefined;
}

/** Where a limit counts (every process on one store shares the counts) and its name there. */
export interface RateLimitTarget {
  counts: RateCounts;
  /** The limit's name in the store, the same in every process: each limit needs its own. */
  name: string;
}

export const defaultRateLimit: Readonly<RateLimitOptions> = Object.freeze({
  limit: 300,
  windowSeconds: 300,
  trustProxy: false,
});

/** The address used when the request did not come through @hono/node-server (e.g. `app.request` in tests). */
export const UNKNOWN_CLIENT = 'unknown';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string | undefined } };
}

export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? UNKNOWN_CLIENT;
}

/**
 * A fixed-window limiter per client, counted across every process on the store: the client's first request opens
 * its window. Every answer carries the IETF draft headers `RateLimit-Policy: 300;w=300` and
 * `RateLimit: limit=300, remaining=N, reset=S`; over the limit the request is answered 429 with `Retry-After`.
 * OPTIONS (CORS preflight) is not counted.
 */
export function rateLimit(target: RateLimitTarget, options: Partial<RateLimitOptions> = {}): MiddlewareHandler {
  const opts: RateLimitOptions = { ...defaultRateLimit, ...options };
  if (!Number.isInteger(opts.limit) || opts.limit < 1)
    throw new RangeError(`rate limit must be a whole number >= 1, got ${opts.limit}`);
  if (!(opts.windowSeconds > 0))
    throw new RangeError(`rate-limit window must be > 0 seconds, got ${opts.windowSeconds}`);
  const now = opts.now ?? Date.now;
  const windowMs = opts.windowSeconds * 1000;
  const exact = opts.batched !== true;

  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const t = now();
    const key = (await opts.key?.(c)) ?? clientAddress(c, opts.trustProxy);
    const { count, windowStart } = await target.counts.hit(target.name, key, t, windowMs, opts.limit, exact);
    const reset = Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000));
    const remaining = Math.max(0, opts.limit - count);
    const headers = {
      'RateLimit-Policy': `${opts.limit};w=${opts.windowSeconds}`,
      RateLimit: `limit=${opts.limit}, remaining=${remaining}, reset=${reset}`,
    };
    if (count > opts.limit) {
      for (const [k, v] of Object.entries(headers)) c.header(k, v);
      c.header('Retry-After', String(reset));
      if (opts.onLimited) return opts.onLimited(c, reset);
      return c.text(
        `Too many requests: at most ${opts.limit} every ${opts.windowSeconds} s. Try again in ${reset} s.`,
        429,
      );
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}
