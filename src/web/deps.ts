import type { Config } from '../config/config.js';
import type { PaperLookup } from '../ingest/arxiv-api.js';
import type { Logger } from '../log.js';
import type { SearchService } from '../search/search.js';
import type { Store } from '../store/store.js';
import type { SubscriptionDeps } from '../digest/job.js';

/** What every route of the site, the API and the feeds is given. */
export interface WebDeps {
  store: Store;
  search: SearchService;
  config: Pick<Config, 'baseUrl'> & Partial<Pick<Config, 'trustProxy' | 'apiRateLimit'>>;
  /** Where unexpected errors are reported; the console when absent (tests). */
  log?: Logger | undefined;
  /** Email subscriptions; without them /subscribe says digests are not set up. */
  subscriptions?: SubscriptionDeps | undefined;
  /** Fetches a paper the store lacks from arXiv, for submissions; without it only stored papers can be submitted. */
  fetchPaper?: PaperLookup | undefined;
}
