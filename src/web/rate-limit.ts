import type { Context, MiddlewareHandler } from 'hono';

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
 * A fixed-window limiter per client address, held in memory (one process). Every answer carries the IETF draft
 * headers `RateLimit-Policy: 300;w=300` and `RateLimit: limit=300, remaining=N, reset=S`; over the limit the
 * request is answered 429 with `Retry-After`. OPTIONS (CORS preflight) is not counted.
 */
export function rateLimit(options: Partial<RateLimitOptions> = {}): MiddlewareHandler {
  const opts: RateLimitOptions = { ...defaultRateLimit, ...options };
  if (!Number.isInteger(opts.limit) || opts.limit < 1)
    throw new RangeError(`rate limit must be a whole number >= 1, got ${opts.limit}`);
  if (!(opts.windowSeconds > 0))
    throw new RangeError(`rate-limit window must be > 0 seconds, got ${opts.windowSeconds}`);
  const now = opts.now ?? Date.now;
  const windowMs = opts.windowSeconds * 1000;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();

  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const t = now();
    if (t - lastSweep >= windowMs) {
      for (const [key, w] of windows) if (t - w.start >= windowMs) windows.delete(key);
      lastSweep = t;
    }
    const key = (await opts.key?.(c)) ?? clientAddress(c, opts.trustProxy);
    let w = windows.get(key);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    const reset = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
    const remaining = Math.max(0, opts.limit - w.count);
    const headers = {
      'RateLimit-Policy': `${opts.limit};w=${opts.windowSeconds}`,
      RateLimit: `limit=${opts.limit}, remaining=${remaining}, reset=${reset}`,
    };
    if (w.count > opts.limit) {
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
