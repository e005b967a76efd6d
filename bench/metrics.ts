/**
 * Retrieval metrics with trec_eval's definitions: a run is a ranked list of document ids per query, judgments
 * map a document id to a graded relevance (> 0 relevant). Queries without any relevant document are skipped by
 * the caller, as trec_eval does.
 */
export type Judgments = ReadonlyMap<string, number>;

/** nDCG@k (trec_eval ndcg_cut): gain = the relevance grade, discount log2(rank + 1), ideal from the judgments. */
export function ndcgAt(ranked: readonly string[], judged: Judgments, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    const g = judged.get(id) ?? 0;
    if (g > 0) dcg += g / Math.log2(i + 2);
  });
  const ideal = [...judged.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idcg = ideal.reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Average precision over the whole ranking (trec_eval map): relevant documents never retrieved count as 0. */
export function averagePrecision(ranked: readonly string[], judged: Judgments): number {
  const relevant = [...judged.values()].filter((g) => g > 0).length;
  if (relevant === 0) return 0;
  let found = 0;
  let sum = 0;
  ranked.forEach((id, i) => {
    if ((judged.get(id) ?? 0) > 0) {
      found++;
      sum += found / (i + 1);
    }
  });
  return sum / relevant;
}

/** Recall@k: the share of the relevant documents in the first k. */
export function recallAt(ranked: readonly string[], judged: Judgments, k: number): number {
  const relevant = [...judged.values()].filter((g) => g > 0).length;
  if (relevant === 0) return 0;
  return ranked.slice(0, k).filter((id) => (judged.get(id) ?? 0) > 0).length / relevant;
}

export interface Summary {
  ndcg10: number;
  map: number;
  recall100: number;
  queries: number;
}

/** Mean of each metric over the queries that have relevant documents. */
export function evaluate(runs: ReadonlyMap<string, readonly string[]>, qrels: ReadonlyMap<string, Judgments>): Summary {
  let ndcg = 0;
  let ap = 0;
  let recall = 0;
  let n = 0;
  for (const [query, judged] of qrels) {
    if (![...judged.values()].some((g) => g > 0)) continue;
    const ranked = runs.get(query) ?? [];
    ndcg += ndcgAt(ranked, judged, 10);
    ap += averagePrecision(ranked, judged);
    recall += recallAt(ranked, judged, 100);
    n++;
  }
  return { ndcg10: n ? ndcg / n : 0, map: n ? ap / n : 0, recall100: n ? recall / n : 0, queries: n };
}
