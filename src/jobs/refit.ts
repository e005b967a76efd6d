import type { Logger } from '../log.js';
import type { SearchService } from '../search/search.js';
import type { Job } from './schedule.js';

/**
 * The scheduled refit of the semantic search model (PAPERBOY_REFIT_CRON). When another process takes its run over
 * (the signal aborts), it stops at its next step and saves nothing: that process refits.
 */
export function createRefitJob(search: SearchService, log: Logger): Job {
  return async (signal) => {
    const { documents, ms, stopped } = await search.refit(signal);
    if (stopped) log.info(`the refit stopped after ${Math.round(ms / 1000)} s: another process took its run over`);
    else log.info(`refitted the search model on ${documents} papers in ${Math.round(ms / 1000)} s`);
  };
}
