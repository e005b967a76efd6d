import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from './embedder.js';

export interface OnnxEmbedderOptions {
  /**
   * A local model directory in the Hugging Face layout (config.json, tokenizer.json, onnx/model.onnx), as an absolute
   * path: transformers.js reads a relative one like `org/name` as a hub model id.
   */
  modelPath: string;
  /** Fetch models from the Hugging Face hub when missing locally (off by default: nothing is downloaded). */
  allowRemoteModels?: boolean;
  /**
   * Some models (E5, BGE) want a prefix such as "query: " on queries. Default: the model's own, from the `prompts`
   * of its config_sentence_transformers.json (`query`; `document` or `passage`).
   */
  queryPrefix?: string;
  documentPrefix?: string;
}

type Pooling = 'mean' | 'cls' | 'last_token';

type FeatureExtractor = (
  texts: string[],
  opts: { pooling: Pooling; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

/** The file transformers.js runs (full precision) in a model folder. */
export const ONNX_MODEL_FILE = join('onnx', 'model.onnx');

/** What a folder lacks to be loaded as an ONNX model, said with what to do; undefined when it has what is needed. */
export function onnxFolderProblem(folder: string): string | undefined {
  const layout = 'give a model folder in the Hugging Face layout (config.json, tokenizer.json, onnx/model.onnx)';
  if (!existsSync(join(folder, 'config.json'))) return `the folder has no config.json: ${layout}.`;
  if (!existsSync(join(folder, 'tokenizer.json'))) return `the folder has no tokenizer.json: ${layout}.`;
  if (!existsSync(join(folder, ONNX_MODEL_FILE))) {
    return (
      `the folder has no ${ONNX_MODEL_FILE}: put the model's ONNX export there ` +
      '(e.g. `optimum-cli export onnx --model <name> <folder>/onnx`, or the onnx/ folder of a model published for ' +
      'transformers.js), or give the folder that holds it.'
    );
  }
  return undefined;
}

/**
 * A sentence-embedding model run locally with ONNX Runtime through `@huggingface/transformers`, an optional
 * dependency that `npm ci` installs (the product runs without it). Pooling follows the model's sentence-transformers
 * settings (1_Pooling/config.json: mean unless it says CLS or last token); vectors are normalised.
 */
export class OnnxEmbedder implements Embedder {
  readonly kind = 'onnx';
  /** Loaded once, however many embeds ask for it while it loads; a failed load is tried again by the next. */
  private extractor: Promise<FeatureExtractor> | undefined;
  private dims = 0;
  private readonly settings: { pooling: Pooling; queryPrefix: string; documentPrefix: string };

  constructor(private readonly options: OnnxEmbedderOptions) {
    const own = sentenceTransformersSettings(options.modelPath);
    this.settings = {
      pooling: own.pooling,
      queryPrefix: options.queryPrefix ?? own.queryPrefix,
      documentPrefix: options.documentPrefix ?? own.documentPrefix,
    };
  }

  model(): string {
    return `onnx:${this.options.modelPath}`;
  }

  dimensions(): number {
    return this.dims;
  }

  async embed(texts: string[], purpose: 'query' | 'document'): Promise<Float32Array[]> {
    const extract = await this.load();
    const prefix = purpose === 'query' ? this.settings.queryPrefix : this.settings.documentPrefix;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 32) {
      const batch = texts.slice(i, i + 32).map((t) => prefix + t);
      const tensor = await extract(batch, { pooling: this.settings.pooling, normalize: true });
      const dims = tensor.dims[tensor.dims.length - 1]!;
      this.dims = dims;
      for (let j = 0; j < batch.length; j++) out.push(tensor.data.slice(j * dims, (j + 1) * dims));
    }
    return out;
  }

  private load(): Promise<FeatureExtractor> {
    this.extractor ??= this.open().catch((error: unknown) => {
      this.extractor = undefined;
      throw error;
    });
    return this.extractor;
  }

  private async open(): Promise<FeatureExtractor> {
    const name = '@huggingface/transformers';
    let lib: { env: Record<string, unknown>; pipeline: (task: string, model: string) => Promise<FeatureExtractor> };
    try {
      lib = (await import(name)) as typeof lib;
    } catch (error) {
      throw new Error(
        'The ONNX embedder needs @huggingface/transformers, an optional dependency: install the dependencies with ' +
          'optional ones (`npm ci`, not `npm ci --omit=optional`), or `npm install @huggingface/transformers`.',
        { cause: error },
      );
    }
    lib.env.allowRemoteModels = this.options.allowRemoteModels ?? false;
    lib.env.allowLocalModels = true;
    return lib.pipeline('feature-extraction', this.options.modelPath);
  }
}

/** The pooling and the prompts a sentence-transformers model folder declares (defaults: mean, no prompts). */
function sentenceTransformersSettings(folder: string): {
  pooling: Pooling;
  queryPrefix: string;
  documentPrefix: string;
} {
  const pooling = readJson(join(folder, '1_Pooling', 'config.json')) as Record<string, unknown> | undefined;
  const prompts = (readJson(join(folder, 'config_sentence_transformers.json')) as { prompts?: unknown } | undefined)
    ?.prompts as Record<string, unknown> | undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    pooling: pooling?.pooling_mode_cls_token
      ? 'cls'
      : pooling?.pooling_mode_lasttoken && !pooling.pooling_mode_mean_tokens
        ? 'last_token'
        : 'mean',
    queryPrefix: text(prompts?.query) ?? '',
    documentPrefix: text(prompts?.document) ?? text(prompts?.passage) ?? '',
  };
}

function readJson(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: fix or remove it.`, { cause: error });
  }
}
