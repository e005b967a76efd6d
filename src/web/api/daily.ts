import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { isValidDay, monthRange, weekRange } from '../../model/dates.js';
import { untilPapersChange } from '../../store/result-cache.js';
import { feedDay } from '../../store/rows.js';
import type { ListQuery, Store } from '../../store/store.js';
import type { WebDeps } from '../deps.js';
import { ApiError } from './errors.js';
import { dailyEntry } from './present.js';
import { DailyEntry, errorResponses, okJson, pageLimit, pageNumber } from './schemas.js';

const DailyQuery = z.object({
  date: z.string().refine(isValidDay, 'must be a day YYYY-MM-DD, e.g. 2025-03-18').optional().openapi({
    description: 'the day papers entered the feed (default: the latest day that has papers)',
    example: '2025-03-18',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  }),
  week: z
    .string()
    .refine((w) => weekRange(w) !== undefined, 'must be an ISO week YYYY-Www that exists, e.g. 2026-W01')
    .optional()
    .openapi({
      description: 'an ISO 8601 week, Monday to Sunday (2026-W01 is 2025-12-29 to 2026-01-04)',
      example: '2026-W01',
      pattern: '^\\d{4}-W\\d{2}$',
    }),
  month: z
    .string()
    .refine((m) => monthRange(m) !== undefined, 'must be a month YYYY-MM, e.g. 2025-03')
    .optional()
    .openapi({ description: 'a calendar month', example: '2025-03', pattern: '^\\d{4}-\\d{2}$' }),
  p: pageNumber,
  limit: pageLimit(100, 50),
  sort: z.enum(['publishedAt', 'trending'], { error: 'must be publishedAt or trending' }).optional().openapi({
    description:
      "publishedAt: newest first; trending: by trending score; default: the site's order (by day, trending within a day)",
    example: 'trending',
  }),
  submitter: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'only papers submitted to the daily feed by this user', example: 'akhaliq' }),
});

export const dailyPapersRoute = createRoute({
  method: 'get',
  path: '/api/daily_papers',
  operationId: 'listDailyPapers',
  tags: ['papers'],
  summary: 'Papers of one day, week or month of the daily feed',
  description:
    'Give at most one of `date`, `week` or `month`; without any, the latest day that has papers. Pages with `p` and `limit`.',
  request: { query: DailyQuery },
  responses: { 200: okJson(z.array(DailyEntry), 'The feed entries, in the requested order'), ...errorResponses },
});

const SORTS = { publishedAt: 'date', trending: 'trending' } as const;

async function selectRange(
  store: Store,
  q: z.infer<typeof DailyQuery>,
): Promise<{ from: string; to: string } | undefined> {
  const given = (['date', 'week', 'month'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) {
    throw new ApiError(
      400,
      'invalid_request',
      `Invalid request (${given.map((k) => `query.${k}`).join(', ')}): give only one of date, week or month.`,
      given.map((k) => ({ field: `query.${k}`, message: 'only one of date, week or month may be given' })),
    );
  }
  if (q.date) return { from: q.date, to: q.date };
  if (q.week) return weekRange(q.week);
  if (q.month) return monthRange(q.month);
  const [latest] = await store.listPapers({ sort: 'date', to: '9999-12-31', limit: 1 });
  const day = latest ? feedDay(latest) : null;
  return day ? { from: day, to: day } : undefined;
}

/** Feed pages remembered until papers change (the API's busiest call: every client polls the latest day). */
const REMEMBERED_PAGES = 200;
const REMEMBERED_MS = 10_000;

export function registerDailyPapers(app: OpenAPIHono, deps: WebDeps): void {
  const pages = untilPapersChange<DailyEntryValue[]>(deps.store, REMEMBERED_PAGES, REMEMBERED_MS, deps.closed);
  app.openapi(dailyPapersRoute, async (c) => {
    const q = c.req.valid('query');
    const key = JSON.stringify([q.date, q.week, q.month, q.p, q.limit, q.sort, q.submitter]);
    const entries = await pages.remember(key, async () => {
      const range = await selectRange(deps.store, q);
      if (!range) return [];
      const query: ListQuery = { ...range, sort: q.sort ? SORTS[q.sort] : 'feed' };
      const papers = await deps.store.listPapers({
        ...query,
        submittedBy: q.submitter,
        offset: q.p * q.limit,
        limit: q.limit,
      });
      return papers.map((p) => dailyEntry(p, deps.config.baseUrl));
    });
    return c.json(entries, 200);
  });
}

type DailyEntryValue = ReturnType<typeof dailyEntry>;
