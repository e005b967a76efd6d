import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { terms } from './tokenize.js';

/**
 * Latent semantic analysis: TF-IDF vectors of stemmed words, projected on the top singular vectors of the
 * corpus's document-term matrix (a truncated SVD by randomized range finding, Halko, Martinsson & Tropp 2011).
 * A text's embedding is its TF-IDF vector times the term projection, unit length; for a fitted document that is
 * its row of U·Σ, so new papers and queries are "folded in" exactly as the fitted ones were embedded.
 */
export interface LsaOptions {
  /** Dimensions kept. 128 separates topics of 75k papers well and keeps a brute-force scan of them a few ms. */
  dimensions?: number;
  /** Vocabulary cap: the most frequent stems beyond it carry little topic and cost memory. */
  maxTerms?: number;
  /** Stems in fewer documents than this are typos and names: they cannot relate two documents anyway. */
  minDf?: number;
  /** Extra random directions sampled beyond `dimensions`, for the accuracy of the range finder. */
  oversample?: number;
  /** Power iterations: each sharpens the separation of the top singular vectors from the rest. */
  powerIterations?: number;
  seed?: number;
  /**
   * A word of a text's first line (a paper's title, see paperText) counts this many times, as a title counts
   * more in BM25F: the authors' own summary says more of the topic than any sentence of the abstract. A query is
   * one line, so this changes nothing in it. 2 gave hybrid nDCG@10 +0.4% on Cranfield and +1.4% on CACM over 1.
   */
  titleWeight?: number;
}

const DEFAULTS: Required<LsaOptions> = {
  dimensions: 128,
  maxTerms: 80_000,
  minDf: 2,
  oversample: 16,
  powerIterations: 1,
  seed: 20250318,
  titleWeight: 2,
};

/** Fewer documents than this cannot be fitted meaningfully; the search stays keyword-only. */
export const MIN_LSA_DOCUMENTS = 20;

export class LsaModel {
  constructor(
    readonly vocabulary: Map<string, number>,
    readonly idf: Float32Array,
    /** nTerms × dimensions, row-major. */
    readonly projection: Float32Array,
    readonly dimensions: number,
    readonly titleWeight = DEFAULTS.titleWeight,
  ) {}

  /** Sparse TF-IDF weights of a text: sublinear term frequency times idf, unit length. */
  weights(text: string): { cols: number[]; vals: number[] } {
    return this.weightsOfTerms(weightedTerms(text, this.titleWeight));
  }

  weightsOfTerms(stems: string[]): { cols: number[]; vals: number[] } {
    const counts = new Map<number, number>();
    for (const t of stems) {
      const col = this.vocabulary.get(t);
      if (col !== undefined) counts.set(col, (counts.get(col) ?? 0) + 1);
    }
    const cols: number[] = [];
    const vals: number[] = [];
    let norm = 0;
    for (const [col, tf] of counts) {
      const w = (1 + Math.log(tf)) * this.idf[col]!;
      cols.push(col);
      vals.push(w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < vals.length; i++) vals[i]! /= norm;
    return { cols, vals };
  }

  /** The unit-length embedding of a text; all zeros when it shares no word with the vocabulary. */
  embed(text: string): Float32Array {
    const k = this.dimensions;
    const out = new Float32Array(k);
    const { cols, vals } = this.weights(text);
    for (let i = 0; i < cols.length; i++) {
      const row = cols[i]! * k;
      const v = vals[i]!;
      for (let d = 0; d < k; d++) out[d]! += v * this.projection[row + d]!;
    }
    return normalize(out);
  }

  serialize(): Uint8Array {
    const header = Buffer.from(
      JSON.stringify({
        version: 1,
        dimensions: this.dimensions,
        titleWeight: this.titleWeight,
        terms: [...this.vocabulary.keys()],
      }),
    );
    const out = Buffer.alloc(4 + header.length + this.idf.byteLength + this.projection.byteLength);
    out.writeUInt32LE(header.length, 0);
    header.copy(out, 4);
    let at = 4 + header.length;
    for (const arr of [this.idf, this.projection]) {
      Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).copy(out, at);
      at += arr.byteLength;
    }
    return out;
  }

  static deserialize(data: Uint8Array): LsaModel {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const headerLength = buf.readUInt32LE(0);
    const header = JSON.parse(buf.toString('utf8', 4, 4 + headerLength)) as {
      version: number;
      dimensions: number;
      titleWeight?: number;
      terms: string[];
    };
    if (header.version !== 1)
      throw new Error(`Unknown LSA model version ${header.version}: refit the search model (paperboy refit).`);
    const n = header.terms.length;
    const copy = (offset: number, length: number) =>
      new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + length * 4));
    const at = 4 + headerLength;
    const idf = copy(at, n);
    const projection = copy(at + n * 4, n * header.dimensions);
    // Models saved before titleWeight existed were fitted without it: keep embedding new papers as they were.
    return new LsaModel(
      new Map(header.terms.map((t, i) => [t, i])),
      idf,
      projection,
      header.dimensions,
      header.titleWeight ?? 1,
    );
  }
}

/** The stems of a text, those of its first line repeated `titleWeight` times. */
function weightedTerms(text: string, titleWeight: number): string[] {
  const newline = text.indexOf('\n');
  if (newline < 0 || titleWeight === 1) return terms(text);
  const title = terms(text.slice(0, newline));
  const out: string[] = [];
  for (let i = 0; i < titleWeight; i++) out.push(...title);
  out.push(...terms(text.slice(newline + 1)));
  return out;
}

export function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

/** Sparse rows (documents) over term columns. */
interface Csr {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

export interface LsaFit {
  model: LsaModel;
  /** The fitted documents' embeddings, in input order (documents × dimensions, unit rows). */
  vectors: Float32Array;
}

/**
 * Fits on the texts; yields to the event loop every few milliseconds so that a server stays responsive meanwhile,
 * and rejects with the reason of `signal` at the next of those steps once it aborts.
 */
export async function fitLsa(texts: string[], options: LsaOptions = {}, signal?: AbortSignal): Promise<LsaFit> {
  const o = { ...DEFAULTS, ...options };
  const pause = pauser(signal);
  const docs: string[][] = [];
  for (const text of texts) {
    docs.push(weightedTerms(text, o.titleWeight));
    await pause();
  }
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const kept = [...df]
    .filter(([, n]) => n >= o.minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, o.maxTerms);
  const vocabulary = new Map(kept.map(([t], i) => [t, i]));
  const idf = new Float32Array(kept.map(([, n]) => Math.log((docs.length + 1) / n)));
  const provisional = new LsaModel(vocabulary, idf, new Float32Array(0), 0, o.titleWeight);

  const ptr = new Int32Array(docs.length + 1);
  const idx: number[] = [];
  const val: number[] = [];
  docs.forEach((stems, i) => {
    const w = provisional.weightsOfTerms(stems);
    for (let j = 0; j < w.cols.length; j++) {
      idx.push(w.cols[j]!);
      val.push(w.vals[j]!);
    }
    ptr[i + 1] = idx.length;
  });
  const a: Csr = {
    rows: docs.length,
    cols: vocabulary.size,
    ptr,
    idx: Int32Array.from(idx),
    val: Float64Array.from(val),
  };
  const k = Math.max(1, Math.min(o.dimensions, a.rows - 1, a.cols - 1));
  const projection = await termProjection(a, k, o, pause);
  const model = new LsaModel(vocabulary, idf, projection, k, o.titleWeight);
  const vectors = toFloat32(await mulA(a, projection, k, pause));
  for (let i = 0; i < a.rows; i++) normalize(vectors.subarray(i * k, (i + 1) * k));
  return { model, vectors };
}

/**
 * V_k of A = U Σ Vᵀ (nTerms × k, float32): a basis Z of the row space found by subspace iteration on AᵀA from
 * random directions, then the Rayleigh-Ritz step: the eigenvectors W of (AZ)ᵀ(AZ) give V = Z W.
 */
async function termProjection(a: Csr, k: number, o: Required<LsaOptions>, pause: Pause): Promise<Float32Array> {
  const random = gaussian(o.seed);
  let w = Math.min(k + o.oversample, a.rows, a.cols);
  let z: Float64Array = new Float64Array(a.cols * w);
  for (let i = 0; i < z.length; i++) z[i] = random();
  for (let it = 0; it <= o.powerIterations; it++) {
    const next = await mulAt(a, await mulA(a, z, w, pause), w, pause);
    ({ m: z, l: w } = await orthonormalize(next, a.cols, w, it === o.powerIterations ? 2 : 1, pause));
  }
  const { values, vectors } = symmetricEigen(await gram(await mulA(a, z, w, pause), a.rows, w, pause), w);
  const kk = Math.min(k, values.length);
  const out = new Float32Array(a.cols * k);
  for (let j = 0; j < a.cols; j++) {
    for (let r = 0; r < w; r++) {
      const zv = z[j * w + r]!;
      const vr = r * values.length;
      for (let c = 0; c < kk; c++) out[j * k + c]! += zv * vectors[vr + c]!;
    }
  }
  return out;
}

type Pause = () => Promise<void>;

/** Milliseconds of work between two yields to the event loop. */
const SLICE_MS = 25;

function pauser(signal?: AbortSignal): Pause {
  let last = Date.now();
  let calls = 0;
  return async () => {
    signal?.throwIfAborted();
    if ((++calls & 63) !== 0 || Date.now() - last < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = Date.now();
  };
}

function toFloat32(m: Float64Array): Float32Array {
  return Float32Array.from(m);
}

/** A (rows × cols, sparse) times M (cols × l, dense row-major). */
async function mulA(a: Csr, m: Float64Array | Float32Array, l: number, pause: Pause): Promise<Float64Array> {
  const out = new Float64Array(a.rows * l);
  const { ptr, idx, val } = a;
  for (let i = 0; i < a.rows; i++) {
    const o = i * l;
    for (let p = ptr[i]!, end = ptr[i + 1]!; p < end; p++) {
      const v = val[p]!;
      const r = idx[p]! * l;
      for (let c = 0; c < l; c++) out[o + c]! += v * m[r + c]!;
    }
    await pause();
  }
  return out;
}

/** Aᵀ (cols × rows) times M (rows × l). */
async function mulAt(a: Csr, m: Float64Array, l: number, pause: Pause): Promise<Float64Array> {
  const out = new Float64Array(a.cols * l);
  const { ptr, idx, val } = a;
  for (let i = 0; i < a.rows; i++) {
    const r = i * l;
    for (let p = ptr[i]!, end = ptr[i + 1]!; p < end; p++) {
      const v = val[p]!;
      const o = idx[p]! * l;
      for (let c = 0; c < l; c++) out[o + c]! += v * m[r + c]!;
    }
    await pause();
  }
  return out;
}

/** Yᵀ Y of a rows × l row-major matrix. */
async function gram(y: Float64Array, rows: number, l: number, pause: Pause): Promise<Float64Array> {
  const g = new Float64Array(l * l);
  for (let i = 0; i < rows; i++) {
    const o = i * l;
    for (let x = 0; x < l; x++) {
      const v = y[o + x]!;
      if (v === 0) continue;
      const gx = x * l;
      for (let z = x; z < l; z++) g[gx + z]! += v * y[o + z]!;
    }
    await pause();
  }
  for (let x = 0; x < l; x++) for (let z = 0; z < x; z++) g[x * l + z] = g[z * l + x]!;
  return g;
}

/** Eigenvalues (descending, the negligible ones dropped) and eigenvectors (l × kept, row-major) of a symmetric matrix. */
function symmetricEigen(g: Float64Array, l: number): { values: number[]; vectors: Float64Array } {
  const rows: number[][] = [];
  for (let i = 0; i < l; i++) rows.push(Array.from(g.subarray(i * l, (i + 1) * l)));
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const all = eig.realEigenvalues;
  const top = Math.max(...all);
  const order = all
    .map((v, i) => [v, i] as const)
    .filter(([v]) => v > top * 1e-12)
    .sort((x, y) => y[0] - x[0]);
  const w = eig.eigenvectorMatrix;
  const vectors = new Float64Array(l * order.length);
  order.forEach(([, col], c) => {
    for (let r = 0; r < l; r++) vectors[r * order.length + c] = w.get(r, col);
  });
  return { values: order.map(([v]) => v), vectors };
}

/** An orthonormal basis of the columns of Y (rows × l): Y W Λ^-½ from the eigen-decomposition of YᵀY. */
async function orthonormalize(
  y: Float64Array,
  rows: number,
  l: number,
  passes: number,
  pause: Pause,
): Promise<{ m: Float64Array; l: number }> {
  let m = y;
  let width = l;
  for (let pass = 0; pass < passes; pass++) {
    const { values, vectors } = symmetricEigen(await gram(m, rows, width, pause), width);
    const kept = values.length;
    const t = new Float64Array(width * kept);
    for (let r = 0; r < width; r++)
      for (let c = 0; c < kept; c++) t[r * kept + c] = vectors[r * kept + c]! / Math.sqrt(values[c]!);
    const out = new Float64Array(rows * kept);
    for (let i = 0; i < rows; i++) {
      const o = i * width;
      const p = i * kept;
      for (let r = 0; r < width; r++) {
        const v = m[o + r]!;
        if (v === 0) continue;
        const tr = r * kept;
        for (let c = 0; c < kept; c++) out[p + c]! += v * t[tr + c]!;
      }
      await pause();
    }
    m = out;
    width = kept;
  }
  return { m, l: width };
}

/** Standard normal numbers from a seeded generator (mulberry32 + Box-Muller), so that a fit is reproducible. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
