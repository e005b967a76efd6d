import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { WebDeps } from '../deps.js';
import { requireCaller } from './auth.js';
import { authResponses, errorResponses, Me, okJson, tokenSecurity } from './schemas.js';

export const getMeRoute = createRoute({
  method: 'get',
  path: '/api/me',
  operationId: 'getMe',
  tags: ['account'],
  summary: 'Who you are: the account of your token (or of your signed-in browser)',
  description: 'Any token will do (read or write scope). Use it to check a token before a script relies on it.',
  security: tokenSecurity,
  responses: { 200: okJson(Me, 'Your account and how you signed in'), ...authResponses('read'), ...errorResponses },
});

export function registerMe(app: OpenAPIHono, deps: WebDeps): void {
  app.openapi(getMeRoute, async (c) => {
    const { account, via, scope } = await requireCaller(c, deps, 'read');
    return c.json(
      { handle: account.handle, displayName: account.displayName, role: account.role, auth: via, scope },
      200,
    );
  });
}
