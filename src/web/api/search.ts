import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { isValidDay } from '../../model/dates.js';
import { MAX_LIMIT, MAX_OFFSET, type SearchHit, type SearchQuery, type SearchService } from '../../search/search.js';
import type { WebDeps } from '../deps.js';
import { ApiError } from './errors.js';
import { notFound, paperIdFromPath } from './papers.js';
import { apiPaper } from './present.js';
import {
  booleanFlag,
  errorResponses,
  notFoundResponse,
  okJson,
  Paper,
  PaperIdParam,
  pageLimit,
  pageNumber,
  SearchPaper,
} from './schemas.js';

const categoryList = (description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[a-z][a-z-]*(\.[A-Za-z-]+)?$/, 'must be arXiv categories like cs.CL'))
        .max(50, 'at most 50 categories'),
    )
    .optional()
    .openapi({ description, example: 'cs.CL,cs.LG', type: 'string' });

const day = (description: string) =>
  z
    .string()
    .refine(isValidDay, 'must be a day YYYY-MM-DD, e.g. 2025-03-18')
    .optional()
    .openapi({ description, example: '2025-03-18', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/** The filters of the search page, strictly validated: `category` and `exclude` as lists (comma-separated or repeated). */
const SearchQueryParams = z.object({
  q: z
    .string({ error: 'is required: the words to search for' })
    .trim()
    .min(1, 'is required: the words to search for')
    .max(1000, 'must be at most 1000 characters')
    .openapi({
      description: 'words to search for in titles, authors and abstracts; "quoted phrases" must match, -word excludes',
      example: 'gaussian splatting',
    }),
  category: categoryList('only papers in any of these arXiv categories (comma-separated or repeated)'),
  exclude: categoryList('leave out papers in any of these categories'),
  from: day('only papers whose feed day is on or after this day'),
  to: day('only papers whose feed day is on or before this day'),
  has_code: booleanFlag('only papers with a code link'),
  author: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'only papers by this author', example: 'Qifeng Chen' }),
  sort: z
    .enum(['relevance', 'date'], { error: 'must be relevance or date' })
    .optional()
    .openapi({ description: 'relevance (default) or newest first', example: 'relevance' }),
  mode: z.enum(['hybrid', 'keyword', 'semantic'], { error: 'must be hybrid, keyword or semantic' }).optional().openapi({
    description: 'hybrid (default): words and meaning; keyword: words only; semantic: meaning only',
    example: 'keyword',
  }),
  p: pageNumber,
  limit: pageLimit(120, 50),
});

function toSearchQuery(f: z.infer<typeof SearchQueryParams>): SearchQuery & { limit: number; offset: number } {
  return {
    q: f.q,
    categories: f.category?.length ? f.category : undefined,
    excludeCategories: f.exclude?.length ? f.exclude : undefined,
    from: f.from,
    to: f.to,
    hasCode: f.has_code,
    author: f.author,
    sort: f.sort,
    mode: f.mode,
    limit: f.limit,
    offset: f.p * f.limit,
  };
}

/** One page of hits; the search service serves at most MAX_LIMIT per call, the API up to 120 (as Hugging Face's). */
async function searchPage(
  search: SearchService,
  query: SearchQuery & { limit: number; offset: number },
): Promise<SearchHit[]> {
  if (query.offset > MAX_OFFSET) {
    throw new ApiError(
      400,
      'invalid_request',
      `query.p: search results go ${MAX_OFFSET} deep; narrow the search with filters instead of paging further`,
      [{ field: 'query.p', message: `p * limit must be at most ${MAX_OFFSET}` }],
    );
  }
  const hits: SearchHit[] = [];
  while (hits.length < query.limit) {
    const limit = Math.min(MAX_LIMIT, query.limit - hits.length);
    const page = await search.search({ ...query, limit, offset: query.offset + hits.length });
    hits.push(...page.hits);
    if (page.hits.length < limit || page.paperId !== undefined) break;
  }
  return hits;
}

export const searchRoute = createRoute({
  method: 'get',
  path: '/api/papers/search',
  operationId: 'searchPapers',
  tags: ['search'],
  summary: 'Search papers by title, authors and abstract',
  description:
    'Filters apply before ranking. Each result carries `highlight`: its title and a passage of its abstract as HTML, matched words in `<mark>`.',
  request: { query: SearchQueryParams },
  responses: {
    200: okJson(z.array(SearchPaper), 'The best matches first (or newest first with sort=date)'),
    ...errorResponses,
  },
});

export const relatedRoute = createRoute({
  method: 'get',
  path: '/api/papers/{id}/related',
  operationId: 'relatedPapers',
  tags: ['search'],
  summary: 'Papers most similar to one paper',
  request: { params: PaperIdParam, query: z.object({ limit: pageLimit(50, 10) }) },
  responses: { 200: okJson(z.array(Paper), 'The most similar papers first'), ...notFoundResponse, ...errorResponses },
});

export function registerSearch(app: OpenAPIHono, deps: WebDeps): void {
  const baseUrl = deps.config.baseUrl;

  app.openapi(searchRoute, async (c) => {
    const q = c.req.valid('query');
    const hits = await searchPage(deps.search, toSearchQuery(q));
    const papers = hits.map((hit) => ({
      ...apiPaper(hit.paper, baseUrl),
      score: hit.score,
      highlight: { title: hit.titleHtml, snippet: hit.snippetHtml },
    }));
    return c.json(papers, 200);
  });

  // Documented as `{id}`; routed as `:id{.+}` so that an old-style id may keep its slash (`hep-th/9901001`).
  app.openAPIRegistry.registerPath(relatedRoute);
  app.openapi(
    { ...relatedRoute, path: '/api/papers/{id{.+}}/related', hide: true } as unknown as typeof relatedRoute,
    async (c) => {
      const id = paperIdFromPath(c.req.valid('param').id);
      if (!(await deps.store.getPaper(id))) throw notFound(id);
      const related = await deps.search.related(id, c.req.valid('query').limit);
      return c.json(
        related.map((p) => apiPaper(p, baseUrl)),
        200,
      );
    },
  );
}
