import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import type { WebDeps } from '../deps.js';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES } from '../limits.js';
import { type RateLimitOptions, rateLimit } from '../rate-limit.js';
import { bearerCheck, callerKey } from './auth.js';
import { httpCache } from './cache.js';
import { registerDailyPapers } from './daily.js';
import { type OpenApiDoc, renderDocs } from './docs.js';
import { errorJson, handleApiError, validationHook } from './errors.js';
import { registerFollows } from './follows.js';
import { registerLibrary } from './library.js';
import { registerMe } from './me.js';
import { registerPapers } from './papers.js';
import { siteUrl } from './present.js';
import { registerRecommendations } from './recommendations.js';
import { BEARER_SCHEME } from './schemas.js';
import { registerSearch } from './search.js';
import { registerVotes } from './votes.js';

export interface ApiOptions {
  /** Limits per client address on /api/*; `false` turns the limiter off. Default 300 requests per 5 minutes. */
  rateLimit?: Partial<Omit<RateLimitOptions, 'onLimited'>> | false;
  /** Told about errors the API did not expect (answered 500). */
  reportError?: (err: Error) => void;
}

const DESCRIPTION = [
  "The papers of this Paperboy site as JSON, in the shapes of Hugging Face's Daily Papers API (`/api/daily_papers`, `/api/papers/...`).",
  'Every answer can be cached for 60 s and carries a weak ETag (send `If-None-Match` to get 304). Any origin may call it (CORS). ' +
    'Each client may make a limited number of requests per window: see the `RateLimit-Policy` and `RateLimit` headers; over the limit the answer is 429 with `Retry-After`.',
  'Reading papers needs no account. Operations on your own data (your votes, `/api/me`) need a personal API token: create one on your account page (`/account`) or with `paperboy tokens create <handle>`, and send it as `Authorization: Bearer pb_...`. ' +
    'A token with `read` scope reads; one with `write` scope also changes things. A bad, revoked or banned token is answered 401 with `WWW-Authenticate: Bearer`, a read token writing 403. ' +
    "A signed-in browser may call them with its session cookie too; its writes must carry the page's form token in `X-CSRF-Token`.",
  'Errors are JSON: `{ "error": { "code": "...", "message": "..." } }`; invalid parameters are listed in `error.fields`.',
  `A request's URL and headers together may take at most ${MAX_HEADER_BYTES / 1024} KB; a larger one is answered 431 with code \`request_too_large\`. ` +
    `A request body may take at most ${MAX_BODY_BYTES / 1024} KB (413).`,
].join('\n\n');

/**
 * Any origin may call the API, with a token: cookies never count across origins (no credentials are allowed), so a
 * page of another site cannot act as a signed-in reader.
 */
const corsForAll = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
  exposeHeaders: ['ETag', 'Link', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'WWW-Authenticate'],
  maxAge: 86_400,
});

/**
 * The JSON API, its OpenAPI 3.1 document (/openapi.json) and its reference page (/docs). Mount it at `/`, after any
 * other `/api/*` routes of the site: it answers every other `/api/*` path with a 404 error.
 */
export function apiRoutes(deps: WebDeps, options: ApiOptions = {}): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const report = options.reportError ?? ((err: Error) => console.error(err));

  app.use('/api/*', corsForAll);
  app.use('/openapi.json', corsForAll);
  if (options.rateLimit !== false) {
    app.use(
      '/api/*',
      rateLimit(
        { counts: deps.rateCounts, name: 'api' },
        {
          ...options.rateLimit,
          // Reads are most of the API: counted here and written to the store in batches (src/web/rate-counts.ts).
          batched: true,
          // One budget per account (its sessions and tokens together, from any address); per address otherwise.
          key: (c) => callerKey(c, deps),
          onLimited: (c, seconds) =>
            errorJson(
              c,
              429,
              'rate_limited',
              `Too many requests from your account or address. Try again in ${seconds} s (see the RateLimit headers).`,
            ),
        },
      ),
    );
  }
  app.use('/api/*', bearerCheck(deps));
  app.use('/api/*', httpCache());
  app.use('/openapi.json', httpCache());
  app.use('/docs', httpCache());

  registerSearch(app, deps); // before /api/papers/{id}, which would take "search" for an id
  registerDailyPapers(app, deps);
  registerMe(app, deps);
  registerVotes(app, deps);
  registerFollows(app, deps);
  registerLibrary(app, deps); // before /api/papers/{id}, which would take "…/export" for an id
  registerRecommendations(app, deps);
  registerPapers(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description:
      'A personal API token (`pb_...`), made on the account page or with `paperboy tokens create`; `read` or `write` scope.',
  });

  let doc: OpenApiDoc | undefined;
  const document = (): OpenApiDoc =>
    (doc ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'Paperboy API', version: '1.0.0', description: DESCRIPTION },
      servers: [{ url: siteUrl(deps.config.baseUrl, '') }],
    }) as OpenApiDoc);
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderDocs(document(), siteUrl(deps.config.baseUrl, ''))));

  app.all('/api/*', (c) =>
    errorJson(
      c,
      404,
      'not_found',
      `No API operation at ${c.req.method} ${c.req.path}. The operations are listed at /docs and in /openapi.json.`,
    ),
  );
  app.onError((err, c) => handleApiError(err, c, report));
  return app;
}
