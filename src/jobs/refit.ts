import type { Logger } from '../log.js';
import type { SearchService } from '../search/search.js';

/** The scheduled refit of the semantic search model (PAPERBOY_REFIT_CRON). */
export function createRefitJob(search: SearchService, log: Logger): () => Promise<void> {
  return async () => {
    const { documents, ms } = await search.refit();
    log.info(`refitted the search model on ${documents} papers in ${Math.round(ms / 1000)} s`);
  };
}
