import { cosine, type PaperVector, wordsOf } from './paper-vector.js';
import type { Profile } from './profile.js';

/** A day's (or week's) paper to rank, as "For you" sees it. */
export interface Candidate {
  vector: PaperVector;
  primaryCategory: string | null;
  /** The store's trending score: the order of a cold start. */
  trending: number;
  /** Folded author names (model/record.ts authorKey), matched against followed authors; empty to leave them out. */
  authorKeys: string[];
}

/** Why a paper is where it is, in words a page can show. */
export type Reason =
  | { kind: 'closest'; paperId: string; title: string; similarity: number }
  | { kind: 'words'; words: string[] }
  | { kind: 'category'; category: string; share: number }
  | { kind: 'followed-author'; author: string }
  | { kind: 'followed-category'; category: string }
  | { kind: 'not-interested'; paperId: string; title: string; similarity: number }
  | { kind: 'trending' };

export interface Recommendation {
  paperId: string;
  score: number;
  reasons: Reason[];
}

/** Follows, fed by the library when it exists: each matching one lifts a paper. */
export interface Follows {
  /** Folded with model/record.ts authorKey. */
  authors?: ReadonlySet<string>;
  categories?: ReadonlySet<string>;
}

/**
 * The ranker's weights over the features of a paper, each first standardised over the papers ranked together
 * (z-scores: how unusual this paper is among today's, whatever the reader's own scale of similarities).
 * Fitted by logistic regression across readers on the even half of bench/for-you's development users
 * (`npm run bench:for-you -- --fit`), and reported on the odd half; nothing here was chosen by looking at it.
 * - centroid: cosine with the likes' centroid (the classic profile, arxiv-sanity's tf-idf with phrases);
 * - closest: cosine with the single most similar like (a reader with two topics is not averaged into neither);
 * - top3: the mean of the three best cosines (one coincidental match is not a topic);
 * - category: the share of the likes listed in the paper's primary category.
 */
export const WEIGHTS = { centroid: 1, closest: 0.258, top3: 0.409, category: 0.474 } as const;

/**
 * A marked paper and its near-duplicates go down: minus this times the cosine with the closest marked paper, against
 * a score that is a sum of z-scores (the best of a day's papers score about 3 to 6). A duplicate (cosine ≈ 0.9)
 * falls to the bottom; a paper merely on the same topic (cosine ≈ 0.2) loses a few places.
 */
export const NOT_INTERESTED_PENALTY = 12;
/** A followed author or category lifts a paper by this, about a day's best paper's score. */
export const FOLLOW_BOOST = 3;
/** Words shown as a reason, at most. */
const REASON_WORDS = 3;
/** A like closer than this is named as the reason. */
const CLOSEST_REASON_AT = 0.05;
/** The primary category is named when at least this share of the likes is in it. */
const CATEGORY_REASON_AT = 0.5;

export type Weights = Record<FeatureName, number>;
export type FeatureName = keyof typeof WEIGHTS;
export const FEATURES = Object.keys(WEIGHTS) as FeatureName[];

/** The raw features of every candidate (see WEIGHTS), and the index of the like each is closest to (-1: none). */
export function features(
  profile: Profile,
  candidates: Candidate[],
): { raw: Record<FeatureName, Float64Array>; best: Int32Array; shared: SharedTerms } {
  const n = candidates.length;
  const likes = profile.likes.length;
  const raw = {
    centroid: new Float64Array(n),
    closest: new Float64Array(n),
    top3: new Float64Array(n),
    category: new Float64Array(n),
  };
  const best = new Int32Array(n).fill(-1);
  const sims = new Float64Array(likes);
  const { centroid: centroidAt, postStart, postLike, postWeight } = profile;
  let most = 0;
  for (const c of candidates) most += c.vector.terms.length;
  if (most > sharedTerm.length) {
    sharedTerm = new Int32Array(most);
    sharedWeight = new Float64Array(most);
  }
  const shared: SharedTerms = { start: new Int32Array(n + 1), term: sharedTerm, weight: sharedWeight };
  let m = 0;
  candidates.forEach((c, i) => {
    sims.fill(0);
    const { terms, weights } = c.vector;
    let centroid = 0;
    for (let k = 0; k < terms.length; k++) {
      const s = profile.slot(terms[k]!);
      if (s < 0) continue;
      const w = weights[k]!;
      const part = w * centroidAt[s]!;
      centroid += part;
      if (part > 0) {
        sharedTerm[m] = terms[k]!;
        sharedWeight[m++] = part;
      }
      for (let p = postStart[s]!, end = postStart[s + 1]!; p < end; p++) sims[postLike[p]!]! += w * postWeight[p]!;
    }
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let l = 0; l < likes; l++) {
      const s = sims[l]!;
      if (s > b1) {
        b3 = b2;
        b2 = b1;
        b1 = s;
        best[i] = l;
      } else if (s > b2) {
        b3 = b2;
        b2 = s;
      } else if (s > b3) b3 = s;
    }
    raw.centroid[i] = centroid;
    raw.closest[i] = b1;
    raw.top3[i] = (b1 + b2 + b3) / Math.min(3, Math.max(1, likes));
    raw.category[i] = c.primaryCategory ? (profile.categories.get(c.primaryCategory) ?? 0) : 0;
    shared.start[i + 1] = m;
  });
  return { raw, best, shared };
}

/** The features standardised over the candidates (z-scores), what WEIGHTS weigh. */
export function standardised(raw: Record<FeatureName, Float64Array>): Record<FeatureName, Float64Array> {
  const out = {} as Record<FeatureName, Float64Array>;
  for (const f of FEATURES) out[f] = standardise(raw[f]);
  return out;
}

/** Every candidate, best first, with its score and reasons. Pure: the same inputs give the same order. */
export function rankCandidates(
  profile: Profile,
  candidates: Candidate[],
  follows: Follows = {},
  weights: Weights = WEIGHTS,
): Recommendation[] {
  if (profile.empty && !follows.authors?.size && !follows.categories?.size) return coldStart(candidates);
  const n = candidates.length;
  const { raw: feats, best, shared } = features(profile, candidates);
  const z = standardised(feats);
  const score = new Float64Array(n);
  for (const f of FEATURES) for (let i = 0; i < n; i++) score[i]! += weights[f] * z[f][i]!;
  const out = candidates.map((c, i): Recommendation => {
    const reasons: Reason[] = [];
    let s = score[i]!;
    const l = best[i]!;
    if (l >= 0 && feats.closest[i]! >= CLOSEST_REASON_AT) {
      const like = profile.likes[l]!;
      reasons.push({
        kind: 'closest',
        paperId: like.vector.id,
        title: like.title,
        similarity: round(feats.closest[i]!),
      });
    }
    const words = weightiestWords(c.vector, shared, i);
    if (words.length) reasons.push({ kind: 'words', words });
    if (feats.category[i]! >= CATEGORY_REASON_AT && c.primaryCategory)
      reasons.push({ kind: 'category', category: c.primaryCategory, share: round(feats.category[i]!) });
    for (const a of c.authorKeys)
      if (follows.authors?.has(a)) {
        s += FOLLOW_BOOST;
        reasons.unshift({ kind: 'followed-author', author: a });
        break;
      }
    const followed = c.vector.categories.find((x) => follows.categories?.has(x));
    if (followed) {
      s += FOLLOW_BOOST;
      reasons.unshift({ kind: 'followed-category', category: followed });
    }
    const neg = closestDislike(profile, c.vector);
    if (neg && neg.similarity > 0) {
      s -= NOT_INTERESTED_PENALTY * neg.similarity;
      if (neg.similarity >= CLOSEST_REASON_AT) reasons.unshift({ kind: 'not-interested', ...neg });
    }
    return { paperId: c.vector.id, score: round(s), reasons };
  });
  return out.sort((a, b) => b.score - a.score || (a.paperId < b.paperId ? -1 : 1));
}

/** Nobody to learn from yet: the day's papers as the community ranks them (trending), saying so. */
export function coldStart(candidates: Candidate[]): Recommendation[] {
  return candidates
    .map((c) => ({ paperId: c.vector.id, score: c.trending, reasons: [{ kind: 'trending' } as Reason] }))
    .sort((a, b) => b.score - a.score || (a.paperId < b.paperId ? -1 : 1));
}

/** (x - mean) / standard deviation; all zeros when every value is the same. */
function standardise(x: Float64Array): Float64Array {
  const n = x.length;
  if (n === 0) return x;
  let mean = 0;
  for (const v of x) mean += v / n;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2 / n;
  const sd = Math.sqrt(variance);
  const out = new Float64Array(n);
  if (sd > 0) for (let i = 0; i < n; i++) out[i] = (x[i]! - mean) / sd;
  return out;
}

/**
 * The terms each candidate shares with the likes' centroid and what each adds to its cosine with it (term order), for
 * the reasons: candidate i's are term/weight[start[i] .. start[i + 1]). The arrays are reused by the next ranking.
 */
export interface SharedTerms {
  start: Int32Array;
  term: Int32Array;
  weight: Float64Array;
}
let sharedTerm = new Int32Array(1 << 16);
let sharedWeight = new Float64Array(1 << 16);

/**
 * The paper's words that add most to its cosine with the likes' centroid, as written; a phrase hides its words. The
 * heaviest taken one at a time (the first of equals first) until enough are shown: a few passes over some dozens of
 * numbers instead of sorting them.
 */
function weightiestWords(v: PaperVector, shared: SharedTerms, i: number): string[] {
  const { term, weight } = shared;
  const from = shared.start[i]!;
  const to = shared.start[i + 1]!;
  const out: string[] = [];
  while (out.length < REASON_WORDS) {
    let best = -1;
    for (let k = from; k < to; k++) if (weight[k]! > 0 && (best < 0 || weight[k]! > weight[best]!)) best = k;
    if (best < 0) break;
    weight[best] = 0;
    const text = wordsOf(v, term[best]!);
    if (!text || out.some((w) => w.split(' ').includes(text) || text.split(' ').includes(w))) continue;
    out.push(text);
  }
  return out;
}

function closestDislike(
  profile: Profile,
  v: PaperVector,
): { paperId: string; title: string; similarity: number } | undefined {
  let best: { paperId: string; title: string; similarity: number } | undefined;
  for (const d of profile.dislikes) {
    const s = d.vector.id === v.id ? 1 : cosine(d.vector, v);
    if (!best || s > best.similarity) best = { paperId: d.vector.id, title: d.title, similarity: round(s) };
  }
  return best;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
