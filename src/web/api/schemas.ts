import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from './error-codes.js';

/**
 * The shapes of the JSON API, in the field names users of Hugging Face's Daily Papers API know. These zod schemas
 * are both the response contract (rendered into /openapi.json) and the types the handlers build.
 * Nullable objects are written inline: `.nullable()` on a registered component would make the component itself
 * nullable wherever it is referenced.
 */

const Author = z.object({ name: z.string() }).openapi('Author');
const nullableUser = () =>
  z.object({ name: z.string().openapi({ description: 'user name of the submitter' }) }).nullable();
const nullableString = (description: string, example?: string) =>
  z
    .string()
    .nullable()
    .openapi(example ? { description, example } : { description });

export const Paper = z
  .object({
    id: z.string().openapi({
      description:
        'arXiv id without version (`2503.11731`, `hep-th/9901001`), or `title-<hash>` for a paper known only by its title',
      example: '2503.11731',
    }),
    authors: z.array(Author),
    publishedAt: nullableString(
      'when the paper was published on arXiv (ISO 8601); its feed day when the source gave no time',
      '2025-03-14T10:00:00.000Z',
    ),
    title: z.string(),
    summary: z.string().openapi({ description: 'the abstract, as plain text (TeX left as written)' }),
    upvotes: z.number().int(),
    githubRepo: nullableString("GitHub repository of the paper's code", 'https://github.com/example/repo'),
    githubStars: z.number().int().nullable(),
    projectPage: nullableString('project page of the paper'),
    submittedOnDailyAt: nullableString('when the paper entered the Daily Papers feed (ISO 8601)'),
    submittedOnDailyBy: nullableUser(),
    categories: z.array(z.string()).openapi({ example: ['cs.CV', 'cs.RO'] }),
    primaryCategory: nullableString('primary arXiv category', 'cs.CV'),
    codeUrls: z.array(z.string()),
    version: z.number().int().openapi({ description: 'latest known arXiv version (0 when unknown)' }),
    feedDay: nullableString('the day (YYYY-MM-DD) the paper is listed under in the daily feed', '2025-03-18'),
    featuredOn: nullableString('the day (YYYY-MM-DD) a curator featured the paper on, if any', '2025-03-18'),
    arxivUrl: z.string().nullable(),
    pdfUrl: z.string().nullable(),
    url: z.string().openapi({ description: "the paper's page on this site" }),
  })
  .openapi('Paper');
export type Paper = z.infer<typeof Paper>;

export const PaperVersion = z
  .object({
    version: z.number().int(),
    date: z.string().nullable(),
    source: z
      .string()
      .openapi({ description: 'where this version was seen: arxiv-oai, arxiv-api, jsonl, hf-daily, page' }),
  })
  .openapi('PaperVersion');

export const PaperDetail = Paper.extend({ versions: z.array(PaperVersion) }).openapi('PaperDetail');
export type PaperDetail = z.infer<typeof PaperDetail>;

export const SearchPaper = Paper.extend({
  score: z.number(),
  highlight: z.object({
    title: z.string().openapi({ description: 'the title as HTML, matched terms in <mark>' }),
    snippet: z.string().openapi({ description: 'a passage of the abstract as HTML, matched terms in <mark>' }),
  }),
}).openapi('SearchPaper');
export type SearchPaper = z.infer<typeof SearchPaper>;

export const DailyEntry = z
  .object({
    paper: Paper,
    publishedAt: nullableString('when the paper entered the daily feed (ISO 8601, the start of its feed day)'),
    title: z.string(),
    summary: z.string(),
    numComments: z.number().int(),
    submittedBy: nullableUser(),
    thumbnail: z.null(),
    mediaUrls: z.array(z.string()),
    isAuthorParticipating: z.boolean(),
  })
  .openapi('DailyEntry');
export type DailyEntry = z.infer<typeof DailyEntry>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().openapi({ example: 'Invalid request (query.limit: must be at most 100)' }),
      fields: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'for invalid requests: each bad parameter and what is wrong with it' }),
    }),
  })
  .openapi('Error');

/** Query-string helpers: values arrive as strings; a repeated parameter arrives as an array. */
export const pageLimit = (max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(fallback)
    .openapi({ description: `how many results (1..${max})`, example: Math.min(10, max) });

export const pageNumber = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(10_000, 'must be at most 10000')
  .default(0)
  .openapi({ description: 'page number, from 0', example: 0 });

export const booleanFlag = (description: string) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .openapi({ description, example: 'true' });

export const PaperIdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({
      param: { name: 'id', in: 'path' },
      description:
        'arXiv id, with or without version (`2503.11731`, `2503.11731v2`); an old-style id may be sent with its slash as is (`hep-th/9901001`) or percent-encoded',
      example: '2503.11731',
    }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const errorResponses = {
  400: json(ErrorBody, 'Invalid parameters: the message and `fields` say which and why'),
  429: json(ErrorBody, 'Too many requests: see the `RateLimit` and `Retry-After` headers'),
};
export const notFoundResponse = { 404: json(ErrorBody, 'No such paper') };
export const okJson = json;

export const Me = z
  .object({
    handle: z.string().openapi({ example: 'ada' }),
    displayName: z.string(),
    role: z.enum(['member', 'curator', 'admin']),
    auth: z.enum(['token', 'session']).openapi({ description: 'how the request proved who it is' }),
    scope: z
      .enum(['read', 'write'])
      .nullable()
      .openapi({ description: "the token's scope; null for a signed-in browser's session" }),
  })
  .openapi('Me');

export const Vote = z
  .object({
    id: z.string().openapi({ description: 'the paper', example: '2503.11731' }),
    upvoted: z.boolean().openapi({ description: 'whether you have upvoted the paper now' }),
    upvotes: z.number().int().openapi({ description: "the paper's upvotes now, as readers see them" }),
  })
  .openapi('Vote');

/** The security scheme of personal operations: a personal API token (src/web/api/auth.ts). */
export const BEARER_SCHEME = 'token';
export const tokenSecurity = [{ [BEARER_SCHEME]: [] }];

export const authResponses = (scope: 'read' | 'write') => ({
  401: json(ErrorBody, 'No token, or not a valid one (see the `WWW-Authenticate` header): create one at /account'),
  ...(scope === 'write'
    ? {
        403: json(
          ErrorBody,
          'The token may only read (create one with write scope), or a browser session sent no `X-CSRF-Token`',
        ),
      }
    : {}),
});
