import type { Config } from '../config/config.js';
import type { Fetcher } from '../ingest/http.js';
import type { Logger } from '../log.js';
import { addDays, isoDay } from '../model/dates.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { makeThumbnails } from '../thumbnails/make.js';
import { ThumbnailRenderer } from '../thumbnails/renderer.js';

/** The scheduled run makes the thumbnails of this many days of papers, newest first… */
export const THUMBNAIL_DAYS = 7;
/** …and at most this many a run: with arXiv's 3 s between requests, ten minutes' worth. */
export const THUMBNAILS_PER_RUN = 200;

/** The thumbnails of the last week's papers that lack one (PAPERBOY_THUMBNAILS_CRON), rendered off the event loop. */
export function createThumbnailJob(
  parts: { store: Store; db: Db; config: Pick<Config, 'arxivPdfUrl'>; arxivFetcher: Fetcher },
  log: Logger,
): { run: (signal?: AbortSignal) => Promise<void>; close: () => Promise<void> } {
  const renderer = new ThumbnailRenderer();
  const pdfUrl = (id: string) => `${parts.config.arxivPdfUrl}/${id}`;
  return {
    run: async (signal) => {
      const since = addDays(isoDay(new Date()), -THUMBNAIL_DAYS);
      const done = await makeThumbnails(
        { store: parts.store, db: parts.db, fetcher: parts.arxivFetcher, renderer, pdfUrl },
        { since, limit: THUMBNAILS_PER_RUN, ...(signal ? { signal } : {}) },
      );
      if (done.made + done.failed > 0)
        log.info(`thumbnails: ${done.made} made, ${done.failed} failed (tried again later)`);
      if (done.offline) log.warn(`thumbnails: stopped early, ${done.offline}`);
    },
    close: () => renderer.close(),
  };
}
