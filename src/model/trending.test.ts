import { describe, expect, it } from 'vitest';
import { DAYS_PER_DECADE, trendingScore } from './trending.js';

const paper = (upvotes: number, day: string, numComments = 0, githubStars: number | null = null) => ({
  upvotes,
  numComments,
  githubStars,
  day,
});

describe('trendingScore', () => {
  it.each([
    // [a, b, which ranks first]
    [paper(10, '2026-07-02'), paper(10, '2026-07-01'), 'a', 'same votes: the newer paper'],
    [paper(0, '2026-07-02'), paper(0, '2026-07-01'), 'a', 'no votes at all: the newer paper'],
    [paper(200, '2026-07-01'), paper(10, '2026-07-02'), 'a', 'twenty times the votes beats one day'],
    [paper(12, '2026-07-01'), paper(10, '2026-07-02'), 'b', 'a few more votes do not beat a day'],
    [paper(5, '2026-07-01', 10), paper(20, '2026-07-01'), 'a', 'comments weigh more than upvotes'],
    [paper(0, '2026-07-01', 0, 5000), paper(50, '2026-07-01'), 'a', 'stars count, at a discount'],
  ])('%#: %s', (a, b, first) => {
    const [sa, sb] = [trendingScore(a), trendingScore(b)];
    expect(first === 'a' ? sa > sb : sb > sa).toBe(true);
  });

  it('trades a hundred times the attention for 2 x DAYS_PER_DECADE days of age', () => {
    expect(DAYS_PER_DECADE).toBe(4);
    expect(trendingScore(paper(999, '2026-07-01'))).toBeCloseTo(trendingScore(paper(9, '2026-07-09')), 9);
  });

  it('ignores negative counts and a missing day', () => {
    expect(trendingScore({ upvotes: -5, numComments: -1, githubStars: -3, day: null })).toBe(0);
  });
});
