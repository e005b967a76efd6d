import type { Paper } from '../model/paper.js';
import type { Embedder } from './embedder.js';
import type { FusionOptions } from './fusion.js';
import type { EmbedClaims } from './reembed.js';

export type SearchMode = 'hybrid' | 'keyword' | 'semantic';

export interface SearchQuery {
  q: string;
  categories?: string[];
  excludeCategories?: string[];
  /** YYYY-MM-DD bounds on the paper's feed day. */
  from?: string;
  to?: string;
  hasCode?: boolean;
  author?: string;
  sort?: 'relevance' | 'date';
  mode?: SearchMode;
  /**
   * Keyword mode sorted by relevance only: leave out hits that match less than this share (0–1) of the query, its
   * score over the most BM25 could give (query-plan.ts `bestScore`). Alerts use it so as not to pad with weak matches.
   */
  minMatch?: number;
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  paper: Paper;
  score: number;
  /** Keyword search by relevance: the share of the query this paper matches (0–1), comparable between queries. */
  match?: number;
  /** HTML-escaped text with <mark>…</mark> around matched terms; nothing else unescaped. */
  titleHtml: string;
  snippetHtml: string;
}

export interface SearchResult {
  /** Papers that match, at most `TOTAL_CAP`. */
  total: number;
  /** Set when more than `TOTAL_CAP` papers match: `total` is `TOTAL_CAP`, and a page says "1000+". */
  capped?: boolean;
  hits: SearchHit[];
  /** Set when the query is an arXiv id/URL of a stored paper. */
  paperId?: string;
  tookMs: number;
  /** The mode actually used: semantic and hybrid fall back to keyword while no model is fitted. */
  mode?: SearchMode;
  /** Why the result is not what was asked for, in words for the page (e.g. no semantic model yet). */
  notice?: string;
}

export interface SearchService {
  search(q: SearchQuery): Promise<SearchResult>;
  /** Papers like this one (its own title and abstract as the query), best first, itself excluded. */
  related(id: string, limit?: number, mode?: SearchMode): Promise<Paper[]>;
  /** Titles completing what is being typed. */
  suggest?(prefix: string, limit?: number): Promise<string[]>;
  /**
   * Fits the embedder again on every paper (LSA) or re-embeds every paper, and swaps the index. When `signal` aborts
   * (another process took the scheduled run over), it stops at its next step, saves nothing, and says `stopped`.
   */
  refit(signal?: AbortSignal): Promise<RefitResult>;
  /** Resolves when every change notified so far is in the index (tests, benchmarks). */
  settled(): Promise<void>;
  /** False while the in-memory index is still being built at start (search answers from the database meanwhile). */
  ready?(): boolean;
  close(): void;
}

export interface SearchServiceOptions {
  /** Defaults to LSA fitted on the store's papers (embedders.ts chooses one from the configuration). */
  embedder?: Embedder;
  fusion?: FusionOptions;
  /** Fit the semantic model in the background at start when none is stored yet (the site does; tests do not). */
  fitIfMissing?: boolean;
  /** A file to load the keyword index from at start (and save it to), instead of building it from every paper. */
  snapshot?: string;
  /**
   * Whether this process saves the snapshot (default: it does). The processes of `serve --processes N` share one data
   * folder: the first saves it, the others only read it (each save writes the whole index).
   */
  savesSnapshot?: boolean;
  /**
   * Claims on work shared by the deployment's processes (src/jobs/claims.ts): with them, this process may embed every
   * paper in the background when PAPERBOY_EMBEDDER names a model without vectors yet (reembed.ts).
   */
  claims?: EmbedClaims;
  /** Told about background work (folding new papers in, failures); defaults to silence. */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Results per page when the query does not say; and the most a page may ask for. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Deepest offset served: nobody pages this far, and each page costs its offset in candidates. */
export const MAX_OFFSET = 1000;
/** Matches are counted up to this many; past it a page says "1000+". */
export const TOTAL_CAP = 1000;

/** What a refit did: the papers it read and how long it took; `stopped` when its signal aborted it (nothing saved). */
export interface RefitResult {
  documents: number;
  ms: number;
  stopped?: true;
}
