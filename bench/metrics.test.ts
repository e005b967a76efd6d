import { describe, expect, it } from 'vitest';
import { averagePrecision, evaluate, ndcgAt, recallAt } from './metrics.js';

describe('retrieval metrics (trec_eval definitions)', () => {
  const judged = new Map([
    ['a', 3],
    ['b', 1],
    ['c', 2],
    ['z', 0],
  ]);

  it('nDCG@k with graded gains and a log2(rank + 1) discount', () => {
    // DCG = 3/log2(2) + 0/log2(3) + 2/log2(4) = 3 + 1 = 4; ideal 3, 2, 1: 3 + 2/log2(3) + 1/2.
    const ideal = 3 + 2 / Math.log2(3) + 0.5;
    expect(ndcgAt(['a', 'x', 'c'], judged, 10)).toBeCloseTo(4 / ideal, 10);
    expect(ndcgAt(['a', 'c', 'b'], judged, 10)).toBeCloseTo(1, 10);
    expect(ndcgAt(['x', 'a'], judged, 1)).toBe(0);
  });

  it('average precision counts relevant documents never retrieved as zero', () => {
    // Relevant at ranks 1 and 3 of 3 relevant: (1/1 + 2/3) / 3.
    expect(averagePrecision(['a', 'x', 'b'], judged)).toBeCloseTo((1 + 2 / 3) / 3, 10);
    expect(averagePrecision([], judged)).toBe(0);
  });

  it('recall@k and the mean over judged queries only', () => {
    expect(recallAt(['a', 'x', 'b', 'c'], judged, 2)).toBeCloseTo(1 / 3, 10);
    const summary = evaluate(
      new Map([['q1', ['a', 'c', 'b']]]),
      new Map([
        ['q1', judged],
        ['q2', new Map([['x', 0]])],
      ]),
    );
    expect(summary).toEqual({ ndcg10: 1, map: 1, recall100: 1, queries: 1 });
  });
});
