import { type Context, Hono } from 'hono';
import { collectionPapers, sharedCollection, viewableCollection } from '../../library/collections.js';
import {
  EXPORT_FORMATS,
  EXPORT_MAX,
  type ExportFormat,
  exportFileName,
  exportPapers,
  isExportFormat,
} from '../../library/export/formats.js';
import { parseArxivId } from '../../model/arxiv-id.js';
import type { Paper } from '../../model/paper.js';
import { MAX_LIMIT, MAX_OFFSET } from '../../search/search.js';
import { parseSearchForm, toSearchQuery } from '../../search/search-form.js';
import type { WebDeps } from '../deps.js';
import { viewer } from '../session.js';
import { notFoundPage } from './not-found.js';

/** The last segment of an export's address: `export.bib`, `export.ris` or `export.json`. */
const EXPORT_FILE = ':file{export\\.(?:bib|ris|json)}';
const formatOf = (file: string) => file.slice(file.lastIndexOf('.') + 1);

/**
 * Downloads as BibTeX, RIS and CSL-JSON (src/library/export/): one paper (/papers/:id.bib), a collection its viewer may
 * see (/library/:id/export.bib, /library/shared/:share/export.bib) and the papers of a search (/search/export.bib?q=…),
 * at most EXPORT_MAX papers. Mount before the paper pages, which would take `2501.12345.bib` for an id.
 */
export function exportRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const { db, clock: now } = deps;
  const baseUrl = deps.config.baseUrl;

  function download(c: Context, papers: Paper[], format: ExportFormat, name: string, shared: boolean) {
    c.header('Content-Type', EXPORT_FORMATS[format].type);
    c.header('Content-Disposition', `attachment; filename="${exportFileName(name, format)}"`);
    c.header('X-Content-Type-Options', 'nosniff');
    if (shared) c.header('Cache-Control', 'private, no-store');
    return c.body(exportPapers(papers, format, baseUrl));
  }

  app.get('/papers/:file{.+\\.(?:bib|ris|json)}', async (c) => {
    const file = c.req.param('file');
    const format = formatOf(file);
    if (!isExportFormat(format)) return c.notFound();
    const raw = file.slice(0, file.lastIndexOf('.'));
    const id = parseArxivId(raw)?.id ?? raw;
    const paper = await deps.store.getPaper(id);
    if (!paper) return notFoundPage(c, baseUrl, `There is no paper ${id} on this site to export.`);
    return download(c, [paper], format, paper.id.replace('/', '-'), false);
  });

  app.get(`/library/shared/:share{[A-Za-z0-9_-]+}/${EXPORT_FILE}`, async (c) => {
    const format = formatOf(c.req.param('file'));
    const col = await sharedCollection(db, c.req.param('share'));
    if (!col || !isExportFormat(format))
      return notFoundPage(c, baseUrl, 'There is no shared collection at this address.');
    c.header('Referrer-Policy', 'no-referrer');
    const items = await collectionPapers(db, col.id, EXPORT_MAX);
    return download(
      c,
      items.map((i) => i.paper),
      format,
      col.name,
      true,
    );
  });

  app.get(`/library/:id{[A-Za-z0-9_-]+}/${EXPORT_FILE}`, async (c) => {
    const format = formatOf(c.req.param('file'));
    const account = await viewer(c, db, now());
    const col = await viewableCollection(db, account?.id, c.req.param('id'));
    if (!col || !isExportFormat(format))
      return notFoundPage(c, baseUrl, 'There is no such collection, or it is not shared with you.');
    const items = await collectionPapers(db, col.id, EXPORT_MAX);
    return download(
      c,
      items.map((i) => i.paper),
      format,
      col.name,
      true,
    );
  });

  app.get(`/search/${EXPORT_FILE}`, async (c) => {
    const format = formatOf(c.req.param('file'));
    if (!isExportFormat(format)) return c.notFound();
    const form = parseSearchForm(new URL(c.req.url).searchParams);
    if (!form.q.trim()) return c.text('Say what to search for: /search/export.bib?q=…', 400);
    const papers: Paper[] = [];
    const cap = Math.min(EXPORT_MAX, MAX_OFFSET + MAX_LIMIT);
    while (papers.length < cap) {
      const query = { ...toSearchQuery({ ...form, page: 1 }, MAX_LIMIT), offset: papers.length };
      query.limit = Math.min(MAX_LIMIT, cap - papers.length);
      const result = await deps.search.search(query);
      if (result.paperId) {
        const paper = await deps.store.getPaper(result.paperId);
        if (paper) papers.push(paper);
        break;
      }
      papers.push(...result.hits.map((h) => h.paper));
      if (result.hits.length < query.limit) break;
    }
    return download(c, papers, format, `search ${form.q}`, false);
  });

  return app;
}
