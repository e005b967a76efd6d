import { describe, expect, it } from 'vitest';
import { fuse, semanticShare } from './fusion.js';

describe('fuse', () => {
  const keyword = [
    { id: 'a', score: 10 },
    { id: 'b', score: 6 },
    { id: 'c', score: 2 },
  ];
  const semantic = [
    { id: 'c', score: 0.9 },
    { id: 'd', score: 0.5 },
    { id: 'a', score: 0.1 },
  ];

  it('reciprocal rank fusion adds weight / (k + rank)', () => {
    const fused = fuse(keyword, semantic, { method: 'rrf', k: 60, keywordWeight: 1, semanticWeight: 1 });
    const score = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(score.a).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(score.c).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(score.d).toBeCloseTo(1 / 62, 12);
    expect(fused.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('linear fusion scales each list to [0, 1] and weighs them', () => {
    const fused = fuse(keyword, semantic, { method: 'linear', k: 60, keywordWeight: 0.7, semanticWeight: 0.3 });
    const score = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(score.a).toBeCloseTo(0.7, 12);
    expect(score.b).toBeCloseTo(0.7 * 0.5, 12);
    expect(score.c).toBeCloseTo(0.3, 12);
    expect(score.d).toBeCloseTo(0.3 * 0.5, 12);
    expect(fused.map((h) => h.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a single list as it is', () => {
    expect(fuse(keyword, []).map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('scales the semantic list by the share of the query the semantic model sees', () => {
    const o = { method: 'linear', k: 60, keywordWeight: 0.7, semanticWeight: 0.3 } as const;
    const score = Object.fromEntries(fuse(keyword, semantic, o, 0.5).map((h) => [h.id, h.score]));
    expect(score.a).toBeCloseTo(0.7, 12);
    expect(score.c).toBeCloseTo(0.15, 12);
    // No share at all: the semantic list's papers do not join the ranking.
    expect(fuse(keyword, semantic, o, 0).map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('semanticShare', () => {
  it("is the known terms' share of the idf mass", () => {
    expect(
      semanticShare([
        { weight: 3, known: true },
        { weight: 1, known: false },
      ]),
    ).toBeCloseTo(0.75, 12);
    expect(semanticShare([{ weight: 2, known: false }])).toBe(0);
  });

  it('is 1 when no term carries weight', () => {
    expect(semanticShare([])).toBe(1);
    expect(semanticShare([{ weight: 0, known: false }])).toBe(1);
  });
});
