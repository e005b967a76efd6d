import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { Refusal } from '../model/refusal.js';
import { apiRoutes } from './api/routes.js';
import { assets } from './assets.js';
import type { WebDeps } from './deps.js';
import { forYouFeedRoutes } from './feeds/for-you.js';
import { feedRoutes } from './feeds/routes.js';
import { MAX_BODY_BYTES } from './limits.js';
import { aboutPages } from './pages/about.js';
import { accountPages } from './pages/account.js';
import { adminPages } from './pages/admin.js';
import { commentRoutes } from './pages/comment-actions.js';
import { curationRoutes } from './pages/curation-actions.js';
import { exportRoutes } from './pages/exports.js';
import { feedPages } from './pages/feed.js';
import { followPages } from './pages/follow.js';
import { forYouPages } from './pages/for-you.js';
import { forYouRoutes } from './pages/for-you-actions.js';
import { libraryPages } from './pages/library.js';
import { libraryRoutes } from './pages/library-actions.js';
import { listPages } from './pages/lists.js';
import { notFoundPage } from './pages/not-found.js';
import { paperPages } from './pages/paper.js';
import { searchPages } from './pages/search.js';
import { signinPages } from './pages/signin.js';
import { submitPages } from './pages/submit.js';
import { subscribePages } from './pages/subscribe.js';
import { thumbnailRoutes } from './pages/thumbnails.js';
import { upvoteRoutes } from './pages/upvote.js';
import { userPages } from './pages/users.js';
import { personalize } from './personalize.js';
import { defaultRateLimit } from './rate-limit.js';
import { refusalPage } from './refusal.js';

/** The whole site: pages, feeds, the JSON API and its documentation. */

export function createApp(deps: WebDeps): Hono {
  const app = new Hono();
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
      // Agrees with frame-ancestors 'none' for browsers that only know the older header.
      xFrameOptions: 'DENY',
      // The site uses none of these; a script injected past the CSP still could not ask for them.
      permissionsPolicy: {
        camera: [],
        microphone: [],
        geolocation: [],
        payment: [],
        usb: [],
        serial: [],
        bluetooth: [],
        hid: [],
        midi: [],
        displayCapture: [],
        browsingTopics: [],
        fullscreen: ['self'],
      },
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    // On the response's own headers: c.header() on a finished response copies it into a streamed one, which
    // @hono/node-server then writes chunk by chunk instead of as one string (a fifth of a search's CPU).
    if (c.req.method === 'GET' && c.res.status === 200 && !c.res.headers.has('Cache-Control')) {
      c.res.headers.set('Cache-Control', 'public, max-age=60');
    }
  });
  app.use('*', personalize(deps));
  // Every form is read whole before its token and lengths are checked: a body past this is refused unread.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.text(
          `This request is too large: at most ${MAX_BODY_BYTES / 1024} KB. Shorten the text and send it again.`,
          413,
        ),
    }),
  );

  for (const asset of assets) {
    app.get(asset.path, (c) =>
      c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable' }),
    );
  }
  app.get('/healthz', async (c) => c.json({ ok: true, papers: await deps.store.countPapers() }));
  // For a load balancer: 200 once this process answers searches from its own index; until then it answers them from
  // the database (slower, plainer), and says when to ask again.
  app.get('/readyz', (c) => {
    if (deps.search.ready?.() ?? true) return c.json({ ready: true });
    c.header('Retry-After', '5');
    return c.json(
      { ready: false, reason: 'The search index is being built; searches answer from the database meanwhile.' },
      503,
    );
  });

  const reportError = (error: Error) =>
    deps.log ? deps.log.error({ err: error }, error.message) : console.error(error);
  const apiLimit = deps.config.apiRateLimit ?? defaultRateLimit.limit;
  const rateLimit = apiLimit === 0 ? false : { limit: apiLimit, trustProxy: deps.config.trustProxy ?? false };
  app.route('/', apiRoutes(deps, { rateLimit, reportError }));
  app.route('/', thumbnailRoutes(deps));
  app.route('/', feedRoutes(deps));
  app.route('/', forYouFeedRoutes(deps));
  app.route('/', feedPages(deps));
  app.route('/', exportRoutes(deps)); // before the paper pages, which would take `2501.12345.bib` for an id
  app.route('/', paperPages(deps));
  app.route('/', searchPages(deps));
  app.route('/', listPages(deps));
  app.route('/', aboutPages(deps));
  app.route('/', subscribePages(deps));
  app.route('/', signinPages(deps));
  app.route('/', accountPages(deps));
  app.route('/', upvoteRoutes(deps));
  app.route('/', libraryPages(deps));
  app.route('/', libraryRoutes(deps));
  app.route('/', followPages(deps));
  app.route('/', forYouPages(deps));
  app.route('/', forYouRoutes(deps));
  app.route('/', curationRoutes(deps));
  app.route('/', adminPages(deps));
  app.route('/', commentRoutes(deps));
  app.route('/', submitPages(deps));
  app.route('/', userPages(deps));

  app.notFound((c) => notFoundPage(c, deps.config.baseUrl));
  app.onError((error, c) => {
    // A feature's refusal that a page did not catch still says what was refused, with its own status.
    if (error instanceof Refusal) return refusalPage(c, deps.config.baseUrl, error);
    reportError(error);
    return c.text('Something went wrong on our side. Please try again in a moment.', 500);
  });
  return app;
}
