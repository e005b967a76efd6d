import { beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import type { PaperRecord } from '../model/record.js';
import { Bm25Index, type FieldTexts, type ScoringTerm } from './bm25.js';
import { terms } from './tokenize.js';

/**
 * MaxScore pruning (taken when the caller needs no exact count) must return the top k that scoring every posting
 * returns. Checked on real papers, with and without a filter, and with papers added after the build (per-term lists).
 */

const fieldsOf = (p: PaperRecord): FieldTexts => ({
  title: p.title,
  authors: (p.authors ?? []).join(' '),
  abstract: p.abstract,
});

/** Queries as readers type them: a few words of a paper's title, and a longer one from its abstract. */
function queriesFrom(papers: PaperRecord[]): ScoringTerm[][] {
  const out: ScoringTerm[][] = [];
  for (let i = 0; i < papers.length; i += 37) {
    const p = papers[i]!;
    out.push([...new Set(terms(p.title))].slice(0, 4).map((stem) => ({ stem, weight: 1 })));
    out.push([...new Set(terms(p.abstract))].slice(3, 15).map((stem, j) => ({ stem, weight: j % 3 === 0 ? 0.7 : 1 })));
  }
  return out.filter((q) => q.length > 0);
}

/**
 * Same scores in the same order; slots compared where a score is not tied with a neighbour's. `exact` holds a few
 * more hits than `pruned`, so that a tie across the k-th place (either paper may be kept) is seen as one.
 */
function expectSameTop(pruned: { slot: number; score: number }[], exact: { slot: number; score: number }[]): void {
  const k = pruned.length;
  expect(k).toBe(Math.min(exact.length, k));
  for (const [i, h] of pruned.entries()) expect(h.score).toBeCloseTo(exact[i]!.score, 4);
  const tied = (i: number) =>
    Math.abs(exact[i]!.score - (exact[i - 1]?.score ?? -1)) < 1e-4 ||
    Math.abs(exact[i]!.score - (exact[i + 1]?.score ?? -1)) < 1e-4;
  for (let i = 0; i < k; i++) if (!tied(i)) expect(pruned[i]!.slot).toBe(exact[i]!.slot);
}

describe('Bm25Index on real papers', () => {
  let papers: PaperRecord[];
  let index: Bm25Index;
  let queries: ScoringTerm[][];

  beforeAll(async () => {
    papers = await corpusSlice(4000);
    index = new Bm25Index();
    index.build(papers.slice(0, 3500).map((p, slot) => ({ slot, fields: fieldsOf(p) })));
    queries = queriesFrom(papers);
  });

  it('prunes to the same top 10 as scoring every posting', () => {
    const all = () => true;
    for (const q of queries) {
      const exact = index.search(q, 15, all);
      const pruned = index.search(q, 10, all, 0);
      expect(pruned.hits.length).toBe(Math.min(10, exact.total));
      expectSameTop(pruned.hits, exact.hits);
    }
  });

  it('prunes to the same top 50 under a filter', () => {
    const even = (slot: number) => slot % 2 === 0;
    for (const q of queries) {
      const exact = index.search(q, 55, even);
      expect(exact.hits.every((h) => h.slot % 2 === 0)).toBe(true);
      expectSameTop(index.search(q, 50, even, 0).hits, exact.hits);
    }
  });

  it('counts every match exactly below the cap, and says "at least the cap" above it', () => {
    const q = [{ stem: terms('model')[0]!, weight: 1 }];
    const exact = index.search(q, 10, () => true);
    expect(exact.total).toBe(index.frequency(q[0]!.stem));
    expect(exact.total).toBeGreaterThan(100);
    const capped = index.search(q, 10, () => true, 100);
    expect(capped.total).toBeGreaterThanOrEqual(100);
    expect(capped.hits.map((h) => h.slot)).toEqual(exact.hits.map((h) => h.slot));
    expect(index.search(q, 10, () => true, exact.total + 1).total).toBe(exact.total);
  });

  it('finds papers added after the build, pruned or not', () => {
    const grown = new Bm25Index();
    grown.build(papers.slice(0, 3000).map((p, slot) => ({ slot, fields: fieldsOf(p) })));
    for (let slot = 3000; slot < 4000; slot++) grown.add(slot, fieldsOf(papers[slot]!));
    const target = papers[3900]!;
    const q = [...new Set(terms(target.title))].map((stem) => ({ stem, weight: 1 }));
    expect(grown.search(q, 5, () => true, 0).hits[0]!.slot).toBe(3900);
    for (const query of queries)
      expectSameTop(grown.search(query, 10, () => true, 0).hits, grown.search(query, 15, () => true).hits);
  });
});
