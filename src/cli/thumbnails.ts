import type { Config } from '../config/config.js';
import { createFetchers } from '../ingest/fetchers.js';
import { THUMBNAIL_DAYS } from '../jobs/thumbnails.js';
import { addDays, isoDay, isValidDay } from '../model/dates.js';
import { Refusal } from '../model/refusal.js';
import type { OpenedStore } from '../store/store.js';
import { countWithoutThumbnail, retryThumbnails } from '../store/thumbnails.js';
import { makeThumbnails } from '../thumbnails/make.js';
import { ThumbnailRenderer } from '../thumbnails/renderer.js';
import { createProgress } from './progress.js';

/**
 * `paperboy thumbnails`: makes the missing thumbnails of papers from `--since` on (default: the last week), newest
 * first, one PDF request per PAPERBOY_ARXIV_DELAY_MS, with the import's progress bar (a line every few seconds
 * elsewhere) and a line per failure.
 */
export async function runThumbnails(
  config: Config,
  { store, db }: OpenedStore,
  opts: { since?: string; limit?: number; retry?: boolean },
): Promise<void> {
  const since = opts.since ?? addDays(isoDay(new Date()), -THUMBNAIL_DAYS);
  if (!isValidDay(since)) throw new Refusal('invalid', `--since takes a day such as 2026-07-01, not “${since}”.`);
  if (opts.limit !== undefined && !(Number.isSafeInteger(opts.limit) && opts.limit > 0))
    throw new Refusal('invalid', '--limit takes a whole number of papers, such as 100.');
  if (opts.retry) console.error(`trying again ${await retryThumbnails(db)} papers whose thumbnails had failed`);
  const waiting = await countWithoutThumbnail(db, { since, now: new Date() });
  const total = Math.min(waiting, opts.limit ?? waiting);
  if (total === 0) {
    console.log(`thumbnails: none missing for papers since ${since}`);
    return;
  }
  const renderer = new ThumbnailRenderer();
  const { arxivFetcher } = createFetchers(config);
  const progress = createProgress<{ failed: number }>(
    'thumbnails',
    total,
    process.stderr,
    undefined,
    ({ failed }) => `${failed} failed`,
  );
  let done = 0;
  let failed = 0;
  try {
    const run = await makeThumbnails(
      { store, db, fetcher: arxivFetcher, renderer, pdfUrl: (id) => `${config.arxivPdfUrl}/${id}` },
      {
        since,
        limit: total,
        onPaper: (result) => {
          done++;
          if (!result.ok) failed++;
          progress.update(done, { failed });
          if (!result.ok) progress.log(`${result.id}: ${result.error}`);
        },
      },
    );
    console.log(`thumbnails: ${run.made} made, ${run.failed} failed (tried again later) since ${since}`);
    if (run.offline) throw new Refusal('offline', `Stopped early: ${run.offline}`);
  } finally {
    progress.stop();
    await renderer.close();
  }
}
