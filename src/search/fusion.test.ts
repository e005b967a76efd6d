import { describe, expect, it } from 'vitest';
import { fuse } from './fusion.js';

describe('fuse', () => {
  const keyword = [{ id: 'a', score: 10 }, { id: 'b', score: 6 }, { id: 'c', score: 2 }];
  const semantic = [{ id: 'c', score: 0.9 }, { id: 'd', score: 0.5 }, { id: 'a', score: 0.1 }];

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
});
