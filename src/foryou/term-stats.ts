import { TERM_SPACE, type TermCounts } from './paper-terms.js';

/**
 * In how many papers each term (paper-terms.ts) occurs, over every paper the store shows: the idf of tf-idf.
 * A paper is counted once, when first seen; a paper whose text changes later (a new arXiv version) keeps its first
 * count, a drift of one in frequencies of thousands.
 */
export class TermStats {
  private readonly df: Uint32Array;
  private readonly counted: Set<string>;

  constructor(state?: { df: Uint32Array; ids: readonly string[] }) {
    if (state && state.df.length !== TERM_SPACE)
      throw new Error(`term counts of ${state.df.length} buckets, this Paperboy counts ${TERM_SPACE}`);
    this.df = state?.df ?? new Uint32Array(TERM_SPACE);
    this.counted = new Set(state?.ids);
  }

  /** The counts and the papers counted, to save (term-stats-file.ts); the constructor takes them back. */
  state(): { df: Uint32Array; ids: string[] } {
    return { df: this.df.slice(), ids: [...this.counted] };
  }

  get papers(): number {
    return this.counted.size;
  }

  has(id: string): boolean {
    return this.counted.has(id);
  }

  add(id: string, terms: TermCounts): void {
    if (this.counted.has(id)) return;
    this.counted.add(id);
    for (const h of terms.counts.keys()) this.df[h]!++;
  }

  frequency(term: number): number {
    return this.df[term]!;
  }

  /**
   * The smoothed idf, ln((N + 1) / (df + 1)) + 1 (scikit-learn's, as arxiv-sanity-lite weighs), or 0 for a term
   * that cannot relate two papers: in fewer than `MIN_DF` of them (a typo, a one-off phrase) or in more than
   * `MAX_DF_SHARE` of them, once there are `MAX_DF_FROM` (the field's common words: "model", "propose", "result").
   */
  idf(term: number): number {
    const df = this.df[term]!;
    const n = this.counted.size;
    if (df < MIN_DF || (n >= MAX_DF_FROM && df > MAX_DF_SHARE * n)) return 0;
    return Math.log((n + 1) / (df + 1)) + 1;
  }
}

/** A term of one paper only relates it to nothing else (and the likes themselves count in it). */
export const MIN_DF = 2;
/** arxiv-sanity-lite's max_df: words in over a tenth of the papers say little about which of a day's papers fits. */
export const MAX_DF_SHARE = 0.1;
/** A store of a few hundred papers has topics in a tenth of them: the cut waits until it holds this many. */
export const MAX_DF_FROM = 2000;
