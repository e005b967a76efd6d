import type { Embedder } from './embedder.js';

export interface OnnxEmbedderOptions {
  /**
   * A local model directory in the Hugging Face layout (config.json, tokenizer.json, onnx/model.onnx), as an absolute
   * path: transformers.js reads a relative one like `org/name` as a hub model id.
   */
  modelPath: string;
  /** Fetch models from the Hugging Face hub when missing locally (off by default: nothing is downloaded). */
  allowRemoteModels?: boolean;
  /** Some models (E5, BGE) want a prefix such as "query: " on queries. */
  queryPrefix?: string;
  documentPrefix?: string;
}

type FeatureExtractor = (
  texts: string[],
  opts: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

/**
 * A sentence-embedding model run locally with ONNX Runtime through `@huggingface/transformers`, which is an
 * optional dependency: install it (`npm_config_onnxruntime_node_install=skip npm install @huggingface/transformers`)
 * to use this embedder.
 */
export class OnnxEmbedder implements Embedder {
  readonly kind = 'onnx';
  private extractor: FeatureExtractor | undefined;
  private dims = 0;

  constructor(private readonly options: OnnxEmbedderOptions) {}

  model(): string {
    return `onnx:${this.options.modelPath}`;
  }

  dimensions(): number {
    return this.dims;
  }

  async embed(texts: string[], purpose: 'query' | 'document'): Promise<Float32Array[]> {
    const extract = await this.load();
    const prefix = (purpose === 'query' ? this.options.queryPrefix : this.options.documentPrefix) ?? '';
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 32) {
      const batch = texts.slice(i, i + 32).map((t) => prefix + t);
      const tensor = await extract(batch, { pooling: 'mean', normalize: true });
      const dims = tensor.dims[tensor.dims.length - 1]!;
      this.dims = dims;
      for (let j = 0; j < batch.length; j++) out.push(tensor.data.slice(j * dims, (j + 1) * dims));
    }
    return out;
  }

  private async load(): Promise<FeatureExtractor> {
    if (this.extractor) return this.extractor;
    const name = '@huggingface/transformers';
    let lib: { env: Record<string, unknown>; pipeline: (task: string, model: string) => Promise<FeatureExtractor> };
    try {
      lib = (await import(name)) as typeof lib;
    } catch (error) {
      throw new Error(
        'The ONNX embedder needs @huggingface/transformers: npm_config_onnxruntime_node_install=skip npm install @huggingface/transformers',
        { cause: error },
      );
    }
    lib.env.allowRemoteModels = this.options.allowRemoteModels ?? false;
    lib.env.allowLocalModels = true;
    this.extractor = await lib.pipeline('feature-extraction', this.options.modelPath);
    return this.extractor;
  }
}
