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
 */
export class Profile {
  readonly likes: ProfilePaper[];
  readonly dislikes: ProfilePaper[];
  /** Σ weight · vector over the likes, over Σ weight. */
  readonly centroid = new Map<number, number>();
  /** Term → [like index, weight of the term in that like's unit vector] pairs, flattened. */
  readonly postings = new Map<number, number[]>();
  /** Category → the weighted share of the likes listed in it. */
  readonly categories = new Map<string, number>();

  constructor(likes: ProfilePaper[], dislikes: ProfilePaper[]) {
    this.likes = likes;
    this.dislikes = dislikes;
    const total = likes.reduce((a, l) => a + l.weight, 0) || 1;
    likes.forEach((like, i) => {
      const { terms, weights } = like.vector;
      for (let k = 0; k < terms.length; k++) {
        const t = terms[k]!;
        this.centroid.set(t, (this.centroid.get(t) ?? 0) + (like.weight * weights[k]!) / total);
        let list = this.postings.get(t);
        if (!list) this.postings.set(t, (list = []));
        list.push(i, weights[k]!);
      }
      for (const c of new Set(like.vector.categories))
        this.categories.set(c, (this.categories.get(c) ?? 0) + like.weight / total);
    });
  }

  get empty(): boolean {
    return this.likes.length === 0;
  }
}
