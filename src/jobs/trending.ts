import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** The scheduled trending pass (PAPERBOY_TRENDING_CRON): every stale score stored again, and said. */
export function createTrendingJob(store: Store, log: Logger): () => Promise<void> {
  return async () => {
    const { papers, changed } = await store.recomputeTrending();
    if (changed > 0) log.info(`trending: ${changed} of ${papers} scores were stale and are stored again`);
  };
}
