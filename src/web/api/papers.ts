import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { parseArxivId } from '../../model/arxiv-id.js';
import type { WebDeps } from '../deps.js';
import { mayHaveWritten } from '../session.js';
import { pageAfter } from './cursor.js';
import { ApiError } from './errors.js';
import { apiPaper, apiPaperDetail, siteUrl } from './present.js';
import { errorResponses, notFoundResponse, okJson, Paper, PaperDetail, PaperIdParam, pageLimit } from './schemas.js';

/** A paper id from the path: an arXiv id with its version dropped, or a `title-<hash>` id as stored. */
export function paperIdFromPath(raw: string): string {
  if (/^title-[0-9a-z]+$/.test(raw)) return raw;
  const parsed = parseArxivId(raw);
  if (!parsed) {
    throw new ApiError(
      400,
      'invalid_request',
      `path.id: "${raw}" is not an arXiv id; ids look like 2503.11731, 2503.11731v2 or hep-th/9901001`,
      [{ field: 'path.id', message: 'not an arXiv id' }],
    );
  }
  return parsed.id;
}

export const notFound = (id: string) =>
  new ApiError(
    404,
    'not_found',
    `No paper with id ${id} here. Search for it with /api/papers/search?q=... or import it (npx paperboy ingest arxiv-api --id ${id}).`,
  );

export const getPaperRoute = createRoute({
  method: 'get',
  path: '/api/papers/{id}',
  operationId: 'getPaper',
  tags: ['papers'],
  summary: 'One paper, with its arXiv version history',
  request: { params: PaperIdParam },
  responses: { 200: okJson(PaperDetail, 'The paper'), ...notFoundResponse, ...errorResponses },
});

const ListQuery = z.object({
  cursor: z.string().max(500).optional().openapi({
    description: 'where to continue: copy it from the `Link: <...>; rel="next"` header of the previous page',
  }),
  limit: pageLimit(100, 50),
});

export const listPapersRoute = createRoute({
  method: 'get',
  path: '/api/papers',
  operationId: 'listPapers',
  tags: ['papers'],
  summary: 'Every paper, newest feed day first, page by page',
  description:
    'Follow the `Link` header (`rel="next"`) for the next page; there is none after the last page. ' +
    'Pages stay consistent while new papers arrive. Papers with no date at all are not listed.',
  request: { query: ListQuery },
  responses: {
    200: {
      ...okJson(z.array(Paper), 'One page of papers'),
      headers: z.object({ Link: z.string().optional().openapi({ description: 'the next page: `<URL>; rel="next"`' }) }),
    },
    ...errorResponses,
  },
});

export function registerPapers(app: OpenAPIHono, deps: WebDeps): void {
  const baseUrl = deps.config.baseUrl;

  app.openapi(listPapersRoute, async (c) => {
    const q = c.req.valid('query');
    const { papers, next } = await pageAfter(deps.store, q.cursor, q.limit);
    if (next) {
      const url = siteUrl(baseUrl, `/api/papers?${new URLSearchParams({ cursor: next, limit: String(q.limit) })}`);
      c.header('Link', `<${url}>; rel="next"`);
    }
    return c.json(
      papers.map((p) => apiPaper(p, baseUrl)),
      200,
    );
  });

  // Documented as `{id}`; routed as `:id{.+}` so that an old-style id may keep its slash (`hep-th/9901001`).
  app.openAPIRegistry.registerPath(getPaperRoute);
  app.openapi(
    { ...getPaperRoute, path: '/api/papers/{id{.+}}', hide: true } as unknown as typeof getPaperRoute,
    async (c) => {
      const id = paperIdFromPath(c.req.valid('param').id);
      const paper = await deps.store.getPaper(id, { fresh: mayHaveWritten(c) });
      if (!paper) throw notFound(id);
      return c.json(apiPaperDetail(paper, await deps.store.getVersions(id), baseUrl), 200);
    },
  );
}
