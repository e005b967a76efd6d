import { parseArxivId } from '../model/arxiv-id.js';
import { authorKey, titleKey } from '../model/record.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Paper } from '../model/paper.js';
import { LsaEmbedder, type Embedder } from './embedder.js';
import { MIN_LSA_DOCUMENTS, normalize } from './lsa.js';
import { FUSION, RELATED_FUSION, fuse, semanticShare, type FusionOptions } from './fusion.js';
import { highlight, snippet } from './highlight.js';
import { IndexSync } from './index-sync.js';
import { phraseIndex } from './keyword.js';
import { ResultCache } from '../store/result-cache.js';
import { ALTERNATIVE_WEIGHT, type ScoringTerm } from './bm25.js';
import type { MemoryIndex } from './index-store.js';
import { MIN_TYPO_LENGTH } from './lexicon.js';
import type { Filters, Scored } from './paper-index.js';
import { hasPositive, matchSet, parseQuery, queryText, type ParsedQuery } from './query.js';
import { STOP_WORDS, stem, terms } from './tokenize.js';

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
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  paper: Paper;
  score: number;
  /** HTML-escaped text with <mark>…</mark> around matched terms; nothing else unescaped. */
  titleHtml: string;
  snippetHtml: string;
}

export interface SearchResult {
  total: number;
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
  /** Fits the embedder again on every paper (LSA) or re-embeds every paper, and swaps the index. */
  refit(): Promise<{ documents: number; ms: number }>;
  /** Resolves when every change notified so far is in the index (tests, benchmarks). */
  settled(): Promise<void>;
  close(): void;
}

export interface SearchServiceOptions {
  embedder?: Embedder;
  fusion?: FusionOptions;
  /** Fit the semantic model in the background at start when none is stored yet (the site does; tests do not). */
  fitIfMissing?: boolean;
  /** Told about background work (folding new papers in, failures); defaults to silence. */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Results per page when the query does not say; and the most a page may ask for. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Deepest offset served: nobody pages this far, and each page costs its offset in candidates. */
export const MAX_OFFSET = 1000;
/** Candidates each list contributes to hybrid fusion. */
export const FUSION_POOL = 200;
/** Matches are counted up to this many; past it a page says "1000+". */
export const TOTAL_CAP = 1000;
/**
 * Hybrid: the best keyword hits whose vectors join the query's, and how much they weigh together against it
 * (tuned with the fusion weights on Cranfield and CACM, see fusion.ts).
 */
export const FEEDBACK_PAPERS = 10;
export const FEEDBACK_WEIGHT = 2;
/** Search answers remembered until the index changes (result-cache.ts), and for at most this long. */
export const RESULT_CACHE_SIZE = 2_000;
export const RESULT_CACHE_MS = 60_000;
/** And at most this many hits in all (each holds a paper with its abstract: about 2 kB). */
export const RESULT_CACHE_HITS = 20_000;
/** Words of a paper that make its keyword query for related papers: more add time, not quality (bench/search-quality). */
export const RELATED_TERMS = 30;
/** Candidates each list gives related papers: 50, 100 and 200 rank alike, and fewer are quicker to find. */
const RELATED_POOL = 100;
/** Related papers remembered per paper until the index changes. */
const RELATED_CACHE_SIZE = 20_000;

export async function createSearchService(store: Store, db: Db, opts: SearchServiceOptions = {}): Promise<SearchService> {
  const embedder = opts.embedder ?? new LsaEmbedder();
  const log = opts.log ?? (() => {});
  const fusion = opts.fusion ?? FUSION;
  const sync = await IndexSync.open(store, db, embedder, log);
  const memory = sync.memory;
  const phrases = phraseIndex(db, store.engine);
  const related = new Map<string, string[]>();
  sync.onChange(() => related.clear());
  if (opts.fitIfMissing && !embedder.model() && memory.papers.size >= MIN_LSA_DOCUMENTS) {
    sync.refit().catch((error: unknown) => log('error', `search: the first fit failed: ${String(error)}`));
  }

  const results = new ResultCache<Omit<SearchResult, 'tookMs'>>(RESULT_CACHE_SIZE, RESULT_CACHE_MS, { weigh: (r) => Math.max(1, r.hits.length), budget: RESULT_CACHE_HITS });
  const forget = () => results.clear();
  sync.onChange(forget);
  // Votes and comments change what a hit shows (its counts) without changing the index's text: forget at once too.
  const unsubscribe = store.onPapersChanged(forget);

  async function search(query: SearchQuery): Promise<SearchResult> {
    const started = performance.now();
    await sync.textSettled();
    const result = await results.remember(cacheKey(query), () => compute(query));
    return { ...result, tookMs: Math.round((performance.now() - started) * 100) / 100 };
  }

  /** The answer to a search, ranked afresh (the index settled: `search` waits for it). */
  async function compute(query: SearchQuery): Promise<Omit<SearchResult, 'tookMs'>> {
    const text = typeof query.q === 'string' ? query.q : '';
    const asId = text.length < 200 ? parseArxivId(text.trim()) : undefined;
    if (asId) {
      const paper = await store.getPaper(asId.id);
      if (paper) return { total: 1, hits: [plainHit(paper)], paperId: paper.id };
    }
    const limit = clamp(query.limit ?? DEFAULT_LIMIT, 1, MAX_LIMIT);
    const offset = clamp(query.offset ?? 0, 0, MAX_OFFSET);
    const parsed = expand(parseQuery(text, { prefixLast: true }), memory);
    if (!hasPositive(parsed)) return { total: 0, hits: [], notice: 'Type some words to search for.' };

    const filters = await resolveFilters(query);
    const semanticReady = embedder.model() !== undefined && memory.papers.dimensions > 0;
    let mode = query.mode ?? 'hybrid';
    let notice: string | undefined;
    if (mode !== 'keyword' && !semanticReady) {
      notice = 'Semantic search is not ready yet (no model fitted): these are keyword results.';
      mode = 'keyword';
    }
    const sort = query.sort ?? 'relevance';
    const pool = Math.max(FUSION_POOL, offset + limit);

    let ranked: Scored[];
    let total: number;
    if (mode === 'keyword' && sort === 'date') {
      const slots = memory.bm25.matchingSlots(scoringTerms(parsed), memory.papers.allow(filters));
      ranked = byDate(slots.map((slot) => ({ id: memory.papers.idOf(slot), score: 0 })));
      ranked = await constrain(ranked, parsed, offset + limit);
      total = ranked.length < offset + limit ? ranked.length : slots.length;
    } else {
      const keyword = mode === 'semantic' ? undefined : await keywordHits(parsed, filters, pool);
      const semantic = mode === 'keyword' ? undefined : await semanticHits(parsed, filters, pool, keyword?.hits);
      ranked = keyword && semantic ? fuse(keyword.hits, semantic, fusion, coverage(scoringTerms(parsed))) : (keyword?.hits ?? semantic!);
      total = Math.max(keyword?.total ?? 0, ranked.length);
      ranked = boostExactTitle(text, ranked, filters, sort);
      if (sort === 'date') ranked = byDate(ranked);
    }
    const pageIds = ranked.slice(offset, offset + limit);
    const papers = await store.getPapers(pageIds.map((h) => h.id));
    const set = matchSet(parsed);
    // getPapers leaves out papers hidden since they were ranked: scores go by id, not by position.
    const scores = new Map(pageIds.map((h) => [h.id, h.score]));
    const hits = papers.map((paper) => ({
      paper, score: scores.get(paper.id) ?? 0, titleHtml: highlight(paper.title, set), snippetHtml: snippet(paper.abstract, set),
    }));
    return { total: Math.min(total, TOTAL_CAP), hits, mode, ...(notice ? { notice } : {}) };
  }

  async function keywordHits(parsed: ParsedQuery, filters: Filters, pool: number): Promise<{ hits: Scored[]; total: number }> {
    const constrained = parsed.phrases.length > 0 || parsed.exclude.length > 0;
    const found = memory.bm25.search(scoringTerms(parsed), constrained ? pool * 4 : pool, memory.papers.allow(filters), TOTAL_CAP);
    const hits = found.hits.map(({ slot, score }) => ({ id: memory.papers.idOf(slot), score }));
    if (!constrained) return { hits, total: found.total };
    const kept = await constrain(hits, parsed, Infinity);
    return { hits: kept.slice(0, pool), total: kept.length < hits.length ? kept.length : found.total };
  }

  /**
   * The semantic list: nearest vectors among the filtered papers, then the query's phrases and exclusions. In
   * hybrid mode the query vector is moved towards the best keyword hits first (pseudo-relevance feedback,
   * Rocchio 1971): a short query says little in LSA space, the papers it surely matches say more.
   */
  async function semanticHits(parsed: ParsedQuery, filters: Filters, pool: number, feedback?: Scored[]): Promise<Scored[]> {
    const [embedded] = await embedder.embed([queryText(parsed)], 'query');
    if (!embedded) return [];
    const vector = Float32Array.from(embedded);
    for (const hit of feedback?.slice(0, FEEDBACK_PAPERS) ?? []) {
      const v = memory.papers.vectorOf(hit.id);
      if (v) for (let i = 0; i < vector.length; i++) vector[i]! += (FEEDBACK_WEIGHT / FEEDBACK_PAPERS) * v[i]!;
    }
    if (!vector.some((x) => x !== 0)) return [];
    return constrain(memory.papers.nearest(normalize(vector), pool, filters), parsed, Infinity);
  }

  /** The share of the query's BM25 weight that the semantic model sees: fusion.ts. */
  function coverage(scored: ScoringTerm[]): number {
    const knows = embedder.knows?.bind(embedder);
    if (!knows) return 1;
    return semanticShare(scored.map(({ stem, weight }) => ({ weight: weight * memory.bm25.idf(stem), known: knows(stem) })));
  }

  /** Keeps the hits that have every quoted phrase and no excluded word, checked until `need` are kept. */
  async function constrain(hits: Scored[], parsed: ParsedQuery, need: number): Promise<Scored[]> {
    if (parsed.phrases.length === 0 && parsed.exclude.length === 0) return hits;
    const out: Scored[] = [];
    for (let i = 0; i < hits.length && out.length < need; i += 500) {
      const part = hits.slice(i, i + 500);
      const ids = part.map((h) => h.id);
      const keep = parsed.phrases.length ? await phrases.matching(ids, parsed, 'phrases') : undefined;
      const drop = parsed.exclude.length ? await phrases.matching(ids, parsed, 'exclude') : undefined;
      out.push(...part.filter((h) => (!keep || keep.has(h.id)) && !drop?.has(h.id)));
    }
    return out;
  }

  async function resolveFilters(q: SearchQuery): Promise<Filters> {
    const author = q.author?.trim();
    let only: Set<string> | undefined;
    if (author) {
      const rows = await db.selectFrom('paper_authors').select('paper_id').where('name_key', '=', authorKey(author)).execute();
      only = new Set(rows.map((r) => r.paper_id));
    }
    return { categories: q.categories, excludeCategories: q.excludeCategories, from: q.from, to: q.to, hasCode: q.hasCode, only };
  }

  function byDate(hits: Scored[]): Scored[] {
    return [...hits].sort((a, b) => memory.papers.feedDay(b.id) - memory.papers.feedDay(a.id) || b.score - a.score);
  }

  /** A query that is exactly a paper's title finds that paper first (a known-item search). */
  function boostExactTitle(text: string, hits: Scored[], filters: Filters, sort: string): Scored[] {
    if (sort !== 'relevance' || text.length < 8) return hits;
    const exact = memory.titles.get(titleKey(text))?.filter((id) => memory.papers.passes(id, filters)) ?? [];
    if (exact.length === 0) return hits;
    const top = (hits[0]?.score ?? 0) + 1;
    return [...exact.map((id) => ({ id, score: top })), ...hits.filter((h) => !exact.includes(h.id))];
  }

  /**
   * Papers like this one: its own text as the query. The keyword list searches its most telling words (tf·idf,
   * title words counted twice as in the LSA fit), the semantic list its vector's nearest neighbours; both leave it out.
   */
  async function findRelated(id: string, n: number, mode: SearchMode): Promise<string[]> {
    const paper = await store.getPaper(id);
    if (!paper) return [];
    const vector = mode === 'keyword' ? undefined : memory.papers.vectorOf(id);
    const semantic = vector ? memory.papers.nearest(vector, RELATED_POOL, {}, id) : undefined;
    if (semantic && mode === 'semantic') return semantic.slice(0, n).map((h) => h.id);
    const query = tellingTerms(paper);
    const found = memory.bm25.search(query, RELATED_POOL + 1, memory.papers.allow({}), 0);
    const keyword = found.hits.map(({ slot, score }) => ({ id: memory.papers.idOf(slot), score })).filter((h) => h.id !== id);
    const ranked = semantic ? fuse(keyword, semantic, RELATED_FUSION, coverage(query)) : keyword;
    return ranked.slice(0, n).map((h) => h.id);
  }

  /** A paper's keyword query: its most telling words by tf·idf, title words counted twice as in the LSA fit. */
  function tellingTerms(paper: Paper): ScoringTerm[] {
    const counts = new Map<string, number>();
    for (const t of terms(`${paper.title} ${paper.title} ${paper.abstract}`)) counts.set(t, (counts.get(t) ?? 0) + 1);
    return [...counts]
      .filter(([t]) => memory.bm25.has(t))
      .map(([t, tf]) => ({ stem: t, weight: 1 + Math.log(tf), telling: (1 + Math.log(tf)) * memory.bm25.idf(t) }))
      .sort((a, b) => b.telling - a.telling || (a.stem < b.stem ? -1 : 1))
      .slice(0, RELATED_TERMS)
      .map(({ stem: s, weight }) => ({ stem: s, weight }));
  }

  function scoringTerms(q: ParsedQuery): ScoringTerm[] {
    const weights = new Map<string, number>();
    const add = (w: string, weight: number) => {
      const s = stem(w);
      weights.set(s, Math.max(weights.get(s) ?? 0, weight));
    };
    for (const t of q.terms) {
      if (!(t.prefix && !isKnown(memory, t.word))) add(t.word, 1);
      for (const a of t.alternatives) add(a, ALTERNATIVE_WEIGHT);
    }
    for (const p of q.phrases) for (const w of p) if (!STOP_WORDS.has(w)) add(w, 1);
    return [...weights].map(([s, weight]) => ({ stem: s, weight }));
  }

  return {
    search,
    async related(id, limit = 10, mode = 'hybrid') {
      await sync.textSettled();
      const n = clamp(limit, 1, MAX_LIMIT);
      const key = mode === 'hybrid' ? id : `${mode}:${id}`;
      let ids = related.get(key);
      if (!ids || ids.length < n) {
        ids = await findRelated(id, Math.max(n, 10), mode);
        if (related.size >= RELATED_CACHE_SIZE) related.delete(related.keys().next().value!);
        related.set(key, ids);
      }
      return store.getPapers(ids.slice(0, n));
    },
    async suggest(prefix, limit = 8) {
      const parsed = expand(parseQuery(prefix, { prefixLast: true }), memory);
      if (!hasPositive(parsed)) return [];
      const found = memory.bm25.search(scoringTerms(parsed), clamp(limit, 1, 20), memory.papers.allow({}), 0);
      return (await store.getPapers(found.hits.map((h) => memory.papers.idOf(h.slot)))).map((p) => p.title);
    },
    refit: () => sync.refit(),
    settled: () => sync.settled(),
    close: () => {
      unsubscribe();
      sync.close();
    },
  };
}

/** One key per distinct question: the same words and filters in another order ask the same. */
function cacheKey(q: SearchQuery): string {
  const sorted = (xs: string[] | undefined) => (xs ? [...xs].sort() : []);
  return JSON.stringify([
    typeof q.q === 'string' ? q.q.trim() : '', sorted(q.categories), sorted(q.excludeCategories), q.from ?? '', q.to ?? '',
    q.hasCode ?? null, q.author?.trim() ?? '', q.sort ?? 'relevance', q.mode ?? 'hybrid', q.limit ?? DEFAULT_LIMIT, q.offset ?? 0,
  ]);
}

const isKnown = (m: MemoryIndex, word: string) => m.lexicon.frequency(word) > 0 || m.bm25.has(stem(word));

/**
 * Completions of a word still being typed (from titles and author names), and corrections of words the index
 * does not hold at all (to the nearest title or author words).
 */
function expand(q: ParsedQuery, m: MemoryIndex): ParsedQuery {
  for (const t of q.terms) {
    if (t.prefix && !isKnown(m, t.word)) t.alternatives.push(...m.lexicon.completions(t.word, 3).filter((w) => w !== t.word));
    else if (!t.prefix && t.word.length >= MIN_TYPO_LENGTH) t.alternatives.push(...m.lexicon.corrections(t.word, 2));
  }
  return q;
}

function plainHit(paper: Paper): SearchHit {
  const none = { stems: new Set<string>(), prefixes: [] };
  return { paper, score: 1, titleHtml: highlight(paper.title, none), snippetHtml: snippet(paper.abstract, none) };
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.floor(n))) : lo;
}
