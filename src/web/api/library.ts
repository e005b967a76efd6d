import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  addPaper,
  collectionPapers,
  createCollection,
  deleteCollection,
  listCollections,
  movePaper,
  ownCollection,
  removePaper,
  type Collection as StoredCollection,
  savedCollection,
  setNote,
  updateCollection,
  viewableCollection,
} from '../../library/collections.js';
import {
  EXPORT_FORMATS,
  EXPORT_MAX,
  type ExportFormat,
  exportFileName,
  exportPapers,
} from '../../library/export/formats.js';
import { importIntoCollection } from '../../library/import.js';
import type { WebDeps } from '../deps.js';
import { apiCaller, requireCaller } from './auth.js';
import { ApiError } from './errors.js';
import { type Collection, FORMATS, routes } from './library-routes.js';
import { notFound, paperIdFromPath } from './papers.js';
import { apiPaper, siteUrl } from './present.js';

/** The library in the JSON API: collections CRUD, their papers, imports and exports (src/library/). */
export function registerLibrary(app: OpenAPIHono, deps: WebDeps): void {
  const { db, clock: now } = deps;
  const baseUrl = deps.config.baseUrl;

  // Who asks is settled before a write's body is read: signed out is 401 and a write without its token 403, whatever
  // the body holds.
  for (const path of ['/api/collections', '/api/collections/*'])
    app.use(path, async (c, next) => {
      if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) await requireCaller(c, deps, 'write');
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

  /** Who asks, for what anyone may read (a public collection): the caller's account when there is one. */
  async function viewerOf(c: Context) {
    c.header('Vary', 'Authorization, Cookie');
    return (await apiCaller(c, deps))?.account;
  }

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
    const { account } = await requireCaller(c, deps, 'read');
    await savedCollection(db, account.id, now());
    const all = await listCollections(db, account.id);
    return c.json(
      all.map((col) => present(col, col.papers, true)),
      200,
    );
  });

  app.openapi(routes.create, async (c) => {
    const { account } = await requireCaller(c, deps, 'write');
    const body = c.req.valid('json');
    const col = await createCollection(db, account.id, body, now());
    return c.json(present(col, 0, true), 201);
  });

  app.openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    const account = await viewerOf(c);
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
    const { account } = await requireCaller(c, deps, 'write');
    const col = await own(account.id, c.req.valid('param').id);
    const updated = await updateCollection(db, account.id, col.id, c.req.valid('json'), now());
    return c.json(present(updated, await count(col.id), true), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const { account } = await requireCaller(c, deps, 'write');
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
      const { account } = await requireCaller(c, deps, 'write');
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
      const { account } = await requireCaller(c, deps, 'write');
      const params = c.req.valid('param');
      const col = await own(account.id, params.id);
      await removePaper(db, account.id, col.id, paperIdFromPath(params.paperId), now());
      return c.body(null, 204);
    },
  );

  app.openapi(routes.importInto, async (c) => {
    const { account } = await requireCaller(c, deps, 'write');
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
    const account = await viewerOf(c);
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
