import type { Embedder } from './embedder.js';
import { normalize } from './lsa.js';

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
    const response = await (this.options.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: this.options.model, input }),
    });
    if (!response.ok) {
      const body = (await response.text()).slice(0, 300);
      throw new Error(
        `The embeddings endpoint ${url} answered ${response.status}: ${body}. Check the URL, the model name and the API key.`,
      );
    }
    const json = (await response.json()) as { data?: { index?: number; embedding?: number[] }[] };
    if (!Array.isArray(json.data) || json.data.length !== input.length) {
      throw new Error(
        `The embeddings endpoint ${url} returned ${json.data?.length ?? 'no'} embeddings for ${input.length} texts: is it OpenAI-compatible?`,
      );
    }
    const sorted = [...json.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((d) => {
      if (!Array.isArray(d.embedding))
        throw new Error(`The embeddings endpoint ${url} returned an entry without an embedding.`);
      if (this.dims === 0) this.dims = d.embedding.length;
      if (d.embedding.length !== this.dims)
        throw new Error(`The embeddings endpoint ${url} changed dimensions (${this.dims} to ${d.embedding.length}).`);
      return normalize(Float32Array.from(d.embedding));
    });
  }
}
