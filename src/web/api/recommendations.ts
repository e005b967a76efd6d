import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { markNotInterested, resetForYou, unmarkNotInterested } from '../../foryou/signals.js';
import type { WebDeps } from '../deps.js';
import { papersOf, periodOf, rankFor, reasonText, reasonWords } from '../for-you.js';
import { requireCaller } from './auth.js';
import { ApiError } from './errors.js';
import { notFound, paperIdFromPath } from './papers.js';
import { apiPaper } from './present.js';
import {
  authResponses,
  ErrorBody,
  errorResponses,
  notFoundResponse,
  okJson,
  Paper,
  PaperIdParam,
  pageLimit,
  tokenSecurity,
} from './schemas.js';

/** "For you" in the JSON API: the ranking of a day or a week, and the "not interested" marks that steer it. */

/** The most recommendations one request returns: a busy week of arXiv's cs listings is under this. */
export const RECOMMENDATIONS_MAX = 1000;
/** Seconds a client waits while "For you" is being opened (src/cli/serve.ts opens it in the background). */
const PREPARING_RETRY_SECONDS = 15;

const REASON_KINDS = [
  'closest',
  'words',
  'category',
  'followed-author',
  'followed-category',
  'not-interested',
  'trending',
] as const;

const Reason = z
  .object({
    kind: z.enum(REASON_KINDS).openapi({
      description:
        '`closest`: the liked paper it is closest to; `words`: the words that weigh most; `category`: the share of your likes in its category; `followed-author` / `followed-category`: a follow; `not-interested`: lowered by a paper you marked (itself or one close to it); `trending`: nothing to learn from yet (no likes, no follows), so in trending order',
    }),
    text: z
      .string()
      .openapi({ description: 'the reason in words, as the site shows it', example: 'Words: surface codes, qubits' }),
    paperId: z.string().optional().openapi({ description: '`closest`, `not-interested`: the paper it is close to' }),
    title: z.string().optional().openapi({ description: '`closest`, `not-interested`: that paper’s title' }),
    similarity: z.number().optional().openapi({ description: '`closest`, `not-interested`: cosine, 0..1' }),
    words: z.array(z.string()).optional(),
    category: z.string().optional(),
    share: z.number().optional().openapi({ description: '`category`: the share of your likes in it, 0..1' }),
    author: z.string().optional().openapi({ description: '`followed-author`: the name as the paper writes it' }),
  })
  .openapi('RecommendationReason');

const Recommendation = z
  .object({
    paper: Paper,
    score: z.number().openapi({
      description:
        'higher is better; comparable within one answer only (a sum of standardised features, or the trending score on a cold start)',
    }),
    reasons: z.array(Reason),
  })
  .openapi('Recommendation');

const RecommendationsQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD')
    .optional()
    .openapi({ description: 'the feed day to rank (default: the latest day with papers)', example: '2026-07-01' }),
  week: z
    .string()
    .regex(/^\d{4}-W\d{2}$/, 'must be an ISO week, YYYY-Www')
    .optional()
    .openapi({ description: 'the ISO week to rank, instead of a day', example: '2026-W27' }),
  limit: pageLimit(RECOMMENDATIONS_MAX, 100),
});

const NotInterested = z
  .object({
    id: z.string().openapi({ description: 'the paper', example: '2503.11731' }),
    notInterested: z.boolean().openapi({ description: 'whether the paper is marked "not interested" now' }),
  })
  .openapi('NotInterested');

export const recommendationsRoute = createRoute({
  method: 'get',
  path: '/api/recommendations',
  operationId: 'listRecommendations',
  tags: ['for you'],
  summary: 'Your "For you" ranking of a day or a week',
  description:
    'Every paper of the day (`date`) or week (`week`), best first for you, learned from your upvotes, saved papers and follows and steered by your "not interested" marks, each with the reasons it is there. ' +
    `With \`limit\` at least the number of papers of the period (up to ${RECOMMENDATIONS_MAX}), every paper is in the answer. ` +
    'Needs a token with read scope. Answered 503 (with `Retry-After`) for a few seconds after the site starts, while the ranking is being prepared.',
  security: tokenSecurity,
  request: { query: RecommendationsQuery },
  responses: {
    200: okJson(z.array(Recommendation), 'The period’s papers, best first'),
    ...authResponses('read'),
    503: okJson(ErrorBody, 'The ranking is being prepared: try again after `Retry-After` seconds'),
    ...errorResponses,
  },
});

const markRoute = (method: 'post' | 'delete') =>
  createRoute({
    method,
    path: '/api/papers/{id}/not-interested',
    operationId: method === 'post' ? 'markNotInterested' : 'unmarkNotInterested',
    tags: ['for you'],
    summary: method === 'post' ? 'Mark a paper "not interested"' : 'Take a "not interested" mark back',
    description:
      (method === 'post'
        ? 'The paper and papers close to it go down in your ranking. Sending it again changes nothing. '
        : 'Sending it for a paper you have not marked changes nothing. ') +
      'Needs a token with write scope (a signed-in browser sends its form token in `X-CSRF-Token` instead).',
    security: tokenSecurity,
    request: { params: PaperIdParam },
    responses: {
      200: okJson(NotInterested, 'The mark now'),
      ...authResponses('write'),
      ...notFoundResponse,
      ...errorResponses,
    },
  });

export const markNotInterestedRoute = markRoute('post');
export const unmarkNotInterestedRoute = markRoute('delete');

export const resetRoute = createRoute({
  method: 'delete',
  path: '/api/not-interested',
  operationId: 'resetNotInterested',
  tags: ['for you'],
  summary: 'Reset: start the ranking from now',
  description:
    'Clears every "not interested" mark, and your upvotes and saved papers made so far stop shaping your ranking (they stay: upvotes are public votes, take one back with `DELETE /api/papers/{id}/upvote`). Follows keep counting. Needs a token with write scope.',
  security: tokenSecurity,
  responses: {
    200: okJson(z.object({ notInterested: z.literal(0) }), 'No paper is marked now'),
    ...authResponses('write'),
    ...errorResponses,
  },
});

/** GET /api/recommendations, POST and DELETE /api/papers/{id}/not-interested, DELETE /api/not-interested. */
export function registerRecommendations(app: OpenAPIHono, deps: WebDeps): void {
  const baseUrl = deps.config.baseUrl;

  app.openapi(recommendationsRoute, async (c) => {
    const { account } = await requireCaller(c, deps, 'read');
    const query = c.req.valid('query');
    const period = await periodOf(deps, query);
    if (typeof period === 'string') throw new ApiError(400, 'invalid_request', period);
    const ranking = await rankFor(deps, account, period);
    if (!ranking.ready)
      throw new ApiError(
        503,
        'unavailable',
        `The ranking is being prepared after the site started. Try again in ${PREPARING_RETRY_SECONDS} s.`,
        undefined,
        { 'Retry-After': String(PREPARING_RETRY_SECONDS) },
      );
    const items = await papersOf(deps, ranking.recommendations.slice(0, query.limit));
    return c.json(
      items.map(({ paper, recommendation }) => ({
        paper: apiPaper(paper, baseUrl),
        score: recommendation.score,
        reasons: recommendation.reasons.map((reason) => {
          const text = reasonText(reasonWords(reason, paper, ranking.signals));
          if (reason.kind === 'followed-author') return { ...reason, author: text.replace(/^You follow /, ''), text };
          return { ...reason, text };
        }),
      })),
      200,
    );
  });

  registerMark(markNotInterestedRoute, true);
  registerMark(unmarkNotInterestedRoute, false);

  function registerMark(route: typeof markNotInterestedRoute, on: boolean): void {
    // Documented as `{id}`; routed as `:id{.+}` so that an old-style id may keep its slash (`hep-th/9901001`).
    app.openAPIRegistry.registerPath(route);
    app.openapi(
      { ...route, path: '/api/papers/{id{.+}}/not-interested', hide: true } as unknown as typeof route,
      async (c) => {
        const { account } = await requireCaller(c, deps, 'write');
        const id = paperIdFromPath(c.req.valid('param').id);
        if (on) {
          if (!(await markNotInterested(deps.db, account.id, id, deps.clock()))) throw notFound(id);
        } else await unmarkNotInterested(deps.db, account.id, id);
        return c.json({ id, notInterested: on }, 200);
      },
    );
  }

  app.openapi(resetRoute, async (c) => {
    const { account } = await requireCaller(c, deps, 'write');
    await resetForYou(deps.db, account.id, deps.clock());
    return c.json({ notInterested: 0 as const }, 200);
  });
}
