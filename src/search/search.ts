import { parseArxivId } from '../model/arxiv-id.js';
import type { Paper } from '../model/paper.js';
import { ResultCache } from '../store/result-cache.js';
import type { Db } from '../store/schema.js';
import type { PapersChange } from '../store/store.js';
import { LsaEmbedder } from './embedder.js';
import { FUSION } from './fusion.js';
import { highlight, snippet } from './highlight.js';
import { IndexSync } from './index-sync.js';
import { MIN_LSA_DOCUMENTS } from './lsa.js';
import type { Filters } from './paper-index.js';
import { type PaperReader, paperReader, type SearchStore } from './paper-reader.js';
import { phraseCheck } from './phrase-check.js';
import { hasPositive, matchSet } from './query.js';
import { bestScore, planQuery, scoringTerms } from './query-plan.js';
import { type Ranker, rank } from './ranking.js';
import { RelatedPapers } from './related.js';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  MAX_OFFSET,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type SearchService,
  type SearchServiceOptions,
  TOTAL_CAP,
} from './types.js';

export type { SearchHit, SearchMode, SearchQuery, SearchResult, SearchService, SearchServiceOptions } from './types.js';
// The search's nouns, for callers that import the service.
export { DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, TOTAL_CAP } from './types.js';

/** Search answers asked for more than once, remembered until the index changes (result-cache.ts), and for at most this long. */
export const RESULT_CACHE_SIZE = 2_000;
export const RESULT_CACHE_MS = 60_000;
/** And at most this many hits in all: each holds a paper with its abstract and marked-up snippet, about 2 kB (at
 * 20,000 hits the cache alone held 38 MB of serve's 98 MB live heap in bench/soak). */
export const RESULT_CACHE_HITS = 5_000;

/**
 * The search service: answers from memory until papers change, waits for the index to take in the changes notified
 * so far, plans (query-plan.ts) and ranks (ranking.ts) a query, then reads the page's papers and marks them up.
 */
export async function createSearchService(
  store: SearchStore,
  db: Db,
  opts: SearchServiceOptions = {},
): Promise<SearchService> {
  const embedder = opts.embedder ?? new LsaEmbedder();
  const log = opts.log ?? (() => {});
  const papers = paperReader(store, db);
  const early = replayingEarlyChanges(papers);
  const snapshot = opts.snapshot ? { path: opts.snapshot, save: opts.savesSnapshot ?? true } : undefined;
  const sync = await IndexSync.open(early.reader, db, embedder, log, snapshot, opts.claims).catch((error: unknown) => {
    early.stop();
    throw error;
  });
  const memory = sync.memory;
  const ranker: Ranker = {
    memory,
    // The previous embedder while a switch of embedders is under way (index-sync.ts).
    get embedder() {
      return sync.queryEmbedder;
    },
    phrases: phraseCheck(db, store.engine),
    fusion: opts.fusion ?? FUSION,
  };
  const related = new RelatedPapers(ranker, (id) => papers.getPaper(id));
  sync.onChange(() => related.clear());
  if (opts.fitIfMissing && !embedder.model() && memory.papers.size >= MIN_LSA_DOCUMENTS) {
    sync.refit().catch((error: unknown) => log('error', `search: the first fit failed: ${String(error)}`));
  }

  const results = new ResultCache<Omit<SearchResult, 'tookMs'>>(RESULT_CACHE_SIZE, RESULT_CACHE_MS, {
    weigh: (r) => Math.max(1, r.hits.length),
    budget: RESULT_CACHE_HITS,
    secondAsk: true,
  });
  const forget = () => results.clear();
  sync.onChange(forget);
  // Votes and comments change what a hit shows (its counts) without changing the index's text: forget at once too.
  const unsubscribe = papers.onPapersChanged(forget);

  /** The answer to a search, ranked afresh (the index settled: `search` waits for it). */
  async function compute(query: SearchQuery): Promise<Omit<SearchResult, 'tookMs'>> {
    const text = typeof query.q === 'string' ? query.q : '';
    const asId = text.length < 200 ? parseArxivId(text.trim()) : undefined;
    if (asId) {
      const paper = await papers.getPaper(asId.id);
      if (paper) return { total: 1, hits: [plainHit(paper)], paperId: paper.id };
    }
    const limit = clamp(query.limit ?? DEFAULT_LIMIT, 1, MAX_LIMIT);
    const offset = clamp(query.offset ?? 0, 0, MAX_OFFSET);
    const parsed = planQuery(text, memory);
    if (!hasPositive(parsed)) return { total: 0, hits: [], notice: 'Type some words to search for.' };

    const filters = await resolveFilters(query);
    const { ranked, total, mode, notice } = await rank(ranker, {
      text,
      parsed,
      filters,
      mode: query.mode ?? 'hybrid',
      sort: query.sort ?? 'relevance',
      offset,
      limit,
    });
    // Keyword scores by relevance are comparable between queries as the share of the query matched.
    const best = mode === 'keyword' && (query.sort ?? 'relevance') === 'relevance' ? bestScore(parsed, memory) : 0;
    let kept = ranked;
    let count = total;
    if (query.minMatch && best > 0) {
      kept = ranked.filter((h) => h.score >= query.minMatch! * best);
      if (kept.length < ranked.length) count = kept.length;
    }
    const pageIds = kept.slice(offset, offset + limit);
    const page = await papers.getPapers(pageIds.map((h) => h.id));
    const set = matchSet(parsed);
    // getPapers leaves out papers hidden since they were ranked: scores go by id, not by position.
    const scores = new Map(pageIds.map((h) => [h.id, h.score]));
    const hits = page.map((paper) => ({
      paper,
      score: scores.get(paper.id) ?? 0,
      ...(best > 0 ? { match: Math.min(1, (scores.get(paper.id) ?? 0) / best) } : {}),
      titleHtml: highlight(paper.title, set),
      snippetHtml: snippet(paper.abstract, set),
    }));
    return {
      total: Math.min(count, TOTAL_CAP),
      ...(count > TOTAL_CAP ? { capped: true } : {}),
      hits,
      mode,
      ...(notice ? { notice } : {}),
    };
  }

  async function resolveFilters(q: SearchQuery): Promise<Filters> {
    const author = q.author?.trim();
    const only = author ? await papers.authorPapers(author) : undefined;
    return {
      categories: q.categories,
      excludeCategories: q.excludeCategories,
      from: q.from,
      to: q.to,
      hasCode: q.hasCode,
      only,
    };
  }

  return {
    async search(query) {
      const started = performance.now();
      await sync.textSettled();
      const result = await results.remember(cacheKey(query), () => compute(query));
      return { ...result, tookMs: Math.round((performance.now() - started) * 100) / 100 };
    },
    async related(id, limit = 10, mode = 'hybrid') {
      await sync.textSettled();
      return papers.getPapers(await related.ids(id, clamp(limit, 1, MAX_LIMIT), mode));
    },
    async suggest(prefix, limit = 8) {
      const parsed = planQuery(prefix, memory);
      if (!hasPositive(parsed)) return [];
      const found = memory.bm25.search(scoringTerms(parsed, memory), clamp(limit, 1, 20), memory.papers.allow({}), 0);
      return (await papers.getPapers(found.hits.map((h) => memory.papers.idOf(h.slot)))).map((p) => p.title);
    },
    refit: (signal) => sync.refit(signal),
    settled: () => sync.settled(),
    close: () => {
      unsubscribe();
      sync.close();
    },
  };
}

/**
 * The reader the index is opened with: papers written while it reads the store (a harvest or a submission in the
 * seconds after `serve` starts listening) are told to it again when it subscribes, lest one land behind its reading.
 */
function replayingEarlyChanges(papers: PaperReader): { reader: PaperReader; stop: () => void } {
  const early: PapersChange[] = [];
  const stop = papers.onPapersChanged((change) => early.push(change));
  const reader: PaperReader = {
    ...papers,
    onPapersChanged(listener) {
      stop();
      const unsubscribe = papers.onPapersChanged(listener);
      for (const change of early.splice(0)) listener(change);
      return unsubscribe;
    },
  };
  return { reader, stop };
}

/** One key per distinct question: the same words and filters in another order ask the same. */
function cacheKey(q: SearchQuery): string {
  const sorted = (xs: string[] | undefined) => (xs ? [...xs].sort() : []);
  return JSON.stringify([
    typeof q.q === 'string' ? q.q.trim() : '',
    sorted(q.categories),
    sorted(q.excludeCategories),
    q.from ?? '',
    q.to ?? '',
    q.hasCode ?? null,
    q.author?.trim() ?? '',
    q.sort ?? 'relevance',
    q.mode ?? 'hybrid',
    q.limit ?? DEFAULT_LIMIT,
    q.offset ?? 0,
    q.minMatch ?? 0,
  ]);
}

function plainHit(paper: Paper): SearchHit {
  const none = { stems: new Set<string>(), prefixes: [] };
  return { paper, score: 1, titleHtml: highlight(paper.title, none), snippetHtml: snippet(paper.abstract, none) };
}

/** n as a whole number within lo..hi (lo when it is not a number). */
export function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.floor(n))) : lo;
}
