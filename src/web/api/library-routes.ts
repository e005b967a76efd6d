import { createRoute, z } from '@hono/zod-openapi';
import { COLLECTION_NAME_MAX, NOTE_MAX, VISIBILITIES } from '../../library/collections.js';
import { EXPORT_FORMATS, EXPORT_MAX, type ExportFormat } from '../../library/export/formats.js';
import { IMPORT_MAX_ENTRIES } from '../../library/import.js';
import { authResponses, errorResponses, okJson, Paper, PaperIdParam, tokenSecurity } from './schemas.js';

/** The library's operations in the OpenAPI document, and the shapes they answer with (handlers: library.ts). */

const Visibility = z.enum(VISIBILITIES).openapi({
  description: '`private`: only you; `link`: anyone with `shareUrl`; `public`: anyone, and listed on your profile',
});

export const Collection = z
  .object({
    id: z.string().openapi({ description: 'the collection; `saved` also names your reading list in paths' }),
    kind: z.enum(['saved', 'named']).openapi({ description: '`saved`: the reading list the Save button fills' }),
    name: z.string(),
    visibility: Visibility,
    shareUrl: z
      .string()
      .nullable()
      .openapi({ description: 'the share link (to its owner only), while shared by link or public' }),
    papers: z.number().int().openapi({ description: 'how many papers it holds' }),
    url: z.string().openapi({ description: "the collection's page on this site" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Collection');

export const CollectionItem = z
  .object({
    paper: Paper,
    note: z.string().openapi({ description: "the owner's note on the paper (plain text; empty when none)" }),
    position: z.number().int().openapi({ description: 'its place in the collection, from 0' }),
    addedAt: z.string(),
  })
  .openapi('CollectionItem');

const CollectionDetail = Collection.extend({ items: z.array(CollectionItem) }).openapi('CollectionDetail');

const ImportLine = z
  .object({
    line: z.number().int(),
    label: z.string(),
    outcome: z.enum(['added', 'fetched', 'already', 'duplicate', 'not-found', 'invalid', 'unavailable']),
    paperId: z.string().optional(),
    message: z.string(),
  })
  .openapi('ImportLine');

const ImportReport = z
  .object({ added: z.number().int(), failed: z.number().int(), lines: z.array(ImportLine) })
  .openapi('ImportReport');

const CollectionIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a collection id')
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'a collection id, or `saved` for your reading list',
      example: 'saved',
    }),
});
const ItemParams = CollectionIdParam.extend({
  paperId: PaperIdParam.shape.id.openapi({ param: { name: 'paperId', in: 'path' } }),
});

export const FORMATS = { bibtex: 'bib', ris: 'ris', 'csl-json': 'json' } as const satisfies Record<
  string,
  ExportFormat
>;
const FormatQuery = z.object({
  format: z
    .enum(['bibtex', 'ris', 'csl-json'], { error: 'must be bibtex, ris or csl-json' })
    .default('bibtex')
    .openapi({ description: 'BibTeX (default), RIS or CSL-JSON', example: 'bibtex' }),
});

const missing = {
  404: okJson(
    z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
    'No such collection or paper (or not yours)',
  ),
};
const exportResponse = (what: string) => ({
  200: {
    description: `${what} in the format asked for, as a file to download (Content-Disposition: attachment)`,
    content: Object.fromEntries(
      Object.values(EXPORT_FORMATS).map((f) => [f.type.split(';')[0]!, { schema: z.string() }]),
    ),
  },
});

const tags = ['library'];
const security = tokenSecurity;

export const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/collections',
    operationId: 'listCollections',
    tags,
    security,
    summary: 'Your reading list and collections',
    responses: {
      200: okJson(z.array(Collection), 'The reading list first, then collections oldest first'),
      ...authResponses('read'),
      ...errorResponses,
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/collections',
    operationId: 'createCollection',
    tags,
    security,
    summary: 'Create a collection',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({
              name: z
                .string()
                .min(1)
                .max(COLLECTION_NAME_MAX * 4),
              visibility: Visibility.optional(),
            }),
          },
        },
        required: true,
      },
    },
    responses: { 201: okJson(Collection, 'The new collection'), ...authResponses('write'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/collections/{id}',
    operationId: 'getCollection',
    tags,
    summary: 'A collection with its papers and notes, in order (yours, or anyone’s public one)',
    request: { params: CollectionIdParam },
    responses: { 200: okJson(CollectionDetail, 'The collection'), ...missing, ...errorResponses },
  }),
  update: createRoute({
    method: 'patch',
    path: '/api/collections/{id}',
    operationId: 'updateCollection',
    tags,
    security,
    summary: 'Rename a collection, change who may see it, or replace its share link',
    request: {
      params: CollectionIdParam,
      body: {
        content: {
          'application/json': {
            schema: z.object({
              name: z
                .string()
                .min(1)
                .max(COLLECTION_NAME_MAX * 4)
                .optional(),
              visibility: Visibility.optional(),
              newLink: z
                .boolean()
                .optional()
                .openapi({ description: 'true: a new share link; the old one stops working' }),
            }),
          },
        },
        required: true,
      },
    },
    responses: {
      200: okJson(Collection, 'The collection as it is now'),
      ...authResponses('write'),
      ...missing,
      ...errorResponses,
    },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/collections/{id}',
    operationId: 'deleteCollection',
    tags,
    security,
    summary: 'Delete a collection and its notes (not the reading list)',
    request: { params: CollectionIdParam },
    responses: { 204: { description: 'Deleted' }, ...authResponses('write'), ...missing, ...errorResponses },
  }),
  putItem: createRoute({
    method: 'put',
    path: '/api/collections/{id}/papers/{paperId}',
    operationId: 'putCollectionPaper',
    tags,
    security,
    summary: 'Add a paper to a collection (at the end), or change its note or place',
    request: {
      params: ItemParams,
      body: {
        content: {
          'application/json': {
            schema: z.object({
              note: z
                .string()
                .max(NOTE_MAX * 4)
                .optional()
                .openapi({ description: `plain text, at most ${NOTE_MAX} characters` }),
              position: z
                .number()
                .int()
                .min(0)
                .optional()
                .openapi({ description: 'its place, from 0; past the end is last' }),
            }),
          },
        },
        required: false,
      },
    },
    responses: {
      200: okJson(CollectionItem, 'The paper in the collection'),
      ...authResponses('write'),
      ...missing,
      ...errorResponses,
    },
  }),
  deleteItem: createRoute({
    method: 'delete',
    path: '/api/collections/{id}/papers/{paperId}',
    operationId: 'deleteCollectionPaper',
    tags,
    security,
    summary: 'Take a paper out of a collection',
    request: { params: ItemParams },
    responses: {
      204: { description: 'Taken out (or was not there)' },
      ...authResponses('write'),
      ...missing,
      ...errorResponses,
    },
  }),
  importInto: createRoute({
    method: 'post',
    path: '/api/collections/{id}/import',
    operationId: 'importIntoCollection',
    tags,
    security,
    summary: `Import arXiv ids or a BibTeX file into a collection (at most ${IMPORT_MAX_ENTRIES} entries)`,
    description: 'Papers this site lacks are fetched from arXiv; each entry gets a line in the report.',
    request: {
      params: CollectionIdParam,
      body: {
        content: { 'application/json': { schema: z.object({ text: z.string().min(1).max(200_000) }) } },
        required: true,
      },
    },
    responses: {
      200: okJson(ImportReport, 'What became of each entry'),
      ...authResponses('write'),
      ...missing,
      ...errorResponses,
    },
  }),
  exportCollection: createRoute({
    method: 'get',
    path: '/api/collections/{id}/export',
    operationId: 'exportCollection',
    tags,
    summary: `A collection as BibTeX, RIS or CSL-JSON (at most ${EXPORT_MAX} papers)`,
    request: { params: CollectionIdParam, query: FormatQuery },
    responses: { ...exportResponse('The papers of the collection'), ...missing, ...errorResponses },
  }),
  exportPaper: createRoute({
    method: 'get',
    path: '/api/papers/{id}/export',
    operationId: 'exportPaper',
    tags,
    summary: 'One paper as BibTeX, RIS or CSL-JSON',
    request: { params: PaperIdParam, query: FormatQuery },
    responses: { ...exportResponse('The paper'), ...missing, ...errorResponses },
  }),
};
