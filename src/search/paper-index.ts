import { Int8Vectors } from './int8-vectors.js';

/**
 * What the search keeps in memory for each paper: the fields filters look at and its embedding, in flat typed
 * arrays indexed by slot, so that a semantic query is one pass over contiguous memory.
 */
export interface PaperMeta {
  id: string;
  /** YYYY-MM-DD, the feed day; null when unknown. */
  feedDay: string | null;
  hasCode: boolean;
  categories: string[];
}

export interface Filters {
  categories?: string[] | undefined;
  excludeCategories?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  hasCode?: boolean | undefined;
  /** Only these papers (the author filter, resolved in the store). */
  only?: Set<string> | undefined;
}

export interface Scored {
  id: string;
  score: number;
}

/** Below this many papers a semantic query compares every vector in full. */
export const EXACT_SCAN_BELOW = 20_000;
/**
 * Above it, a first pass compares the 8-bit copies of the vectors (int8-vectors.ts) and the best 1.5k + 50 are
 * compared in full. On the corpus's LSA vectors, 300 queries (mixtures of one to four papers' vectors): the best 250
 * of the first pass already held the exact top 200 of every query, the best 220 that of 295. A first pass on the
 * leading 32 float dimensions, as before, kept 78% of them. Each paper compared in full is a read from memory (its
 * vector lies anywhere in the vectors).
 */
export const RESCORED = (k: number): number => Math.ceil(1.5 * k) + 50;

const dayNumber = (day: string | null): number => (day ? Number(day.slice(0, 10).replace(/-/g, '')) || 0 : 0);

/** The papers' filter fields and vectors by slot (snapshot.ts saves them). */
export interface PaperIndexState {
  ids: string[];
  days: Int32Array;
  code: Uint8Array;
  alive: Uint8Array;
  /** Slot s's categories are categoryIds[catOffsets[s]..catOffsets[s + 1]), ids into `categories`. */
  catOffsets: Int32Array;
  catIds: Int32Array;
  categories: string[];
  /** 0 when there are no vectors; else slot s's vector is vectors[s * dimensions ..], when hasVector[s] is 1. */
  dimensions: number;
  vectors: Float32Array;
  hasVector: Uint8Array;
}

export class PaperIndex {
  private ids: string[] = [];
  private readonly slots = new Map<string, number>();
  private days = new Int32Array(1024);
  private code = new Uint8Array(1024);
  private alive = new Uint8Array(1024);
  private cats: number[][] = [];
  private readonly categoryIds = new Map<string, number>();
  private vectors = new Float32Array(0);
  /** The vectors in 8 bits, for the first pass. */
  private int8: Int8Vectors | undefined;
  private hasVector = new Uint8Array(1024);
  private dims = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  state(): PaperIndexState {
    const n = this.ids.length;
    const catOffsets = new Int32Array(n + 1);
    for (let s = 0; s < n; s++) catOffsets[s + 1] = catOffsets[s]! + (this.cats[s]?.length ?? 0);
    const catIds = new Int32Array(catOffsets[n]!);
    for (let s = 0; s < n; s++) catIds.set(this.cats[s] ?? [], catOffsets[s]!);
    return {
      ids: [...this.ids],
      days: this.days.slice(0, n),
      code: this.code.slice(0, n),
      alive: this.alive.slice(0, n),
      catOffsets,
      catIds,
      categories: [...this.categoryIds.keys()],
      dimensions: this.dims,
      vectors: this.vectors.slice(0, n * this.dims),
      hasVector: this.hasVector.slice(0, n),
    };
  }

  static fromState(state: PaperIndexState): PaperIndex {
    const index = new PaperIndex();
    const n = state.ids.length;
    if (
      state.days.length !== n ||
      state.code.length !== n ||
      state.alive.length !== n ||
      state.catOffsets.length !== n + 1 ||
      state.hasVector.length !== n ||
      state.vectors.length !== n * state.dimensions
    )
      throw new Error('the paper arrays do not fit together');
    for (const c of state.categories) index.categoryId(c);
    index.grow(n);
    for (let s = 0; s < n; s++) {
      const id = state.ids[s]!;
      index.ids.push(id);
      index.slots.set(id, s);
      index.cats[s] = Array.from(state.catIds.subarray(state.catOffsets[s]!, state.catOffsets[s + 1]!));
      if (state.alive[s]) index.live++;
    }
    index.days.set(state.days);
    index.code.set(state.code);
    index.alive.set(state.alive);
    if (state.dimensions > 0) {
      index.resetVectors(state.dimensions);
      index.int8?.reserve(n);
      for (let s = 0; s < n; s++) {
        if (state.hasVector[s] !== 1 || state.alive[s] !== 1) continue;
        index.setVector(state.ids[s]!, state.vectors.subarray(s * state.dimensions, (s + 1) * state.dimensions));
      }
    }
    return index;
  }

  get dimensions(): number {
    return this.dims;
  }

  feedDay(id: string): number {
    const s = this.slots.get(id);
    return s === undefined ? 0 : this.days[s]!;
  }

  has(id: string): boolean {
    const s = this.slots.get(id);
    return s !== undefined && this.alive[s] === 1;
  }

  hasVectorFor(id: string): boolean {
    const s = this.slots.get(id);
    return s !== undefined && this.hasVector[s] === 1;
  }

  vectorOf(id: string): Float32Array | undefined {
    const s = this.slots.get(id);
    if (s === undefined || !this.hasVector[s]) return undefined;
    return this.vectors.subarray(s * this.dims, (s + 1) * this.dims);
  }

  /** Drops every vector and sets the dimension of those to come (a new model). */
  resetVectors(dimensions: number): void {
    this.dims = dimensions;
    this.vectors = new Float32Array(this.days.length * dimensions);
    this.int8 = dimensions > 0 ? new Int8Vectors(dimensions) : undefined;
    this.hasVector.fill(0);
  }

  /**
   * Adds a paper, or updates one in place; with `moveSlot` an indexed paper moves to a new slot (its text changed,
   * and the keyword index's postings for the old slot must stop counting), keeping its vector. Returns the slot.
   */
  upsert(meta: PaperMeta, moveSlot = false): number {
    let s = this.slots.get(meta.id);
    if (s !== undefined && moveSlot) {
      const old = s;
      const vector = this.hasVector[old] ? this.vectors.slice(old * this.dims, (old + 1) * this.dims) : undefined;
      this.remove(meta.id);
      s = this.newSlot(meta.id);
      if (vector) this.setVector(meta.id, vector);
    }
    if (s === undefined) s = this.newSlot(meta.id);
    if (!this.alive[s]) this.live++;
    this.alive[s] = 1;
    this.days[s] = dayNumber(meta.feedDay);
    this.code[s] = meta.hasCode ? 1 : 0;
    this.cats[s] = meta.categories.map((c) => this.categoryId(c));
    return s;
  }

  private newSlot(id: string): number {
    const s = this.ids.length;
    this.ids.push(id);
    this.slots.set(id, s);
    this.grow(s + 1);
    return s;
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  idOf(slot: number): string {
    return this.ids[slot]!;
  }

  /** Whether a slot holds a live paper that passes the filters. */
  allow(filters: Filters): (slot: number) => boolean {
    const p = this.predicate(filters);
    return p ? (s) => this.alive[s] === 1 && p(s) : (s) => this.alive[s] === 1;
  }

  setVector(id: string, vector: Float32Array): void {
    const s = this.slots.get(id);
    if (s === undefined) return;
    if (this.dims === 0) this.resetVectors(vector.length);
    if (vector.length !== this.dims) return;
    this.vectors.set(vector, s * this.dims);
    this.int8?.set(s, vector);
    this.hasVector[s] = 1;
  }

  remove(id: string): void {
    const s = this.slots.get(id);
    if (s === undefined || !this.alive[s]) return;
    this.alive[s] = 0;
    this.hasVector[s] = 0;
    this.live--;
  }

  private categoryId(c: string): number {
    let id = this.categoryIds.get(c);
    if (id === undefined) this.categoryIds.set(c, (id = this.categoryIds.size));
    return id;
  }

  private grow(n: number): void {
    if (n <= this.days.length) return;
    const size = Math.max(n, this.days.length * 2);
    const extend = <T extends Int32Array | Uint8Array | Float32Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a);
      return b;
    };
    this.days = extend(this.days, size);
    this.code = extend(this.code, size);
    this.alive = extend(this.alive, size);
    this.hasVector = extend(this.hasVector, size);
    this.vectors = extend(this.vectors, size * this.dims);
  }

  /** A predicate over slots for the filters, or undefined when nothing is filtered. */
  private predicate(f: Filters): ((s: number) => boolean) | undefined {
    const include = f.categories?.length ? new Set(f.categories.map((c) => this.categoryIds.get(c) ?? -1)) : undefined;
    const exclude = f.excludeCategories?.length
      ? new Set(f.excludeCategories.map((c) => this.categoryIds.get(c) ?? -1))
      : undefined;
    const from = f.from ? dayNumber(f.from) : 0;
    const to = f.to ? dayNumber(f.to) : 0;
    const only = f.only ? new Set([...f.only].map((id) => this.slots.get(id) ?? -1)) : undefined;
    if (!include && !exclude && !from && !to && f.hasCode === undefined && !only) return undefined;
    return (s) => {
      if (only && !only.has(s)) return false;
      if (from && this.days[s]! < from) return false;
      if (to && (this.days[s]! > to || this.days[s] === 0)) return false;
      if (f.hasCode !== undefined && (this.code[s] === 1) !== f.hasCode) return false;
      const cats = this.cats[s]!;
      if (include && !cats.some((c) => include.has(c))) return false;
      if (exclude && cats.some((c) => exclude.has(c))) return false;
      return true;
    };
  }

  /** Whether a paper passes the filters. */
  passes(id: string, f: Filters): boolean {
    const s = this.slots.get(id);
    if (s === undefined || !this.alive[s]) return false;
    return this.predicate(f)?.(s) ?? true;
  }

  /** The `k` papers whose vectors are nearest the (unit) query among those passing the filters, best first. */
  nearest(query: Float32Array, k: number, filters: Filters = {}, excludeId?: string): Scored[] {
    const d = this.dims;
    if (d === 0 || query.length !== d || k <= 0) return [];
    const allow = this.predicate(filters);
    const skip = excludeId === undefined ? -1 : (this.slots.get(excludeId) ?? -1);
    const n = this.ids.length;
    const has = this.hasVector;
    const exact = new TopK(k);
    if (this.live < EXACT_SCAN_BELOW || !this.int8) {
      for (let s = 0; s < n; s++) {
        if (has[s] !== 1 || s === skip || (allow !== undefined && !allow(s))) continue;
        exact.push(s, dot(this.vectors, s * d, query, d));
      }
    } else {
      const scores = this.int8.scan(query, n);
      const want = RESCORED(k);
      const passes = (s: number) => has[s] === 1 && s !== skip && (allow === undefined || allow(s));
      // Unfiltered, a floor from a sample of the scores leaves a few candidates per wanted one to test; should fewer
      // than wanted pass it, the scan is read again without it.
      const sampled = allow === undefined ? sampledFloor(scores, n, want) : -Infinity;
      let first = candidates(scores, n, want, sampled, passes);
      if (!first.full && sampled > -Infinity) first = candidates(scores, n, want, -Infinity, passes);
      first.each((slot) => exact.push(slot, dot(this.vectors, slot * d, query, d)));
    }
    return exact.sorted().map(({ slot, score }) => ({ id: this.ids[slot]!, score }));
  }

  /** Ids of the papers still indexed that lack a vector. */
  missingVectors(): string[] {
    const out: string[] = [];
    for (let s = 0; s < this.ids.length; s++) if (this.alive[s] && !this.hasVector[s]) out.push(this.ids[s]!);
    return out;
  }
}

/** Rows above the floor by the first pass's scores: the best `want` of those that pass. */
function candidates(
  scores: Float32Array,
  n: number,
  want: number,
  floor: number,
  passes: (s: number) => boolean,
): TopK {
  const top = new TopK(want);
  let min = floor;
  for (let s = 0; s < n; s++) {
    const score = scores[s]!;
    if (score <= min || !passes(s)) continue;
    top.push(s, score);
    if (top.full) min = Math.max(floor, top.min);
  }
  return top;
}

/** Rows sampled for the floor: one in this many. */
const SAMPLE_EVERY = 16;
/** The floor lets through about this many rows per wanted one (it is estimated). */
const FLOOR_SLACK = 2;

/** A floor that about FLOOR_SLACK × want of the n scores exceed, from a sample of them (-Infinity when n is small). */
function sampledFloor(scores: Float32Array, n: number, want: number): number {
  const m = Math.ceil((want * FLOOR_SLACK) / SAMPLE_EVERY);
  if (n < m * SAMPLE_EVERY * 4) return -Infinity;
  const top = new TopK(m);
  for (let s = 0; s < n; s += SAMPLE_EVERY) top.push(s, scores[s]!);
  // A vector of NaN or infinite components scores NaN, which no floor may become.
  return Number.isFinite(top.min) ? top.min : -Infinity;
}

/** The dot product of v[offset .. offset + d) with q[0 .. d). */
function dot(v: Float32Array, offset: number, q: Float32Array, d: number): number {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    a0 += v[offset + i]! * q[i]!;
    a1 += v[offset + i + 1]! * q[i + 1]!;
    a2 += v[offset + i + 2]! * q[i + 2]!;
    a3 += v[offset + i + 3]! * q[i + 3]!;
  }
  for (; i < d; i++) a0 += v[offset + i]! * q[i]!;
  return a0 + a1 + a2 + a3;
}

/** The k largest scores seen, in a binary min-heap. */
export class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.slots = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** Whether k scores are held: a score must then beat `min` to get in. */
  get full(): boolean {
    return this.n === this.k;
  }

  /** The smallest score held. */
  get min(): number {
    return this.scores[0]!;
  }

  push(slot: number, score: number): void {
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.scores[p]! <= score) break;
        this.scores[i] = this.scores[p]!;
        this.slots[i] = this.slots[p]!;
        i = p;
      }
      this.scores[i] = score;
      this.slots[i] = slot;
      return;
    }
    if (score <= this.scores[0]!) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.scores[r]! < this.scores[l]! ? r : l;
      if (this.scores[c]! >= score) break;
      this.scores[i] = this.scores[c]!;
      this.slots[i] = this.slots[c]!;
      i = c;
    }
    this.scores[i] = score;
    this.slots[i] = slot;
  }

  /** Each slot held, in no particular order. */
  each(visit: (slot: number, score: number) => void): void {
    for (let i = 0; i < this.n; i++) visit(this.slots[i]!, this.scores[i]!);
  }

  sorted(): { slot: number; score: number }[] {
    const out: { slot: number; score: number }[] = [];
    for (let i = 0; i < this.n; i++) out.push({ slot: this.slots[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score);
  }
}
