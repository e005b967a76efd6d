import type { Config } from '../config/config.js';
import { Signer } from '../crypto/tokens.js';
import type { ForYou } from '../foryou/for-you.js';
import type { PaperLookup, PapersLookup } from '../ingest/arxiv-api.js';
import type { Logger } from '../log.js';
import type { SearchService } from '../search/search.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { createRateCounts, type RateCounts } from './rate-counts.js';

/** What every route of the site, the API and the feeds is given. */
export interface WebDeps {
  store: Store;
  /** Accounts, sessions, votes, comments, subscriptions: the tables beside the papers. */
  db: Db;
  search: SearchService;
  config: Pick<Config, 'baseUrl'> & Partial<Pick<Config, 'trustProxy' | 'apiRateLimit'>>;
  /** Where unexpected errors are reported; the console when absent (tests). */
  log: Logger | undefined;
  /** Signs form tokens, sign-in and subscription links. */
  signer: Signer;
  clock: () => Date;
  /** Asks for the outbox to be sent now (a confirmation or a sign-in mail); does nothing without an SMTP server. */
  kick: () => void;
  /** Fetches a paper the store lacks from arXiv, for submissions; without it only stored papers can be submitted. */
  fetchPaper: PaperLookup | undefined;
  /** Fetches many papers the store lacks from arXiv at once, for imports into a library; without it only stored ones. */
  fetchPapers: PapersLookup | undefined;
  /** Aborts when the site closes: what listens to the store lets go. */
  closed: AbortSignal;
  /**
   * "For you", once it is open: opening reads every paper (seconds on a large store), so `serve` opens it in the
   * background and this answers undefined until then (pages show the period in trending order, saying so).
   */
  forYou: () => ForYou | undefined;
  /** The rate limits' counts, shared with every process on the store (src/web/rate-counts.ts). */
  rateCounts: RateCounts;
}

/** The site's dependencies, built in one place for `serve` and the tests alike. */
export function webDeps(parts: {
  store: Store;
  db: Db;
  search: SearchService;
  config: WebDeps['config'];
  secret: string;
  log?: Logger | undefined;
  clock?: (() => Date) | undefined;
  kick?: (() => void) | undefined;
  fetchPaper?: PaperLookup | undefined;
  fetchPapers?: PapersLookup | undefined;
  closed?: AbortSignal | undefined;
  forYou?: (() => ForYou | undefined) | undefined;
}): WebDeps {
  const closed = parts.closed ?? new AbortController().signal;
  const rateCounts = createRateCounts(parts.db, { log: parts.log });
  closed.addEventListener('abort', () => void rateCounts.close().catch(() => {}), { once: true });
  return {
    store: parts.store,
    db: parts.db,
    search: parts.search,
    config: parts.config,
    log: parts.log,
    signer: new Signer(parts.secret),
    clock: parts.clock ?? (() => new Date()),
    kick: parts.kick ?? (() => {}),
    fetchPaper: parts.fetchPaper,
    fetchPapers: parts.fetchPapers,
    closed,
    forYou: parts.forYou ?? (() => undefined),
    rateCounts,
  };
}
