import type { PaperVector } from './paper-vector.js';

/** A paper a reader liked (upvoted or saved) or marked "not interested", with the weight it carries. */
export interface ProfilePaper {
  vector: PaperVector;
  title: string;
  weight: number;
}

/**
 * What a reader's signals say, ready to score a day's papers against: the liked papers' vectors, their centroid and
 * an inverted index of their terms (term → which likes have it, how much), so that a candidate meets every like in
 * one pass over its own terms; the categories of the likes; the "not interested" papers.
 *
 * The terms of the likes are numbered (slots) in an open-addressing table of typed arrays: scoring a day looks up every
 * term of every candidate (some 60,000 lookups for 300 papers), most of them absent, which a Map made the costliest
 * step of a ranking.
 */
export class Profile {
  readonly likes: ProfilePaper[];
  readonly dislikes: ProfilePaper[];
  /** Category → the weighted share of the likes listed in it. */
  readonly categories = new Map<string, number>();
  /** Slot → Σ weight · vector over the likes, over Σ weight (the centroid's weight of the slot's term). */
  readonly centroid: Float64Array;
  /** Slot s's postings are postLike/postWeight[postStart[s] .. postStart[s + 1]): which like, its term's weight. */
  readonly postStart: Int32Array;
  readonly postLike: Int32Array;
  readonly postWeight: Float64Array;
  /** Table position → term (-1: empty), and → its slot. */
  private readonly keys: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly shift: number;

  constructor(likes: ProfilePaper[], dislikes: ProfilePaper[]) {
    this.likes = likes;
    this.dislikes = dislikes;
    let postings = 0;
    for (const like of likes) postings += like.vector.terms.length;
    const bits = Math.max(4, Math.ceil(Math.log2(postings * 2 + 1)));
    this.keys = new Int32Array(1 << bits).fill(-1);
    this.shift = 32 - bits;
    // Slots in order of first appearance; count each slot's postings, then lay them out like by like.
    this.slotOf = new Int32Array(1 << bits);
    const counts: number[] = [];
    for (const like of likes)
      for (const t of like.vector.terms) {
        const at = this.probe(t);
        if (this.keys[at] === -1) {
          this.keys[at] = t;
          this.slotOf[at] = counts.length;
          counts.push(0);
        }
        counts[this.slotOf[at]!]!++;
      }
    const slots = counts.length;
    this.centroid = new Float64Array(slots);
    this.postStart = new Int32Array(slots + 1);
    for (let s = 0; s < slots; s++) this.postStart[s + 1] = this.postStart[s]! + counts[s]!;
    this.postLike = new Int32Array(postings);
    this.postWeight = new Float64Array(postings);
    const fill = this.postStart.slice(0, slots);
    const total = likes.reduce((a, l) => a + l.weight, 0) || 1;
    likes.forEach((like, i) => {
      const { terms, weights } = like.vector;
      for (let k = 0; k < terms.length; k++) {
        const s = this.slot(terms[k]!);
        this.centroid[s] = this.centroid[s]! + (like.weight * weights[k]!) / total;
        const p = fill[s]!++;
        this.postLike[p] = i;
        this.postWeight[p] = weights[k]!;
      }
      for (const c of new Set(like.vector.categories))
        this.categories.set(c, (this.categories.get(c) ?? 0) + like.weight / total);
    });
  }

  /** The slot of a term of the likes, or -1 when no like has it. */
  slot(term: number): number {
    const at = this.probe(term);
    return this.keys[at] === -1 ? -1 : this.slotOf[at]!;
  }

  get empty(): boolean {
    return this.likes.length === 0;
  }

  /** The table position of a term: where it is, or the empty one where it would go (linear probing). */
  private probe(term: number): number {
    const mask = this.keys.length - 1;
    let at = Math.imul(term, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = this.keys[at]!;
      if (k === term || k === -1) return at;
      at = (at + 1) & mask;
    }
  }
}
