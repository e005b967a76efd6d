import { TopK } from './paper-index.js';
import { terms } from './tokenize.js';

/**
 * BM25F ranking constants (Robertson & Zaragoza 2009), the same on both engines.
 * A word in the title says more about a paper than the same word in its abstract: the title is the authors' own
 * ten-word summary. A matching author name is as decisive, in a short field.
 */
export const FIELD_WEIGHTS = { title: 4, authors: 3, abstract: 1 } as const;
/** Term-frequency saturation: the third occurrence of a word adds little over the second. */
export const K1 = 1.2;
/** Length normalization: a long abstract matches more words by chance. */
export const B = 0.75;
/** A typo correction or completion counts a little less than the word as typed. */
export const ALTERNATIVE_WEIGHT = 0.7;

export interface FieldTexts {
  title: string;
  authors: string;
  abstract: string;
}

const FIELDS = ['title', 'authors', 'abstract'] as const;
const WEIGHTS = FIELDS.map((f) => FIELD_WEIGHTS[f]);
/** A posting packs the three fields' term counts in one 32-bit word: 10 bits each (counts saturate at 1023). */
const TF_BITS = 10;
const TF_MAX = (1 << TF_BITS) - 1;

/** Terms to score, each a set of stems (the word, its corrections) with a weight. */
export interface ScoringTerm {
  stem: string;
  weight: number;
}

/**
 * An in-memory inverted index of stemmed words with per-field counts, scored BM25F term at a time. Papers are
 * numbered by slot (PaperIndex's); removed slots are skipped through `alive`. The bulk of the postings is one
 * compact array built at load; papers added later go to small per-term lists until the next `compact`.
 */
/** Everything a built index holds, in flat arrays (snapshot.ts saves it to a file and reads it back). */
export interface Bm25State {
  terms: string[];
  offsets: Int32Array<ArrayBuffer>;
  docs: Int32Array<ArrayBuffer>;
  impacts: Float32Array<ArrayBuffer>;
  maxImpacts: Float32Array<ArrayBuffer>;
  lengths: Uint16Array<ArrayBuffer>;
  totals: number[];
  documents: number;
  ordered: boolean;
}

export class Bm25Index {
  private readonly termIds = new Map<string, number>();
  private offsets = new Int32Array(1);
  private docs = new Int32Array(0);
  /** Per posting, the term's BM25F saturation in that paper, tf̃(K1 + 1) / (tf̃ + K1): a query only multiplies by idf. */
  private impacts = new Float32Array(0);
  /** Per term, its largest impact in the compact arrays: the most one posting of it can add (MaxScore's bound). */
  private maxImpacts = new Float32Array(0);
  private delta = new Map<number, { docs: number[]; impacts: number[]; max: number }>();
  /** Whether every term's postings (compact, then per-term list) are in increasing slot order, as MaxScore needs. */
  private ordered = true;
  private deltaPostings = 0;
  private lengths = new Uint16Array(0);
  private readonly totals = [0, 0, 0];
  private documents = 0;
  private acc = new Float32Array(0);

  /** The index as flat arrays, the papers added since the build folded in first. */
  state(): Bm25State {
    if (this.deltaPostings > 0) this.compact();
    return {
      terms: [...this.termIds.keys()],
      offsets: this.offsets,
      docs: this.docs,
      impacts: this.impacts,
      maxImpacts: this.maxImpacts,
      lengths: this.lengths.slice(),
      totals: [...this.totals],
      documents: this.documents,
      ordered: this.ordered,
    };
  }

  static fromState(state: Bm25State): Bm25Index {
    const index = new Bm25Index();
    for (const term of state.terms) index.termId(term);
    if (state.offsets.length !== state.terms.length + 1 || state.docs.length !== state.impacts.length)
      throw new Error('the keyword index arrays do not fit together');
    index.offsets = state.offsets;
    index.docs = state.docs;
    index.impacts = state.impacts;
    index.maxImpacts = state.maxImpacts;
    index.lengths = state.lengths;
    state.totals.forEach((t, i) => {
      index.totals[i] = t;
    });
    index.documents = state.documents;
    index.ordered = state.ordered;
    return index;
  }

  /** Loads many papers at once (the start of the service): far more compact than adding them one by one. */
  build(items: Iterable<{ slot: number; fields: FieldTexts }>): void {
    const builder = this.builder();
    builder.add(items);
    builder.finish();
  }

  /** `build` in parts, so that a caller can let other work run between them (a server answering meanwhile). */
  builder(): { add(items: Iterable<{ slot: number; fields: FieldTexts }>): void; finish(): void } {
    const postTerm: number[] = [];
    const postDoc: number[] = [];
    const postTf: number[] = [];
    return {
      add: (items) => {
        for (const { slot, fields } of items) {
          for (const [term, tf] of this.countFields(slot, fields)) {
            postTerm.push(this.termId(term));
            postDoc.push(slot);
            postTf.push(tf);
          }
        }
      },
      finish: () => {
        const impacts = new Float32Array(postTf.length);
        for (let i = 0; i < postTf.length; i++) impacts[i] = this.impact(postDoc[i]!, postTf[i]!);
        this.rebuild(Int32Array.from(postTerm), Int32Array.from(postDoc), impacts);
      },
    };
  }

  /** The saturated, length-normalized, field-weighted frequency of a term in a paper (packed field counts). */
  private impact(slot: number, packed: number): number {
    const n = Math.max(this.documents, 1);
    let tf = 0;
    for (let f = 0; f < 3; f++) {
      const c = (packed >>> (f * TF_BITS)) & TF_MAX;
      if (c) tf += (WEIGHTS[f]! * c) / (1 - B + (B * this.lengths[slot * 3 + f]!) / (this.totals[f]! / n || 1));
    }
    return (tf * (K1 + 1)) / (tf + K1);
  }

  add(slot: number, fields: FieldTexts): void {
    for (const [term, tf] of this.countFields(slot, fields)) {
      const id = this.termId(term);
      let list = this.delta.get(id);
      if (!list) this.delta.set(id, (list = { docs: [], impacts: [], max: 0 }));
      const last = list.docs.length
        ? list.docs[list.docs.length - 1]!
        : id + 1 < this.offsets.length && this.offsets[id + 1]! > this.offsets[id]!
          ? this.docs[this.offsets[id + 1]! - 1]!
          : -1;
      if (slot <= last) this.ordered = false;
      const impact = this.impact(slot, tf);
      list.docs.push(slot);
      list.impacts.push(impact);
      list.max = Math.max(list.max, impact);
      this.deltaPostings++;
    }
    if (this.deltaPostings > Math.max(200_000, this.docs.length / 4)) this.compact();
  }

  /** A removed paper's counts leave the averages; its postings stay until the next build (they are skipped). */
  remove(slot: number): void {
    if (slot * 3 + 2 >= this.lengths.length) return;
    for (let f = 0; f < 3; f++) this.totals[f]! -= this.lengths[slot * 3 + f]!;
    this.lengths.fill(0, slot * 3, slot * 3 + 3);
    this.documents--;
  }

  has(stem: string): boolean {
    return this.termIds.has(stem);
  }

  /** Documents containing the stem (removed ones included until the next build). */
  frequency(stem: string): number {
    const id = this.termIds.get(stem);
    if (id === undefined) return 0;
    return (
      (id + 1 < this.offsets.length ? this.offsets[id + 1]! - this.offsets[id]! : 0) +
      (this.delta.get(id)?.docs.length ?? 0)
    );
  }

  /** BM25's idf of a stem (the Lucene form, never negative); 0 for a stem no paper has. */
  idf(stem: string): number {
    const df = this.frequency(stem);
    if (df === 0) return 0;
    const n = Math.max(this.documents, 1);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * The best `k` papers that have any of the terms and that `allow` accepts, with the number of accepted matches,
   * counted exactly below `countUpTo` (at or above it, `total` is some number at least `countUpTo`).
   *
   * When the terms' longest list alone has `countUpTo` accepted papers, the count cannot change what a caller
   * shows, and the papers are scored document at a time with MaxScore pruning (Turtle & Flood 1995): lists are
   * taken in order of the most each can add; once the k-th best score so far exceeds what the weakest lists could
   * add together, a paper found only in those cannot enter the top k, so they are no longer walked but only probed
   * for the papers the stronger lists find. The top k are the same as scoring every posting (up to rounding).
   */
  search(
    query: ScoringTerm[],
    k: number,
    allow: (slot: number) => boolean,
    countUpTo = Infinity,
  ): { hits: { slot: number; score: number }[]; total: number } {
    const lists = this.cursors(query);
    if (this.ordered && lists.length > 0 && lists.length <= MAX_SCORE_TERMS && lists.every((c) => c.idf > 0)) {
      const longest = lists.reduce((a, b) => (b.length > a.length ? b : a));
      const seen = longest.countAllowed(allow, countUpTo);
      if (seen >= countUpTo) return { hits: maxScore(lists, Math.max(1, k), allow), total: seen };
    }
    return this.exhaustive(query, k, allow);
  }

  /** A cursor per term found in the index, with its idf and the most one of its postings adds. */
  private cursors(query: ScoringTerm[]): Cursor[] {
    const out: Cursor[] = [];
    for (const { stem, weight } of query) {
      const id = this.termIds.get(stem);
      if (id === undefined) continue;
      const idf = weight * this.idf(stem);
      const compact = id + 1 < this.offsets.length;
      const d = this.delta.get(id);
      const max = Math.max(compact ? this.maxImpacts[id]! : 0, d?.max ?? 0);
      out.push(
        new Cursor(
          this.docs,
          this.impacts,
          compact ? this.offsets[id]! : 0,
          compact ? this.offsets[id + 1]! : 0,
          d?.docs,
          d?.impacts,
          idf,
          idf * max,
        ),
      );
    }
    return out;
  }

  /** Scores every posting of the terms (term at a time, in an accumulator per paper), counting every match. */
  private exhaustive(
    query: ScoringTerm[],
    k: number,
    allow: (slot: number) => boolean,
  ): { hits: { slot: number; score: number }[]; total: number } {
    if (this.acc.length < this.lengths.length / 3) this.acc = new Float32Array(Math.ceil(this.lengths.length / 3));
    const acc = this.acc;
    const touched: number[] = [];
    const { docs, impacts } = this;
    for (const { stem, weight } of query) {
      const id = this.termIds.get(stem);
      if (id === undefined) continue;
      const idf = weight * this.idf(stem);
      if (id + 1 < this.offsets.length) {
        for (let p = this.offsets[id]!, end = this.offsets[id + 1]!; p < end; p++) {
          const slot = docs[p]!;
          if (acc[slot] === 0) touched.push(slot);
          acc[slot]! += idf * impacts[p]!;
        }
      }
      const d = this.delta.get(id);
      if (d) {
        for (let i = 0; i < d.docs.length; i++) {
          const slot = d.docs[i]!;
          if (acc[slot] === 0) touched.push(slot);
          acc[slot]! += idf * d.impacts[i]!;
        }
      }
    }
    const top = new TopK(Math.max(1, k));
    let total = 0;
    for (const slot of touched) {
      const score = acc[slot]!;
      acc[slot] = 0;
      if (score > 0 && allow(slot)) {
        total++;
        top.push(slot, score);
      }
    }
    return { hits: top.sorted(), total };
  }

  /** Every slot matching any of the terms that `allow` accepts (for sorting all matches by date). */
  matchingSlots(query: ScoringTerm[], allow: (slot: number) => boolean): number[] {
    const out = new Set<number>();
    for (const { stem } of query) {
      const id = this.termIds.get(stem);
      if (id === undefined) continue;
      if (id + 1 < this.offsets.length)
        for (let p = this.offsets[id]!; p < this.offsets[id + 1]!; p++) out.add(this.docs[p]!);
      for (const slot of this.delta.get(id)?.docs ?? []) out.add(slot);
    }
    return [...out].filter(allow);
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) this.termIds.set(term, (id = this.termIds.size));
    return id;
  }

  private countFields(slot: number, fields: FieldTexts): Map<string, number> {
    if ((slot + 1) * 3 > this.lengths.length) {
      const grown = new Uint16Array(Math.max((slot + 1) * 3, this.lengths.length * 2));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    const counts = new Map<string, number>();
    FIELDS.forEach((f, i) => {
      const ts = terms(fields[f]);
      const len = Math.min(ts.length, 65_535);
      this.lengths[slot * 3 + i] = len;
      this.totals[i]! += len;
      for (const t of ts) {
        const packed = counts.get(t) ?? 0;
        if (((packed >>> (i * TF_BITS)) & TF_MAX) < TF_MAX) counts.set(t, packed + (1 << (i * TF_BITS)));
      }
    });
    this.documents++;
    return counts;
  }

  /** Folds the per-term lists of papers added since the build into the compact arrays. */
  compact(): void {
    const n = this.docs.length + this.deltaPostings;
    const term = new Int32Array(n);
    const doc = new Int32Array(n);
    const tf = new Float32Array(n);
    let at = 0;
    for (let id = 0; id + 1 < this.offsets.length; id++) {
      for (let p = this.offsets[id]!; p < this.offsets[id + 1]!; p++, at++) {
        term[at] = id;
        doc[at] = this.docs[p]!;
        tf[at] = this.impacts[p]!;
      }
    }
    for (const [id, list] of this.delta) {
      for (let i = 0; i < list.docs.length; i++, at++) {
        term[at] = id;
        doc[at] = list.docs[i]!;
        tf[at] = list.impacts[i]!;
      }
    }
    this.rebuild(term, doc, tf);
  }

  /** Postings grouped by term (a counting sort), replacing the compact arrays and emptying the per-term lists. */
  private rebuild(term: Int32Array, doc: Int32Array, tf: Float32Array): void {
    const terms = this.termIds.size;
    const offsets = new Int32Array(terms + 1);
    for (let i = 0; i < term.length; i++) offsets[term[i]! + 1]!++;
    for (let t = 0; t < terms; t++) offsets[t + 1]! += offsets[t]!;
    const fill = offsets.slice(0, terms);
    const docs = new Int32Array(term.length);
    const impacts = new Float32Array(term.length);
    for (let i = 0; i < term.length; i++) {
      const p = fill[term[i]!]!++;
      docs[p] = doc[i]!;
      impacts[p] = tf[i]!;
    }
    const maxImpacts = new Float32Array(terms);
    let ordered = true;
    for (let t = 0; t < terms; t++) {
      let max = 0;
      for (let p = offsets[t]!; p < offsets[t + 1]!; p++) {
        if (impacts[p]! > max) max = impacts[p]!;
        if (p > offsets[t]! && docs[p]! <= docs[p - 1]!) ordered = false;
      }
      maxImpacts[t] = max;
    }
    this.offsets = offsets;
    this.docs = docs;
    this.impacts = impacts;
    this.maxImpacts = maxImpacts;
    this.ordered = ordered;
    this.delta = new Map();
    this.deltaPostings = 0;
  }
}

/** Queries of more terms than this (a pasted abstract) are scored exhaustively: picking the next paper among many lists costs more than it saves. */
const MAX_SCORE_TERMS = 16;
/** Past every slot. */
const END = 2 ** 31 - 1;

/** One term's postings in slot order: the compact range, then the list of papers added since. */
class Cursor {
  /** Position among the term's postings (compact ones first). */
  private i = 0;
  readonly length: number;
  private readonly inCompact: number;
  /** The slot under the cursor, END when past the last. */
  doc: number;

  constructor(
    private readonly docs: Int32Array,
    private readonly impacts: Float32Array,
    private readonly from: number,
    to: number,
    private readonly extraDocs: number[] | undefined,
    private readonly extraImpacts: number[] | undefined,
    readonly idf: number,
    /** The most one posting adds to a score: idf times the term's largest impact. */
    readonly bound: number,
  ) {
    this.inCompact = to - from;
    this.length = this.inCompact + (extraDocs?.length ?? 0);
    this.doc = this.docAt(0);
  }

  private docAt(i: number): number {
    if (i < this.inCompact) return this.docs[this.from + i]!;
    return i < this.length ? this.extraDocs![i - this.inCompact]! : END;
  }

  /** What the posting under the cursor adds to its paper's score. */
  score(): number {
    const i = this.i;
    return this.idf * (i < this.inCompact ? this.impacts[this.from + i]! : this.extraImpacts![i - this.inCompact]!);
  }

  next(): void {
    this.doc = this.docAt(++this.i);
  }

  /** Moves to the first posting at or after `slot` (galloping, then binary search). */
  advance(slot: number): void {
    if (this.doc >= slot) return;
    let lo = this.i;
    let step = 1;
    let hi = lo + step;
    while (hi < this.length && this.docAt(hi) < slot) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > this.length) hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.docAt(mid) < slot) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo;
    this.doc = this.docAt(lo);
  }

  /** Accepted papers among the postings, counted up to `max`. */
  countAllowed(allow: (slot: number) => boolean, max: number): number {
    let n = 0;
    for (let i = 0; i < this.length && n < max; i++) if (allow(this.docAt(i))) n++;
    return n;
  }
}

/** The best `k` accepted papers over the cursors, document at a time with MaxScore pruning (see Bm25Index.search). */
function maxScore(cursors: Cursor[], k: number, allow: (slot: number) => boolean): { slot: number; score: number }[] {
  const lists = [...cursors].sort((a, b) => a.bound - b.bound);
  const m = lists.length;
  // below[i]: the most lists 0..i-1 add together, a hair over so that rounding never prunes a paper that ties.
  const below = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) below[i + 1] = below[i]! + lists[i]!.bound * (1 + 1e-9);
  const top = new TopK(k);
  let threshold = 0;
  // Lists before `essential` are only probed: papers found in none of the others cannot beat the threshold.
  let essential = 0;
  for (;;) {
    let slot = END;
    for (let i = essential; i < m; i++) if (lists[i]!.doc < slot) slot = lists[i]!.doc;
    if (slot === END) break;
    let score = 0;
    for (let i = essential; i < m; i++) {
      const c = lists[i]!;
      if (c.doc === slot) {
        score += c.score();
        c.next();
      }
    }
    if (!allow(slot)) continue;
    for (let i = essential - 1; i >= 0 && score + below[i + 1]! > threshold; i--) {
      const c = lists[i]!;
      c.advance(slot);
      if (c.doc === slot) score += c.score();
    }
    if (score <= threshold) continue;
    top.push(slot, score);
    if (top.full) {
      threshold = top.min;
      while (essential < m && below[essential + 1]! <= threshold) essential++;
    }
  }
  return top.sorted();
}
