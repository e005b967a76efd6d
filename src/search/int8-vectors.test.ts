import { describe, expect, it } from 'vitest';
import { Int8Vectors } from './int8-vectors.js';
import { EXACT_SCAN_BELOW, PaperIndex, type PaperMeta } from './paper-index.js';

/** A seeded generator (mulberry32), so that a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Unit vectors with decaying components, shaped like LSA's (the leading dimensions carry most of each vector). */
function unitVectors(n: number, d: number, seed: number): Float32Array[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const v = new Float32Array(d);
    let norm = 0;
    for (let i = 0; i < d; i++) {
      v[i] = (next() * 2 - 1) / Math.sqrt(1 + i / 8);
      norm += v[i]! * v[i]!;
    }
    for (let i = 0; i < d; i++) v[i]! /= Math.sqrt(norm);
    return v;
  });
}

/** A scan's approximate scores of rows 0 .. n - 1, as PaperIndex.nearest reads them. */
function approximate(v: Int8Vectors, query: Float32Array, n: number): Float32Array {
  return v.scan(query, n).slice();
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('Int8Vectors', () => {
  const d = 100; // not a multiple of 16: rows are padded
  const rows = unitVectors(3000, d, 1);
  const queries = unitVectors(20, d, 2);

  function scanned(simd: boolean): Float32Array[] {
    const v = new Int8Vectors(d, { simd });
    // Set in order past the first reservation (1,024 rows): rows already set must survive the memory growing.
    for (let s = 0; s < rows.length; s++) v.set(s, rows[s]!);
    return queries.map((q) => {
      const out = approximate(v, q, rows.length);
      return out;
    });
  }

  it('does not overflow with many dimensions: flat vectors of 1,024 components', () => {
    const dims = 1024;
    const flat = Float32Array.from({ length: dims }, () => 1 / Math.sqrt(dims));
    for (const simd of [true, false]) {
      const v = new Int8Vectors(dims, { simd });
      v.set(0, flat);
      expect(approximate(v, flat, 1)[0]!, simd ? 'wasm' : 'js').toBeGreaterThan(0);
    }
  });

  it('runs the scan in WebAssembly SIMD on this Node.js', () => {
    expect(new Int8Vectors(d).simd).toBe(true);
    expect(new Int8Vectors(d, { simd: false }).simd).toBe(false);
  });

  it('gives the same scores in WebAssembly and in JavaScript', () => {
    const wasm = scanned(true);
    const js = scanned(false);
    for (const [i, out] of wasm.entries()) expect(Array.from(out)).toEqual(Array.from(js[i]!));
  });

  it("approximates every dot product to within 1% of the vectors' norms", () => {
    const out = scanned(true);
    queries.forEach((q, i) => {
      // The scan's unit is the query's scale: its largest component over 32767 (at this size).
      const unit = Math.max(...q.map(Math.abs)) / 32_767;
      for (let s = 0; s < rows.length; s += 7)
        expect(Math.abs(out[i]![s]! * unit - dot(q, rows[s]!))).toBeLessThan(0.01);
    });
  });
});

/** A PaperIndex of these vectors, paper i (id `p${i}`) described by `meta(i)`. */
function indexOf(vectors: Float32Array[], meta: (i: number) => Omit<PaperMeta, 'id'>): PaperIndex {
  const index = new PaperIndex();
  vectors.forEach((v, i) => {
    index.upsert({ id: `p${i}`, ...meta(i) });
    index.setVector(`p${i}`, v);
  });
  return index;
}

/** Ids of the k vectors nearest q by their exact dot products, among those `keep` accepts. */
function exactTop(vectors: Float32Array[], q: Float32Array, k: number, keep = (_i: number) => true): string[] {
  return vectors
    .map((v, i) => ({ i, score: dot(q, v) }))
    .filter(({ i }) => keep(i))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map(({ i }) => `p${i}`);
}

describe('PaperIndex.nearest above the exact-scan size', () => {
  const n = EXACT_SCAN_BELOW + 5000;
  const d = 64;

  it('returns the exact top k after the 8-bit first pass, with filters and an excluded paper', () => {
    const vectors = unitVectors(n, d, 3);
    const index = indexOf(vectors, (i) => ({
      feedDay: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
      hasCode: i % 3 === 0,
      categories: [i % 2 ? 'cs.CL' : 'cs.LG'],
    }));
    for (const q of unitVectors(25, d, 4)) {
      const got = index.nearest(q, 50, { categories: ['cs.CL'] }, 'p1').map((h) => h.id);
      expect(got).toEqual(exactTop(vectors, q, 50, (i) => i % 2 === 1 && i !== 1));
    }
  });

  it('returns the exact top k unfiltered, also when the rows above the sampled floor were removed', () => {
    const vectors = unitVectors(n, d, 5);
    const index = indexOf(vectors, () => ({ feedDay: '2026-01-01', hasCode: false, categories: ['cs.LG'] }));
    const queries = unitVectors(10, d, 6);
    for (const q of queries) expect(index.nearest(q, 200).map((h) => h.id)).toEqual(exactTop(vectors, q, 200));
    // Remove the best 2,000 rows for the first query: the floor sampled from the scan lets too few live rows through.
    const q = queries[0]!;
    const removed = new Set(exactTop(vectors, q, 2000).map((id) => Number(id.slice(1))));
    for (const i of removed) index.remove(`p${i}`);
    expect(index.nearest(q, 200).map((h) => h.id)).toEqual(exactTop(vectors, q, 200, (i) => !removed.has(i)));
  });
});
