import type { Scored } from './paper-index.js';

/**
 * How the keyword (BM25) and semantic (cosine) lists become one ranking.
 * - `rrf`: reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): Σ weight / (k + rank) over the lists.
 * - `linear`: each list's scores scaled to [0, 1] by its own maximum and minimum, then
 *   keywordWeight · bm25 + semanticWeight · cosine; a paper missing from a list gets 0 from it.
 */
export interface FusionOptions {
  method: 'rrf' | 'linear';
  /** RRF's rank damping: a larger k flattens the difference between the first places. */
  k: number;
  keywordWeight: number;
  semanticWeight: number;
}

/**
 * Tuned on the development collections (bench/search-quality, Cranfield and CACM): LSA alone beats BM25 on
 * Cranfield and is far weaker on CACM (half its records are a title only). The linear blend leaning on BM25 keeps
 * most of Cranfield's gain (+7% nDCG@10) and loses least on CACM (-2.2%); RRF's equal votes lost 25% there.
 */
export const FUSION: FusionOptions = { method: 'linear', k: 60, keywordWeight: 0.7, semanticWeight: 0.3 };

/**
 * Related papers (a whole paper as the query, related.ts): its vector says more than its words, which BM25 matches
 * one by one. Measured as the share of a judged paper's 10 related papers judged relevant to the same request
 * (bench/search-quality): LSA neighbours alone 0.267 on CACM and 0.248 on Cranfield; this blend 0.286 and 0.249.
 */
export const RELATED_FUSION: FusionOptions = { method: 'linear', k: 60, keywordWeight: 0.3, semanticWeight: 0.7 };

/** A query term as BM25 scored it, and whether the semantic model's vocabulary holds it. */
export interface CoveredTerm {
  /** BM25's idf of the term times the term's weight in the query. */
  weight: number;
  known: boolean;
}

/**
 * The share of a query's BM25 weight that the semantic model can see: Σ idf of the terms its vocabulary holds over
 * Σ idf of all the terms BM25 scored. LSA embeds only the words it was fitted on (title and abstract words of at
 * least two papers); an author's name, a rare acronym or a word of a single paper is invisible to it, and a query
 * made of such words gets a semantic list that answers another question. The semantic list's weight in `fuse` is
 * scaled by this share, so that the list counts in proportion to how much of the query it was given. 1 for a
 * query without scored terms and for embedders with an open vocabulary.
 *
 * Measured (bench/search-quality, SQLite): CACM, whose requests name authors and systems (TSS, SETL, EL1), goes
 * from -2.2% to about +0% nDCG@10 over BM25; Cranfield, whose words LSA nearly all knows (96% of the idf mass on
 * average), from +7.1% to +6.8%.
 */
export function semanticShare(terms: readonly CoveredTerm[]): number {
  let all = 0;
  let known = 0;
  for (const t of terms) {
    all += t.weight;
    if (t.known) known += t.weight;
  }
  return all > 0 ? known / all : 1;
}

/** `share`, the query's `semanticShare`, scales the semantic list's weight; 1 leaves it as configured. */
export function fuse(keyword: Scored[], semantic: Scored[], o: FusionOptions = FUSION, share = 1): Scored[] {
  const scores = new Map<string, number>();
  const add = (list: Scored[], weight: number) => {
    // A list given no weight adds nothing, not even its papers: they would trail at 0, in no meaningful order.
    if (list.length === 0 || weight <= 0) return;
    if (o.method === 'rrf') {
      for (const [rank, hit] of list.entries())
        scores.set(hit.id, (scores.get(hit.id) ?? 0) + weight / (o.k + rank + 1));
      return;
    }
    const max = list[0]!.score;
    const min = list[list.length - 1]!.score;
    const range = max - min || 1;
    for (const hit of list) scores.set(hit.id, (scores.get(hit.id) ?? 0) + (weight * (hit.score - min)) / range);
  };
  add(keyword, o.keywordWeight);
  add(semantic, o.semanticWeight * share);
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}
