// The embedders the benchmarks compare, by name: lsa, use-lite, onnx:<folder> (a model a deployment brings) and
// onnx-tiny, the test's tiny ONNX model (test/tiny-onnx-model.ts: a tokenizer and one Gather, no transformer layers),
// which measures what transformers.js and ONNX Runtime cost around a model, not what a real model costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { type Embedder, LsaEmbedder } from '../src/search/embedder.js';
import { embedderFromConfig } from '../src/search/embedders.js';
import { writeTinyOnnxModel } from '../test/tiny-onnx-model.js';

export const ALL_EMBEDDERS = ['lsa', 'use-lite', 'onnx-tiny'];

export function embedderNames(value: string): string[] {
  const names = value === 'all' ? ALL_EMBEDDERS : value.split(',').filter(Boolean);
  for (const n of names) {
    if (!['lsa', 'use-lite', 'onnx-tiny'].includes(n) && !n.startsWith('onnx:'))
      throw new Error(`--embedder ${n}: use lsa, use-lite, onnx-tiny, onnx:<model folder>, a list of them, or all`);
  }
  return names;
}

export interface BenchEmbedder {
  name: string;
  /** The name, marked when the figures are not a real model's. */
  label: string;
  /** The PAPERBOY_EMBEDDER value that selects it. */
  setting: string;
  embedder: Embedder;
  dispose(): Promise<void>;
}

/**
 * Makes the embedder `name`; `texts` give onnx-tiny its vocabulary (their words), with the 384 dimensions of the
 * small sentence models (MiniLM, bge-small) so that vector scans cost what theirs would.
 */
export function benchEmbedder(name: string, texts: string[] = []): BenchEmbedder {
  if (name === 'lsa') return plain(name, name, new LsaEmbedder());
  if (name !== 'onnx-tiny') {
    const embedder = embedderFromConfig(loadConfig({ PAPERBOY_EMBEDDER: name }));
    return plain(name, name, embedder);
  }
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-onnx-tiny-'));
  const words = new Set<string>();
  for (const t of texts) for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) words.add(w);
  writeTinyOnnxModel(dir, { words: [...words], dimensions: 384 });
  const setting = `onnx:${dir}`;
  const embedder = embedderFromConfig(loadConfig({ PAPERBOY_EMBEDDER: setting }));
  return {
    name,
    label: 'onnx (tiny test model)',
    setting,
    embedder,
    async dispose() {
      await embedder.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function plain(name: string, setting: string, embedder: Embedder): BenchEmbedder {
  return { name, label: name, setting, embedder, dispose: async () => embedder.close?.() };
}
