import { type Config, ConfigError } from '../config/config.js';
import type { Db } from '../store/schema.js';
import { type Embedder, LsaEmbedder } from './embedder.js';
import { loadModel } from './index-store.js';
import { OnnxEmbedder, onnxFolderProblem } from './onnx-embedder.js';
import { OpenAiEmbedder } from './openai-embedder.js';
import { UseLiteEmbedder } from './use-lite-embedder.js';

/**
 * The embedder PAPERBOY_EMBEDDER names. Every process that opens the search (serve, worker, digest, refit) must
 * take it from here: vectors are stored per model, and a process with another embedder would not see them.
 */
export function embedderFromConfig(config: Pick<Config, 'embedder'>): Embedder {
  const e = config.embedder;
  switch (e.kind) {
    case 'lsa':
      return new LsaEmbedder();
    case 'use-lite':
      return new UseLiteEmbedder();
    case 'openai':
      return new OpenAiEmbedder({ url: e.url, model: e.model, apiKey: e.apiKey });
    case 'onnx': {
      const problem = onnxFolderProblem(e.folder);
      if (problem) throw new ConfigError(`PAPERBOY_EMBEDDER is onnx:${e.folder}, but ${problem}`);
      return new OnnxEmbedder({ modelPath: e.folder });
    }
  }
}

/**
 * An embedder for the vectors stored under `model`, made without the configuration (which now names another one),
 * so that search can go on using them during a switch: LSA from its stored fit, the packaged USE lite, an ONNX folder
 * still there. Undefined when it cannot be made again (an OpenAI-compatible endpoint: its key is no longer known).
 */
export async function embedderForModel(db: Db, model: string): Promise<Embedder | undefined> {
  if (model.startsWith('lsa@')) {
    const saved = await loadModel(db, 'lsa');
    if (saved?.model !== model) return undefined;
    const lsa = new LsaEmbedder();
    lsa.restore(saved.data, saved.model);
    return lsa;
  }
  if (model.startsWith('use-lite@')) {
    const useLite = new UseLiteEmbedder();
    return useLite.model() === model ? useLite : undefined;
  }
  if (model.startsWith('onnx:')) {
    const folder = model.slice('onnx:'.length);
    return onnxFolderProblem(folder) ? undefined : new OnnxEmbedder({ modelPath: folder });
  }
  return undefined;
}
