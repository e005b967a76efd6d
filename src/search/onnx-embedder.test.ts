import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { withSemanticSearch } from '../../test/semantic-search.js';
import { type TinyOnnxModel, writeTinyOnnxModel } from '../../test/tiny-onnx-model.js';
import { ConfigError, loadConfig } from '../config/config.js';
import type { PaperRecord } from '../model/record.js';
import { embedderForModel, embedderFromConfig } from './embedders.js';
import { OnnxEmbedder } from './onnx-embedder.js';

// The onnx: embedder run for real (transformers.js, its tokenizer, ONNX Runtime) on model folders written here: a
// WordPiece tokenizer over a small vocabulary and a one-Gather graph, so a text's vector is the normalised mean of its
// tokens' rows of the graph's table (see test/tiny-onnx-model.ts).

const WORDS = ['embed', '##ding', '##s', 'graph', 'tree', 'of', 'river', 'forest', 'query', 'passage', ':'];

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

function expectClose(actual: Float32Array | undefined, expected: Float32Array): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual![i]).toBeCloseTo(expected[i]!, 5);
}

describe('the onnx: embedder on a tiny model in the Hugging Face layout', () => {
  let root: string;
  let papers: PaperRecord[];
  let model: TinyOnnxModel;
  let corpus: TinyOnnxModel;
  let prompted: TinyOnnxModel;
  let cls: TinyOnnxModel;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'paperboy-onnx-'));
    papers = await corpusSlice(60);
    model = writeTinyOnnxModel(join(root, 'plain'), { words: WORDS });
    prompted = writeTinyOnnxModel(join(root, 'prompted'), {
      words: WORDS,
      prompts: { query: 'query: ', passage: 'passage: ' },
    });
    // The words of the papers, each weighted by how rare it is among them (as a trained model learns to weigh words
    // every abstract has by little): bag-of-words vectors that find a paper by a few of its words.
    const papersWith = new Map<string, number>();
    for (const p of papers) {
      for (const w of new Set(`${p.title} ${p.abstract}`.toLowerCase().match(/[a-z]+/g))) {
        papersWith.set(w, (papersWith.get(w) ?? 0) + 1);
      }
    }
    corpus = writeTinyOnnxModel(join(root, 'corpus'), {
      words: [...papersWith.keys()],
      weights: new Map([...papersWith].map(([w, n]) => [w, Math.log(papers.length / n)])),
      dimensions: 128,
    });
    cls = writeTinyOnnxModel(join(root, 'cls'), { words: WORDS, pooling: 'cls' });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("gives the normalised mean of the tokens' rows, as the WordPiece tokenizer splits the text", async () => {
    const embedder = new OnnxEmbedder({ modelPath: model.folder });
    // Two texts of different lengths in one batch: the shorter one is padded, and the padding must not count.
    const [long, short] = await embedder.embed(['Embeddings of graphs', 'Graph, of TREES!'], 'document');
    expectClose(long, model.expected(['[CLS]', 'embed', '##ding', '##s', 'of', 'graph', '##s', '[SEP]']));
    expectClose(short, model.expected(['[CLS]', 'graph', '[UNK]', 'of', 'tree', '##s', '[UNK]', '[SEP]']));
    expect(embedder.dimensions()).toBe(model.dimensions);
    expect(Math.hypot(...long!)).toBeCloseTo(1, 5);
  });

  it('puts texts sharing words nearer than texts that share none', async () => {
    const embedder = new OnnxEmbedder({ modelPath: model.folder });
    const [a, b, c] = await embedder.embed(['river forest tree', 'forest river graph', 'embeddings of query'], 'query');
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!) + 0.2);
  });

  it("applies the model's query and document prompts, or the ones given", async () => {
    const own = new OnnxEmbedder({ modelPath: prompted.folder });
    const [query] = await own.embed(['graph'], 'query');
    const [document] = await own.embed(['graph'], 'document');
    expectClose(query, prompted.expected(['[CLS]', 'query', ':', 'graph', '[SEP]']));
    expectClose(document, prompted.expected(['[CLS]', 'passage', ':', 'graph', '[SEP]']));

    const given = new OnnxEmbedder({ modelPath: model.folder, queryPrefix: 'forest ' });
    expectClose((await given.embed(['graph'], 'query'))[0], model.expected(['[CLS]', 'forest', 'graph', '[SEP]']));
    expectClose((await given.embed(['graph'], 'document'))[0], model.expected(['[CLS]', 'graph', '[SEP]']));
  });

  it("pools by the first token when the model's 1_Pooling/config.json says CLS", async () => {
    const [v] = await new OnnxEmbedder({ modelPath: cls.folder }).embed(['river forest'], 'document');
    expectClose(v, cls.expected(['[CLS]']));
  });

  it('is made from PAPERBOY_EMBEDDER=onnx:<folder>, and ranks first in semantic search the paper sharing the words', async () => {
    const embedder = embedderFromConfig(loadConfig({ PAPERBOY_EMBEDDER: `onnx:${corpus.folder}` }));
    expect(embedder).toBeInstanceOf(OnnxEmbedder);
    expect(embedder.model()).toBe(`onnx:${corpus.folder}`);
    await withSemanticSearch(embedder, papers, async (search, t) => {
      for (const k of [5, 17, 42]) {
        // Words of its abstract, not its title: a title typed in full is boosted to the top in every mode.
        const r = await search.search({ q: papers[k]!.abstract.split(/\s+/).slice(0, 15).join(' '), mode: 'semantic' });
        expect(r.mode).toBe('semantic');
        expect(r.hits[0]?.paper.id).toBe(papers[k]!.id);
      }
      // During a later switch, search can go on with these vectors: the folder is still there.
      expect(await embedderForModel(t.db, `onnx:${corpus.folder}`)).toBeInstanceOf(OnnxEmbedder);
    });
  });

  it('refuses a folder without onnx/model.onnx or config.json, saying what to put there', () => {
    const bare = writeTinyOnnxModel(join(root, 'bare'), { words: WORDS, withoutGraph: true });
    const config = loadConfig({ PAPERBOY_EMBEDDER: `onnx:${bare.folder}` });
    expect(() => embedderFromConfig(config)).toThrow(ConfigError);
    expect(() => embedderFromConfig(config)).toThrow(
      /has no onnx\/model\.onnx: put the model's ONNX export there \(e\.g\. `optimum-cli export onnx/,
    );
    expect(() => embedderFromConfig(loadConfig({ PAPERBOY_EMBEDDER: `onnx:${join(bare.folder, 'onnx')}` }))).toThrow(
      /has no config\.json: give a model folder in the Hugging Face layout/,
    );
  });
});
