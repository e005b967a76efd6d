import { titleKey } from '../model/record.js';
import type { ScoringTerm } from './bm25.js';
import type { Embedder } from './embedder.js';
import { type FusionOptions, fuse, semanticShare } from './fusion.js';
import type { MemoryIndex } from './index-store.js';
import { normalize } from './lsa.js';
import type { Filters, Scored } from './paper-index.js';
import { constrain, type PhraseCheck } from './phrase-check.js';
import { type ParsedQuery, queryText } from './query.js';
import { scoringTerms } from './query-plan.js';
import { type SearchMode, type SearchQuery, TOTAL_CAP } from './types.js';

/** Candidates each list contributes to hybrid fusion. */
export const FUSION_POOL = 200;
/**
 * Hybrid: the best keyword hits whose vectors join the query's, and how much they weigh together against it
 * (tuned with the fusion weights on Cranfield and CACM, see fusion.ts).
 */
export const FEEDBACK_PAPERS = 10;
export const FEEDBACK_WEIGHT = 2;

/** What ranking reads: the in-memory index, the embedder for the query's vector, the phrase check, the fusion. */
export interface Ranker {
  memory: MemoryIndex;
  embedder: Embedder;
  phrases: PhraseCheck;
  fusion: FusionOptions;
}

export interface RankRequest {
  text: string;
  parsed: ParsedQuery;
  filters: Filters;
  mode: SearchMode;
  sort: NonNullable<SearchQuery['sort']>;
  offset: number;
  limit: number;
}

export interface Ranked {
  /** Best first, at least `offset + limit` when there are that many. */
  ranked: Scored[];
  total: number;
  /** The mode used: semantic and hybrid fall back to keyword while no model is fitted. */
  mode: SearchMode;
  notice?: string;
}

/** Papers for a planned query: keyword (BM25), semantic or both fused, then the exact-title boost and the sort. */
export async function rank(r: Ranker, q: RankRequest): Promise<Ranked> {
  const { memory } = r;
  const semanticReady = r.embedder.model() !== undefined && memory.papers.dimensions > 0;
  let mode = q.mode;
  let notice: string | undefined;
  if (mode !== 'keyword' && !semanticReady) {
    notice = 'Semantic search is not ready yet (no model fitted): these are keyword results.';
    mode = 'keyword';
  }
  const pool = Math.max(FUSION_POOL, q.offset + q.limit);

  let ranked: Scored[];
  let total: number;
  if (mode === 'keyword' && q.sort === 'date') {
    const slots = memory.bm25.matchingSlots(scoringTerms(q.parsed, memory), memory.papers.allow(q.filters));
    ranked = byDate(
      memory,
      slots.map((slot) => ({ id: memory.papers.idOf(slot), score: 0 })),
    );
    ranked = await constrain(r.phrases, ranked, q.parsed, q.offset + q.limit);
    total = ranked.length < q.offset + q.limit ? ranked.length : slots.length;
  } else {
    const keyword = mode === 'semantic' ? undefined : await keywordHits(r, q.parsed, q.filters, pool);
    const semantic = mode === 'keyword' ? undefined : await semanticHits(r, q.parsed, q.filters, pool, keyword?.hits);
    ranked =
      keyword && semantic
        ? fuse(keyword.hits, semantic, r.fusion, coverage(r, scoringTerms(q.parsed, memory)))
        : (keyword?.hits ?? semantic!);
    total = Math.max(keyword?.total ?? 0, ranked.length);
    ranked = boostExactTitle(memory, q.text, ranked, q.filters, q.sort);
    if (q.sort === 'date') ranked = byDate(memory, ranked);
  }
  return { ranked, total, mode, ...(notice ? { notice } : {}) };
}

async function keywordHits(
  r: Ranker,
  parsed: ParsedQuery,
  filters: Filters,
  pool: number,
): Promise<{ hits: Scored[]; total: number }> {
  const { memory } = r;
  const constrained = parsed.phrases.length > 0 || parsed.exclude.length > 0;
  const found = memory.bm25.search(
    scoringTerms(parsed, memory),
    constrained ? pool * 4 : pool,
    memory.papers.allow(filters),
    // One more than the cap: exactly TOTAL_CAP matches are counted as such, more are "1000+".
    TOTAL_CAP + 1,
  );
  const hits = found.hits.map(({ slot, score }) => ({ id: memory.papers.idOf(slot), score }));
  if (!constrained) return { hits, total: found.total };
  const kept = await constrain(r.phrases, hits, parsed, Infinity);
  return { hits: kept.slice(0, pool), total: kept.length < hits.length ? kept.length : found.total };
}

/**
 * The semantic list: nearest vectors among the filtered papers, then the query's phrases and exclusions. In
 * hybrid mode the query vector is moved towards the best keyword hits first (pseudo-relevance feedback,
 * Rocchio 1971): a short query says little in LSA space, the papers it surely matches say more.
 */
async function semanticHits(
  r: Ranker,
  parsed: ParsedQuery,
  filters: Filters,
  pool: number,
  feedback?: Scored[],
): Promise<Scored[]> {
  const [embedded] = await r.embedder.embed([queryText(parsed)], 'query');
  if (!embedded) return [];
  const vector = Float32Array.from(embedded);
  for (const hit of feedback?.slice(0, FEEDBACK_PAPERS) ?? []) {
    const v = r.memory.papers.vectorOf(hit.id);
    if (v) for (let i = 0; i < vector.length; i++) vector[i]! += (FEEDBACK_WEIGHT / FEEDBACK_PAPERS) * v[i]!;
  }
  if (!vector.some((x) => x !== 0)) return [];
  return constrain(r.phrases, r.memory.papers.nearest(normalize(vector), pool, filters), parsed, Infinity);
}

/** The share of the query's BM25 weight that the semantic model sees: fusion.ts. */
export function coverage(r: Pick<Ranker, 'memory' | 'embedder'>, scored: ScoringTerm[]): number {
  const knows = r.embedder.knows?.bind(r.embedder);
  if (!knows) return 1;
  return semanticShare(
    scored.map(({ stem, weight }) => ({ weight: weight * r.memory.bm25.idf(stem), known: knows(stem) })),
  );
}

function byDate(m: MemoryIndex, hits: Scored[]): Scored[] {
  return [...hits].sort((a, b) => m.papers.feedDay(b.id) - m.papers.feedDay(a.id) || b.score - a.score);
}

/** A query that is exactly a paper's title finds that paper first (a known-item search). */
function boostExactTitle(m: MemoryIndex, text: string, hits: Scored[], filters: Filters, sort: string): Scored[] {
  if (sort !== 'relevance' || text.length < 8) return hits;
  const exact = m.titles.get(titleKey(text))?.filter((id) => m.papers.passes(id, filters)) ?? [];
  if (exact.length === 0) return hits;
  const top = (hits[0]?.score ?? 0) + 1;
  return [...exact.map((id) => ({ id, score: top })), ...hits.filter((h) => !exact.includes(h.id))];
}
