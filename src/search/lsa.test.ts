import { beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import type { PaperRecord } from '../model/record.js';
import { LsaEmbedder, paperText } from './embedder.js';
import { fitLsa, type LsaFit, LsaModel } from './lsa.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('LSA on a real sample', () => {
  let papers: PaperRecord[];
  let fit: LsaFit;
  beforeAll(async () => {
    papers = await corpusSlice(600);
    fit = await fitLsa(papers.slice(0, 500).map(paperText), { dimensions: 48 });
  });

  it('fits unit vectors, and folds a fitted paper in onto its own vector', () => {
    const k = fit.model.dimensions;
    expect(k).toBe(48);
    const own = fit.vectors.subarray(7 * k, 8 * k);
    expect(dot(own, own)).toBeCloseTo(1, 5);
    expect(dot(fit.model.embed(paperText(papers[7]!)), own)).toBeCloseTo(1, 4);
  });

  it('places a new paper nearest papers on its topic, and survives serialization', () => {
    const k = fit.model.dimensions;
    const fresh = papers[550]!;
    const v = fit.model.embed(paperText(fresh));
    const scores = papers.slice(0, 500).map((_, i) => dot(v, fit.vectors.subarray(i * k, (i + 1) * k)));
    const best = scores.indexOf(Math.max(...scores));
    const shared = (a: PaperRecord, b: PaperRecord) => a.categories?.some((c) => b.categories?.includes(c));
    expect(shared(fresh, papers[best]!) || scores[best]! > 0.5).toBe(true);
    const restored = LsaModel.deserialize(fit.model.serialize());
    expect(dot(restored.embed(paperText(fresh)), v)).toBeCloseTo(1, 5);
  });

  it('embeds text it has no words for as zeros', () => {
    expect(fit.model.embed('zzzqqq xxyyzz').every((x) => x === 0)).toBe(true);
  });

  it('tells which stems its vocabulary holds (what a query word can move)', async () => {
    const embedder = new LsaEmbedder({ dimensions: 16 });
    expect(embedder.knows('network')).toBe(false);
    await embedder.fit(papers.slice(0, 200).map(paperText));
    expect(embedder.knows('network')).toBe(true);
    expect(embedder.knows('zzzqqq')).toBe(false);
  });
});
