import { SourceError } from '../ingest/errors.js';
import type { Fetcher } from '../ingest/http.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { noteThumbnailFailure, papersWithoutThumbnail, type ThumbnailImage } from '../store/thumbnails.js';
import { ThumbnailError, type ThumbnailReason } from './errors.js';
import { MAX_PDF_BYTES } from './input.js';

/** What rendering the same bytes again cannot mend: the paper is not tried again (until `thumbnails --retry`). */
const FINAL: ReadonlySet<ThumbnailReason> = new Set(['not-a-pdf', 'encrypted', 'page-size', 'too-large']);

/** Turns a PDF into its first page's image (src/thumbnails/render.ts, in a worker thread). */
export interface PageRenderer {
  render(pdf: Uint8Array): Promise<ThumbnailImage>;
}

export interface ThumbnailJobDeps {
  store: Pick<Store, 'saveThumbnail'>;
  db: Db;
  /** The arXiv fetcher: the same spacing between requests as the harvests. */
  fetcher: Pick<Fetcher, 'getBytes'>;
  renderer: PageRenderer;
  /** Where the PDF of an arXiv paper is, e.g. https://arxiv.org/pdf/2501.12345. */
  pdfUrl: (id: string) => string;
  clock?: () => Date;
}

export interface ThumbnailRun {
  made: number;
  failed: number;
  /** Set when a run ended early because the PDFs' host could not be reached: the rest wait for the next run. */
  offline?: string;
}

/**
 * Makes the thumbnails of papers from feed day `since` on that lack one, newest first, at most `limit`. A paper whose
 * PDF fails is noted and tried again later (src/store/thumbnails.ts); an unreachable host ends the run.
 */
export async function makeThumbnails(
  deps: ThumbnailJobDeps,
  opts: {
    since: string;
    limit?: number;
    onPaper?: (result: { id: string; ok: boolean; error?: string }) => void;
    signal?: AbortSignal;
  },
): Promise<ThumbnailRun> {
  const clock = deps.clock ?? (() => new Date());
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const run: ThumbnailRun = { made: 0, failed: 0 };
  let after: { day: string; id: string } | undefined;
  while (run.made + run.failed < limit && !opts.signal?.aborted) {
    const batch = await papersWithoutThumbnail(deps.db, {
      since: opts.since,
      now: clock(),
      limit: Math.min(50, limit - run.made - run.failed),
      after,
    });
    if (batch.length === 0) break;
    for (const paper of batch) {
      if (opts.signal?.aborted) break;
      after = paper;
      try {
        const pdf = await deps.fetcher.getBytes(deps.pdfUrl(paper.id), MAX_PDF_BYTES);
        const image = await deps.renderer.render(pdf);
        await deps.store.saveThumbnail(paper.id, image);
        run.made++;
        opts.onPaper?.({ id: paper.id, ok: true });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const offline = error instanceof SourceError && error.code === 'offline';
        const final =
          (error instanceof ThumbnailError && FINAL.has(error.reason)) ||
          (error instanceof SourceError && error.code === 'too-large');
        await noteThumbnailFailure(deps.db, paper.id, message, clock(), { final });
        run.failed++;
        opts.onPaper?.({ id: paper.id, ok: false, error: message });
        if (offline) {
          run.offline = message;
          return run;
        }
      }
    }
  }
  return run;
}
