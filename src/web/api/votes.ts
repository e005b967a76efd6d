import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { setVote } from '../../accounts/votes.js';
import type { WebDeps } from '../deps.js';
import { VOTES_PER_IP as VOTES_PER_WINDOW, VOTES_WINDOW_SECONDS } from '../pages/upvote.js';
import { rateLimit } from '../rate-limit.js';
import { callerKey, requireCaller } from './auth.js';
import { errorJson } from './errors.js';
import { notFound, paperIdFromPath } from './papers.js';
import {
  authResponses,
  errorResponses,
  notFoundResponse,
  okJson,
  PaperIdParam,
  tokenSecurity,
  Vote,
} from './schemas.js';

const voteRoute = (method: 'post' | 'delete') =>
  createRoute({
    method,
    path: '/api/papers/{id}/upvote',
    operationId: method === 'post' ? 'upvotePaper' : 'removeUpvote',
    tags: ['votes'],
    summary: method === 'post' ? 'Upvote a paper' : 'Take your upvote of a paper back',
    description:
      (method === 'post'
        ? 'As the upvote button on the site: one vote per account and paper. Sending it again changes nothing. '
        : 'Sending it when you have not upvoted the paper changes nothing. ') +
      'Needs a token with write scope (a signed-in browser sends its form token in `X-CSRF-Token` instead). ' +
      `At most ${VOTES_PER_WINDOW} votes per account every ${VOTES_WINDOW_SECONDS / 60} minutes.`,
    security: tokenSecurity,
    request: { params: PaperIdParam },
    responses: {
      200: okJson(Vote, 'Your vote and the paper’s upvotes now'),
      ...authResponses('write'),
      ...notFoundResponse,
      ...errorResponses,
    },
  });

export const upvoteRoute = voteRoute('post');
export const removeUpvoteRoute = voteRoute('delete');

/** POST and DELETE /api/papers/{id}/upvote: the site's upvote (src/accounts/votes.ts), set rather than toggled. */
export function registerVotes(app: OpenAPIHono, deps: WebDeps): void {
  // The site's limit on votes, per account here (a token is used from anywhere).
  const limited = rateLimit(
    { counts: deps.rateCounts, name: 'api-votes' },
    {
      limit: VOTES_PER_WINDOW,
      windowSeconds: VOTES_WINDOW_SECONDS,
      trustProxy: deps.config.trustProxy ?? false,
      key: (c) => callerKey(c, deps),
      onLimited: (c, seconds) =>
        errorJson(c, 429, 'rate_limited', `Too many votes from this account. Try again in ${seconds} s.`),
    },
  );

  app.use('/api/papers/:id{.+}/upvote', (c, next) =>
    c.req.method === 'POST' || c.req.method === 'DELETE' ? limited(c, next) : next(),
  );
  register(upvoteRoute, true);
  register(removeUpvoteRoute, false);

  function register(route: typeof upvoteRoute, upvoted: boolean): void {
    // Documented as `{id}`; routed as `:id{.+}` so that an old-style id may keep its slash (`hep-th/9901001`).
    app.openAPIRegistry.registerPath(route);
    app.openapi({ ...route, path: '/api/papers/{id{.+}}/upvote', hide: true } as unknown as typeof route, async (c) => {
      const { account } = await requireCaller(c, deps, 'write');
      const id = paperIdFromPath(c.req.valid('param').id);
      const result = await setVote(deps.store, account, id, upvoted, deps.clock());
      if (!result) throw notFound(id);
      return c.json({ id, ...result }, 200);
    });
  }
}
