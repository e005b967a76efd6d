import { DAY_MS } from './dates.js';

/**
 * The trending score of a paper: community attention, discounted by age, in one number that never needs
 * recomputing as time passes (the Reddit "hot" form: a log of attention plus a linear term in time).
 *
 *   score = log10(1 + attention) + day / DAYS_PER_DECADE
 *   attention = upvotes + community points / POINTS_PER_UPVOTE + COMMENT_WEIGHT * comments + stars / STARS_PER_UPVOTE
 *
 * Because the time term grows with the paper's day, comparing two scores compares attention against age:
 * a paper from one day earlier needs 10^(1 / DAYS_PER_DECADE) times the attention to rank level.
 * Papers nobody has voted on yet (arXiv-only) score by their day alone, so the newest come first.
 */

/** Days of age that ten times more attention makes up for: a trending list spans about a week. */
export const DAYS_PER_DECADE = 4;
/** A comment is a stronger signal than an upvote: someone read far enough to discuss. */
export const COMMENT_WEIGHT = 2;
/** GitHub stars accrue from everyone, not just readers here; this many count as one upvote. */
export const STARS_PER_UPVOTE = 50;

/**
 * Votes cast here are stored as whole points so that a fractional weight adds and subtracts exactly: a vote is
 * POINTS_PER_UPVOTE points, or NEW_ACCOUNT_VOTE_POINTS (a quarter upvote) from an account younger than
 * NEW_ACCOUNT_HOURS, which makes a burst of fresh accounts worth little in trending. The displayed count is not weighted.
 */
export const POINTS_PER_UPVOTE = 4;
export const NEW_ACCOUNT_VOTE_POINTS = 1;
export const NEW_ACCOUNT_HOURS = 1;

export interface TrendingInput {
  upvotes: number;
  /** Points of the votes cast on this site (see POINTS_PER_UPVOTE). */
  communityPoints?: number | undefined;
  numComments: number;
  githubStars: number | null;
  /** YYYY-MM-DD: the day the paper entered the feed; without one the score is attention alone. */
  day: string | null;
}

export function trendingScore(p: TrendingInput): number {
  const attention =
    Math.max(0, p.upvotes) +
    Math.max(0, p.communityPoints ?? 0) / POINTS_PER_UPVOTE +
    COMMENT_WEIGHT * Math.max(0, p.numComments) +
    Math.max(0, p.githubStars ?? 0) / STARS_PER_UPVOTE;
  const days = p.day ? Date.parse(`${p.day}T00:00:00Z`) / DAY_MS : 0;
  return Math.log10(1 + attention) + (Number.isFinite(days) ? days : 0) / DAYS_PER_DECADE;
}
