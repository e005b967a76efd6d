import type { TermCounts } from './paper-terms.js';
import type { TermStats } from './term-stats.js';

/**
 * A paper's tf-idf vector: sublinear term frequency (1 + ln tf) times idf, unit length, over the terms that can
 * relate papers (TermStats.idf > 0). Terms in increasing order, so that two vectors meet in one merge.
 */
export interface PaperVector {
  id: string;
  terms: Int32Array;
  weights: Float32Array;
  /** Words as written, per term (for reasons). */
  surface: Map<number, string>;
  categories: string[];
}

export function paperVector(id: string, counted: TermCounts, stats: TermStats, categories: string[]): PaperVector {
  const entries: [number, number][] = [];
  let norm = 0;
  for (const [term, tf] of counted.counts) {
    const idf = stats.idf(term);
    if (idf === 0) continue;
    const w = (1 + Math.log(tf)) * idf;
    entries.push([term, w]);
    norm += w * w;
  }
  entries.sort((a, b) => a[0] - b[0]);
  norm = Math.sqrt(norm) || 1;
  const terms = new Int32Array(entries.length);
  const weights = new Float32Array(entries.length);
  entries.forEach(([t, w], i) => {
    terms[i] = t;
    weights[i] = w / norm;
  });
  return { id, terms, weights, surface: counted.surface, categories };
}

/** The cosine of two unit vectors. */
export function cosine(a: PaperVector, b: PaperVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.terms.length && j < b.terms.length) {
    const x = a.terms[i]!;
    const y = b.terms[j]!;
    if (x === y) s += a.weights[i++]! * b.weights[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}
