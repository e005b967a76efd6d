import { afterAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { withSemanticSearch } from '../../test/semantic-search.js';
import { loadConfig } from '../config/config.js';
import { embedderFromConfig } from './embedders.js';
import { UseLiteEmbedder } from './use-lite-embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('UseLiteEmbedder (the packaged Universal Sentence Encoder lite, in a worker thread)', () => {
  const embedder = embedderFromConfig(loadConfig({ PAPERBOY_EMBEDDER: 'use-lite' })) as UseLiteEmbedder;
  afterAll(() => embedder.close());

  it('is what PAPERBOY_EMBEDDER=use-lite makes, with unit vectors of 512 dimensions', async () => {
    expect(embedder).toBeInstanceOf(UseLiteEmbedder);
    expect(embedder.model()).toMatch(/^use-lite@\d+\.\d+\.\d+$/);
    const [v] = await embedder.embed(['Graph neural networks for molecules'], 'query');
    expect(v).toHaveLength(512);
    expect(dot(v!, v!)).toBeCloseTo(1, 4);
  });

  // A small model: it misses harder pairs ("robots picking up objects" ranks "Protein folding simulated with molecular
  // dynamics" above "Learning grasp poses for a manipulator arm from camera images"), as the package's own code does.
  it('ranks a paraphrase that shares no word with the query above unrelated texts', async () => {
    const pairs = [
      ['how galaxies spin', 'Rotation curves of spiral galaxies and the dark matter halo.'],
      ['treating cancer with drugs', 'Chemotherapy outcomes for patients with tumours.'],
      ['cars that drive themselves', 'Autonomous vehicle planning in urban traffic.'],
    ] as const;
    const unrelated = [
      'Tax policy and income inequality in European countries.',
      'A survey of medieval manuscript illumination techniques.',
      'Protein folding simulated with molecular dynamics.',
    ];
    const documents = [...pairs.map(([, d]) => d), ...unrelated];
    const docVectors = await embedder.embed(documents, 'document');
    const queryVectors = await embedder.embed(
      pairs.map(([q]) => q),
      'query',
    );
    pairs.forEach(([, paraphrase], i) => {
      const ranked = documents
        .map((d, j) => ({ d, score: dot(queryVectors[i]!, docVectors[j]!) }))
        .sort((a, b) => b.score - a.score);
      expect(ranked[0]!.d).toBe(paraphrase);
    });
  });

  it('embeds a query waiting behind a long document batch before the rest of that batch', async () => {
    const documents = Array.from({ length: 48 }, (_, i) => `Document number ${i} about topic ${i % 7}.`);
    const finished: string[] = [];
    const docs = embedder.embed(documents, 'document').then((v) => {
      finished.push('documents');
      return v;
    });
    const query = embedder.embed(['topic three'], 'query').then((v) => {
      finished.push('query');
      return v;
    });
    const [d, q] = await Promise.all([docs, query]);
    expect(finished).toEqual(['query', 'documents']);
    expect(d).toHaveLength(48);
    expect(q).toHaveLength(1);
    // Same text, same vector, whichever batch it was embedded in.
    const [again] = await embedder.embed([documents[5]!], 'document');
    expect(dot(again!, d[5]!)).toBeCloseTo(1, 4);
  });

  it("serves semantic search over the store's papers after a refit", async () => {
    const papers = await corpusSlice(24);
    await withSemanticSearch(embedder, papers, async (search) => {
      const target = papers[9]!;
      const r = await search.search({ q: target.abstract.split(/\s+/).slice(0, 30).join(' '), mode: 'semantic' });
      expect(r.mode).toBe('semantic');
      expect(r.hits[0]?.paper.id).toBe(target.id);
    });
  });
});
