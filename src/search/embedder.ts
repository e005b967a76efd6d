import { fitLsa, LsaModel, type LsaOptions, MIN_LSA_DOCUMENTS } from './lsa.js';

/**
 * Turns texts into unit-length vectors whose dot product says how alike two texts are. The search service stores
 * the vectors of every paper under `model()` and searches them in memory.
 */
export interface Embedder {
  /** The family of models (`lsa`, `use-lite`, `openai`, `onnx`): a fitted state is stored under this name in search_models. */
  readonly kind: string;
  /** The model the vectors come from, stored beside each vector; undefined while there is none (LSA not fitted). */
  model(): string | undefined;
  dimensions(): number;
  embed(texts: string[], purpose: 'query' | 'document'): Promise<Float32Array[]>;
  /**
   * For embedders learned from the store's own papers: fit on these texts (in order) and return the state to
   * persist plus the texts' vectors. Embedders that come ready-made have no `fit`. When `signal` aborts, the fit stops
   * at its next step, rejecting with the signal's reason.
   */
  fit?(texts: string[], signal?: AbortSignal): Promise<{ state: Uint8Array; vectors: Float32Array[] } | undefined>;
  /** Restores the state a `fit` returned (read back from the store at start). */
  restore?(state: Uint8Array, model: string): void;
  /**
   * For embedders with a closed vocabulary (LSA): whether a stem (tokenize.ts `terms`) is in it, i.e. whether a
   * query word can move the query's vector at all. Embedders reading any text (subword models) have none.
   */
  knows?(stem: string): boolean;
  /** Ends what the embedder keeps running (a worker thread); it embeds nothing more. */
  close?(): Promise<void>;
}

/** The text of a paper that is embedded: its title, then its abstract. */
export const paperText = (p: { title: string; abstract: string }): string => `${p.title}\n${p.abstract}`;

/** The default embedder: latent semantic analysis fitted on the papers themselves (see lsa.ts). */
export class LsaEmbedder implements Embedder {
  readonly kind = 'lsa';
  private current: LsaModel | undefined;
  private name: string | undefined;

  constructor(
    private readonly options: LsaOptions = {},
    private readonly clock: () => Date = () => new Date(),
  ) {}

  model(): string | undefined {
    return this.name;
  }

  dimensions(): number {
    return this.current?.dimensions ?? 0;
  }

  async embed(texts: string[], _purpose?: 'query' | 'document'): Promise<Float32Array[]> {
    const model = this.current;
    if (!model)
      throw new Error('The LSA model is not fitted yet: run `paperboy refit` (or wait for the scheduled refit).');
    return texts.map((t) => model.embed(t));
  }

  async fit(
    texts: string[],
    signal?: AbortSignal,
  ): Promise<{ state: Uint8Array; vectors: Float32Array[] } | undefined> {
    if (texts.length < MIN_LSA_DOCUMENTS) return undefined;
    const { model, vectors } = await fitLsa(texts, this.options, signal);
    this.current = model;
    this.name = `${this.kind}@${this.clock().toISOString()}`;
    const k = model.dimensions;
    return { state: model.serialize(), vectors: texts.map((_, i) => vectors.subarray(i * k, (i + 1) * k)) };
  }

  knows(stem: string): boolean {
    return this.current?.vocabulary.has(stem) ?? false;
  }

  restore(state: Uint8Array, model: string): void {
    this.current = LsaModel.deserialize(state);
    this.name = model;
  }
}
