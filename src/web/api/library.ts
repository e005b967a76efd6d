import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  addPaper,
  COLLECTION_NAME_MAX,
  collectionPapers,
  createCollection,
  deleteCollection,
  listCollections,
  movePaper,
  NOTE_MAX,
  ownCollection,
  removePaper,
  type Collection as StoredCollection,
  savedCollection,
  setNote,
  updateCollection,
  VISIBILITIES,
  viewableCollection,
} from '../../library/collections.js';
import {
  EXPORT_FORMATS,
  EXPORT_MAX,
  type ExportFormat,
  exportFileName,
  exportPapers,
} from '../../library/export/formats.js';
import { IMPORT_MAX_ENTRIES, importIntoCollection } from '../../library/import.js';
import type { WebDeps } from '../deps.js';
import { apiAccount, apiViewer } from './auth.js';
import { ApiError } from './errors.js';
import { notFound, paperIdFromPath } from './papers.js';
import { apiPaper, siteUrl } from './present.js';
import { errorResponses, okJson, Paper, PaperIdParam } from './schemas.js';

const Visibility = z.enum(VISIBILITIES).openapi({
  description: '`private`: only you; `link`: anyone with `shareUrl`; `public`: anyone, and listed on your profile',
});

const Collection = z
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

const CollectionItem = z
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

const FORMATS = { bibtex: 'bib', ris: 'ris', 'csl-json': 'json' } as const satisfies Record<string, ExportFormat>;
const FormatQuery = z.object({
  format: z
    .enum(['bibtex', 'ris', 'csl-json'], { error: 'must be bibtex, ris or csl-json' })
    .default('bibtex')
    .openapi({ description: 'BibTeX (default), RIS or CSL-JSON', example: 'bibtex' }),
});

const authResponses = {
  401: okJson(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Not signed in'),
  403: okJson(
    z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
    'A write by session cookie without its form token in X-CSRF-Token',
  ),
};
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
const security = [{ session: [] }];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/collections',
    operationId: 'listCollections',
    tags,
    security,
    summary: 'Your reading list and collections',
    responses: {
      200: okJson(z.array(Collection), 'The reading list first, then collections oldest first'),
      ...authResponses,
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
    responses: { 201: okJson(Collection, 'The new collection'), ...authResponses, ...errorResponses },
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
      ...authResponses,
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
    responses: { 204: { description: 'Deleted' }, ...authResponses, ...missing, ...errorResponses },
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
      ...authResponses,
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
      ...authResponses,
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
      ...authResponses,
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

/** The library in the JSON API: collections CRUD, their papers, imports and exports (src/library/). */
export function registerLibrary(app: OpenAPIHono, deps: WebDeps): void {
  const { db, clock: now } = deps;
  const baseUrl = deps.config.baseUrl;

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'pb_session',
    description: 'The session cookie of a signed-in browser; writes also need the form token in X-CSRF-Token.',
  });

  // Who asks is settled before a write's body is read: signed out is 401 and a write without its token 403, whatever
  // the body holds.
  for (const path of ['/api/collections', '/api/collections/*'])
    app.use(path, async (c, next) => {
      if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) await apiAccount(c, deps, 'write');
      await next();
    });

  const present = (col: StoredCollection, papers: number, own: boolean): z.infer<typeof Collection> => ({
    id: col.id,
    kind: col.kind,
    name: col.name,
    visibility: col.visibility,
    shareUrl:
      own && col.shareId && col.visibility !== 'private' ? siteUrl(baseUrl, `/library/shared/${col.shareId}`) : null,
    papers,
    url: siteUrl(baseUrl, `/library/${col.id}`),
    createdAt: col.createdAt,
    updatedAt: col.updatedAt,
  });

  /** One of the account's collections: `saved` is its reading list. */
  const own = (accountId: string, id: string) =>
    id === 'saved' ? savedCollection(db, accountId, now()) : ownCollection(db, accountId, id);

  const count = async (id: string) => (await collectionPapers(db, id)).length;

  function download(c: Context, format: ExportFormat, name: string, papers: Parameters<typeof exportPapers>[0]) {
    c.header('Content-Type', EXPORT_FORMATS[format].type);
    c.header('Content-Disposition', `attachment; filename="${exportFileName(name, format)}"`);
    return c.body(exportPapers(papers, format, baseUrl), 200);
  }

  app.openapi(routes.list, async (c) => {
    const account = await apiAccount(c, deps, 'read');
    await savedCollection(db, account.id, now());
    const all = await listCollections(db, account.id);
    return c.json(
      all.map((col) => present(col, col.papers, true)),
      200,
    );
  });

  app.openapi(routes.create, async (c) => {
    const account = await apiAccount(c, deps, 'write');
    const body = c.req.valid('json');
    const col = await createCollection(db, account.id, body, now());
    return c.json(present(col, 0, true), 201);
  });

  app.openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    const account = await apiViewer(c, deps);
    const col =
      account && id === 'saved'
        ? await savedCollection(db, account.id, now())
        : await viewableCollection(db, account?.id, id);
    if (!col) throw new ApiError(404, 'not_found', 'There is no such collection, or it is not shared with you.');
    c.header('Cache-Control', 'private, no-store');
    const items = await collectionPapers(db, col.id);
    return c.json(
      {
        ...present(col, items.length, col.accountId === account?.id),
        items: items.map((i) => ({
          paper: apiPaper(i.paper, baseUrl),
          note: i.note,
          position: i.position,
          addedAt: i.addedAt,
        })),
      },
      200,
    );
  });

  app.openapi(routes.update, async (c) => {
    const account = await apiAccount(c, deps, 'write');
    const col = await own(account.id, c.req.valid('param').id);
    const updated = await updateCollection(db, account.id, col.id, c.req.valid('json'), now());
    return c.json(present(updated, await count(col.id), true), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const account = await apiAccount(c, deps, 'write');
    const col = await own(account.id, c.req.valid('param').id);
    await deleteCollection(db, account.id, col.id);
    return c.body(null, 204);
  });

  // Documented as `{paperId}`; routed as `:paperId{.+}` so that an old-style id may keep its slash (`hep-th/9901001`).
  app.openAPIRegistry.registerPath(routes.putItem);
  app.openapi(
    {
      ...routes.putItem,
      path: '/api/collections/{id}/papers/{paperId{.+}}',
      hide: true,
    } as unknown as typeof routes.putItem,
    async (c) => {
      const account = await apiAccount(c, deps, 'write');
      const params = c.req.valid('param');
      const paperId = paperIdFromPath(params.paperId);
      const col = await own(account.id, params.id);
      const body = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : {};
      await addPaper(db, account.id, col.id, paperId, now());
      if (body.note !== undefined) await setNote(db, account.id, col.id, paperId, body.note, now());
      if (body.position !== undefined) await movePaper(db, account.id, col.id, paperId, body.position, now());
      const item = (await collectionPapers(db, col.id)).find((i) => i.paper.id === paperId);
      if (!item) throw notFound(paperId);
      return c.json(
        { paper: apiPaper(item.paper, baseUrl), note: item.note, position: item.position, addedAt: item.addedAt },
        200,
      );
    },
  );

  app.openAPIRegistry.registerPath(routes.deleteItem);
  app.openapi(
    {
      ...routes.deleteItem,
      path: '/api/collections/{id}/papers/{paperId{.+}}',
      hide: true,
    } as unknown as typeof routes.deleteItem,
    async (c) => {
      const account = await apiAccount(c, deps, 'write');
      const params = c.req.valid('param');
      const col = await own(account.id, params.id);
      await removePaper(db, account.id, col.id, paperIdFromPath(params.paperId), now());
      return c.body(null, 204);
    },
  );

  app.openapi(routes.importInto, async (c) => {
    const account = await apiAccount(c, deps, 'write');
    const col = await own(account.id, c.req.valid('param').id);
    const report = await importIntoCollection(
      { store: deps.store, db, fetchPapers: deps.fetchPapers },
      account.id,
      col.id,
      c.req.valid('json').text,
      now(),
    );
    return c.json(report, 200);
  });

  app.openapi(routes.exportCollection, async (c) => {
    const { id } = c.req.valid('param');
    const account = await apiViewer(c, deps);
    const col =
      account && id === 'saved'
        ? await savedCollection(db, account.id, now())
        : await viewableCollection(db, account?.id, id);
    if (!col) throw new ApiError(404, 'not_found', 'There is no such collection, or it is not shared with you.');
    c.header('Cache-Control', 'private, no-store');
    const items = await collectionPapers(db, col.id, EXPORT_MAX);
    return download(
      c,
      FORMATS[c.req.valid('query').format],
      col.name,
      items.map((i) => i.paper),
    ) as never;
  });

  app.openAPIRegistry.registerPath(routes.exportPaper);
  app.openapi(
    { ...routes.exportPaper, path: '/api/papers/{id{.+}}/export', hide: true } as unknown as typeof routes.exportPaper,
    async (c) => {
      const id = paperIdFromPath(c.req.valid('param').id);
      const paper = await deps.store.getPaper(id);
      if (!paper) throw notFound(id);
      return download(c, FORMATS[c.req.valid('query').format], id.replace('/', '-'), [paper]) as never;
    },
  );
}
