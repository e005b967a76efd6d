import { normalize } from './lsa.js';
import type { Embedder } from './embedder.js';

export interface OpenAiEmbedderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `http://127.0.0.1:11434/v1` (Ollama), `https://api.openai.com/v1`. */
  url: string;
  model: string;
  apiKey?: string | undefined;
  /** Texts per request. */
  batchSize?: number | undefined;
  /** Stored with the vectors; defaults to `openai:<model>`. */
  name?: string | undefined;
  fetch?: typeof fetch;
}

/** Embeddings from an OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, TEI, vLLM, LM Studio). */
export class OpenAiEmbedder implements Embedder {
  readonly kind = 'openai';
  private dims = 0;

  constructor(private readonly options: OpenAiEmbedderOptions) {}

  model(): string {
    return this.options.name ?? `openai:${this.options.model}`;
  }

  dimensions(): number {
    return this.dims;
  }

  async embed(texts: string[], _purpose?: 'query' | 'document'): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const size = this.options.batchSize ?? 64;
    for (let i = 0; i < texts.length; i += size) out.push(...(await this.request(texts.slice(i, i + size))));
    return out;
  }

  private async request(input: string[]): Promise<Float32Array[]> {
    const url = `${this.options.url.replace(/\/+$/, '')}/embeddings`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await (this.options.fetch ?? fetch)(url, { method: 'POST', headers, body: JSON.stringify({ model: this.options.model, input }) });
    if (!response.ok) {
      const body = (await response.text()).slice(0, 300);
      throw new Error(`The embeddings endpoint ${url} answered ${response.status}: ${body}. Check the URL, the model name and the API key.`);
    }
    const json = (await response.json()) as { data?: { index?: number; embedding?: number[] }[] };
    if (!Array.isArray(json.data) || json.data.length !== input.length) {
      throw new Error(`The embeddings endpoint ${url} returned ${json.data?.length ?? 'no'} embeddings for ${input.length} texts: is it OpenAI-compatible?`);
    }
    const sorted = [...json.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((d) => {
      if (!Array.isArray(d.embedding)) throw new Error(`The embeddings endpoint ${url} returned an entry without an embedding.`);
      if (this.dims === 0) this.dims = d.embedding.length;
      if (d.embedding.length !== this.dims) throw new Error(`The embeddings endpoint ${url} changed dimensions (${this.dims} to ${d.embedding.length}).`);
      return normalize(Float32Array.from(d.embedding));
    });
  }
}

export interface OnnxEmbedderOptions {
  /** A local model directory in the Hugging Face layout (config.json, tokenizer.json, onnx/model.onnx). */
  modelPath: string;
  /** Fetch models from the Hugging Face hub when missing locally (off by default: nothing is downloaded). */
  allowRemoteModels?: boolean;
  /** Some models (E5, BGE) want a prefix such as "query: " on queries. */
  queryPrefix?: string;
  documentPrefix?: string;
}

type FeatureExtractor = (texts: string[], opts: { pooling: 'mean'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

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
      throw new Error('The ONNX embedder needs @huggingface/transformers: npm_config_onnxruntime_node_install=skip npm install @huggingface/transformers', { cause: error });
    }
    lib.env.allowRemoteModels = this.options.allowRemoteModels ?? false;
    lib.env.allowLocalModels = true;
    this.extractor = await lib.pipeline('feature-extraction', this.options.modelPath);
    return this.extractor;
  }
}
