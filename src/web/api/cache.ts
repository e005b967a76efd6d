import type { MiddlewareHandler } from 'hono';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';

export const CACHE_CONTROL = 'public, max-age=60';

/** Headers a 304 keeps besides the standard ones, so that cross-origin and rate-limited clients still see them. */
const RETAINED = [
  ...RETAINED_304_HEADERS,
  'access-control-allow-origin',
  'access-control-expose-headers',
  'ratelimit',
  'ratelimit-policy',
];

/**
 * Caching for GET and HEAD: a weak ETag (a hash of the body; `If-None-Match` answers 304) and
 * `Cache-Control: public, max-age=60` on successful answers. Errors are not cached.
 */
export function httpCache(): MiddlewareHandler {
  const tagger = etag({ weak: true, retainedHeaders: RETAINED });
  return (c, next) =>
    tagger(c, async () => {
      await next();
      const read = c.req.method === 'GET' || c.req.method === 'HEAD';
      if (read && c.res.status === 200 && !c.res.headers.has('Cache-Control'))
        c.res.headers.set('Cache-Control', CACHE_CONTROL);
    });
}
