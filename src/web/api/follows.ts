import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { checkFollow, FOLLOW_KINDS, type Follow, listFollows, setFollow } from '../../digest/follows.js';
import type { WebDeps } from '../deps.js';
import { requireCaller } from './auth.js';
import { authResponses, errorResponses, okJson, tokenSecurity } from './schemas.js';

/** Follows in the JSON API: the authors and categories a reader follows, which are also their digest's alerts. */

const FollowShape = z
  .object({
    kind: z.enum(FOLLOW_KINDS as [Follow['kind'], ...Follow['kind'][]]),
    value: z.string().min(1).max(200).openapi({ description: 'an author’s name, or an arXiv category such as cs.CL' }),
  })
  .openapi('Follow');

const tags = ['follows'];
const security = tokenSecurity;

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/follows',
    operationId: 'listFollows',
    tags,
    security,
    summary: 'The authors and categories you follow (also the alerts of your email digest)',
    responses: { 200: okJson(z.array(FollowShape), 'Your follows'), ...authResponses('read'), ...errorResponses },
  }),
  follow: createRoute({
    method: 'post',
    path: '/api/follows',
    operationId: 'follow',
    tags,
    security,
    summary: 'Follow an author or a category',
    request: { body: { content: { 'application/json': { schema: FollowShape } }, required: true } },
    responses: { 200: okJson(z.array(FollowShape), 'Your follows now'), ...authResponses('write'), ...errorResponses },
  }),
  unfollow: createRoute({
    method: 'delete',
    path: '/api/follows',
    operationId: 'unfollow',
    tags,
    security,
    summary: 'Stop following an author or a category',
    request: { query: FollowShape },
    responses: { 200: okJson(z.array(FollowShape), 'Your follows now'), ...authResponses('write'), ...errorResponses },
  }),
};

export function registerFollows(app: OpenAPIHono, deps: WebDeps): void {
  const { db, clock: now } = deps;
  // Who asks is settled before a write's body is read: signed out is 401 and a write without its token 403.
  app.use('/api/follows', async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) await requireCaller(c, deps, 'write');
    await next();
  });
  app.openapi(routes.list, async (c) => {
    const { account } = await requireCaller(c, deps, 'read');
    return c.json(await listFollows(db, account, now()), 200);
  });
  app.openapi(routes.follow, async (c) => {
    const { account } = await requireCaller(c, deps, 'write');
    const body = c.req.valid('json');
    await setFollow(db, account, checkFollow(body.kind, body.value), true, now());
    return c.json(await listFollows(db, account, now()), 200);
  });
  app.openapi(routes.unfollow, async (c) => {
    const { account } = await requireCaller(c, deps, 'write');
    const query = c.req.valid('query');
    await setFollow(db, account, checkFollow(query.kind, query.value), false, now());
    return c.json(await listFollows(db, account, now()), 200);
  });
}
