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
  /**
   * The words as written of each term (for reasons), in term order, one after another: term i's are
   * `words.slice(wordEnds[i - 1] ?? 0, wordEnds[i])`. One string and an array instead of a map of a few hundred
   * strings, a tenth of the memory: "For you" keeps tens of thousands of these.
   */
  words: string;
  wordEnds: Uint32Array;
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
  const wordEnds = new Uint32Array(entries.length);
  const words: string[] = [];
  let end = 0;
  entries.forEach(([t, w], i) => {
    terms[i] = t;
    weights[i] = w / norm;
    const shown = counted.surface.get(t) ?? '';
    words.push(shown);
    wordEnds[i] = end += shown.length;
  });
  // One flat string of its own (join copies): the pieces point into the paper's text, which is let go.
  return { id, terms, weights, words: words.join(''), wordEnds, categories };
}

/** The words as written of `term` in the paper, '' when it has none. */
export function wordsOf(v: PaperVector, term: number): string {
  let lo = 0;
  let hi = v.terms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v.terms[mid]! < term) lo = mid + 1;
    else hi = mid;
  }
  if (v.terms[lo] !== term) return '';
  return v.words.slice(lo === 0 ? 0 : v.wordEnds[lo - 1]!, v.wordEnds[lo]!);
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
