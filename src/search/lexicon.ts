import { words } from './tokenize.js';

/**
 * The words of titles and author names with their document frequencies, for typo tolerance and for completing
 * the word being typed. Kept in memory, added to as papers arrive (a removed paper's words stay counted until
 * the next start; a frequency off by a few changes no correction).
 */
export class Lexicon {
  private readonly df = new Map<string, number>();
  private sorted: string[] | undefined;
  /** Words new since `sorted` was built, not in it yet. */
  private unsorted: string[] = [];
  /**
   * The words frequent enough to be offered as corrections (CORRECTION_ADVANTAGE), by length and first letter
   * (`${length}:${letter}`: typos in the first letter are rare). Most words are rarer: a typo is compared with
   * a few thousand words, not with every word of its length.
   */
  private byLength: Map<string, Bucket> | undefined;

  /** Every word with its document frequency (snapshot.ts). */
  state(): { words: string[]; counts: Int32Array } {
    return { words: [...this.df.keys()], counts: Int32Array.from(this.df.values()) };
  }

  static fromState(state: { words: string[]; counts: Int32Array }): Lexicon {
    const lexicon = new Lexicon();
    for (const [i, w] of state.words.entries()) lexicon.df.set(w, state.counts[i]!);
    return lexicon;
  }

  add(text: string): void {
    for (const w of new Set(words(text))) {
      const f = (this.df.get(w) ?? 0) + 1;
      this.df.set(w, f);
      if (f === 1) this.place(w);
      if (f === CORRECTION_ADVANTAGE && this.byLength) addToBucket(this.byLength, w);
    }
  }

  /** Builds the lookup structures now (at load) rather than on the first search that needs them. */
  prepare(): void {
    this.sortedWords();
    this.candidates();
  }

  private candidates(): Map<string, Bucket> {
    if (!this.byLength) {
      this.byLength = new Map();
      for (const [w, f] of this.df) if (f >= CORRECTION_ADVANTAGE) addToBucket(this.byLength, w);
    }
    return this.byLength;
  }

  private sortedWords(): string[] {
    if (!this.sorted) {
      this.sorted = [...this.df.keys()].sort();
      this.unsorted = [];
    } else if (this.unsorted.length) {
      this.sorted = merge(this.sorted, this.unsorted.sort());
      this.unsorted = [];
    }
    return this.sorted;
  }

  /** A new word into the sorted list, when it is built: a paper arriving costs no search a rebuild. */
  private place(w: string): void {
    // Merged into the sorted list by the next completion: a harvest of many new words costs one merge, not a splice each.
    if (this.sorted) this.unsorted.push(w);
  }

  get size(): number {
    return this.df.size;
  }

  frequency(word: string): number {
    return this.df.get(word) ?? 0;
  }

  /**
   * Known words within the edit distance a word of this length tolerates (none under `MIN_TYPO_LENGTH`,
   * 1 up to 7 letters, 2 beyond), most frequent first.
   */
  corrections(word: string, max = 3): string[] {
    if (word.length < MIN_TYPO_LENGTH || /\d/.test(word)) return [];
    const limit = word.length >= 8 ? 2 : 1;
    const own = this.frequency(word);
    if (own >= TYPO_MAX_FREQUENCY) return [];
    const buckets = this.candidates();
    const mask = letterMask(word);
    const found: { w: string; d: number; f: number }[] = [];
    for (let len = word.length - limit; len <= word.length + limit; len++) {
      const b = buckets.get(`${len}:${word[0]}`);
      if (!b) continue;
      for (let i = 0; i < b.words.length; i++) {
        // Each edit adds or removes at most two letters from the set of letters a word uses.
        if (popcount(b.masks[i]! ^ mask) > 2 * limit) continue;
        const w = b.words[i]!;
        const f = this.df.get(w)!;
        if (w === word || f < CORRECTION_ADVANTAGE * Math.max(own, 1)) continue;
        const d = boundedLevenshtein(word, w, limit);
        if (d <= limit) found.push({ w, d, f });
      }
    }
    found.sort((a, b) => a.d - b.d || b.f - a.f);
    return found
      .filter((c) => c.d === found[0]!.d)
      .slice(0, max)
      .map((c) => c.w);
  }

  /** The most frequent known words that start with `prefix` (at most `scan` of them are looked at). */
  completions(prefix: string, max = 3, scan = 5000): string[] {
    const sorted = this.sortedWords();
    const lo = lowerBound(sorted, prefix);
    const found: string[] = [];
    for (let i = lo; i < sorted.length && i < lo + scan && sorted[i]!.startsWith(prefix); i++) found.push(sorted[i]!);
    return found.sort((a, b) => this.df.get(b)! - this.df.get(a)!).slice(0, max);
  }
}

/** Typos in words shorter than this are not corrected: too many real words are one edit apart. */
export const MIN_TYPO_LENGTH = 4;
/** A word in this many titles or author lists is taken as meant, not as a typo. */
export const TYPO_MAX_FREQUENCY = 3;
/** A correction must be this many times more frequent than the word typed. */
export const CORRECTION_ADVANTAGE = 10;

/** Two sorted lists as one. */
function merge(a: string[], b: string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** The first position in `sorted` whose word is not below `w`. */
function lowerBound(sorted: string[], w: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < w) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Bucket {
  words: string[];
  /** Per word, the letters it uses (letterMask). */
  masks: number[];
}

function addToBucket(buckets: Map<string, Bucket>, w: string): void {
  const key = `${w.length}:${w[0]}`;
  let b = buckets.get(key);
  if (!b) buckets.set(key, (b = { words: [], masks: [] }));
  b.words.push(w);
  b.masks.push(letterMask(w));
}

/** One bit per letter a-z and digit (folded together past 32), set when the word uses it. */
function letterMask(w: string): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m |= 1 << (w.charCodeAt(i) % 32);
  return m;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment), or
 * `limit + 1` as soon as it must exceed `limit`.
 */
export function boundedLevenshtein(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const width = b.length + 1;
  if (rows.length < 3 * width) rows = new Int32Array(6 * width);
  // Three rows of the table, reused from call to call: before (i - 2), prev (i - 1) and cur (i).
  let before = 0;
  let prev = width;
  let cur = 2 * width;
  for (let j = 0; j < width; j++) rows[prev + j] = j;
  for (let i = 1; i <= a.length; i++) {
    rows[cur] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      let v = Math.min(rows[prev + j]! + 1, rows[cur + j - 1]! + 1, rows[prev + j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj)
        v = Math.min(v, rows[before + j - 2]! + 1);
      rows[cur + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [before, prev, cur] = [prev, cur, before];
  }
  return rows[prev + b.length]!;
}

let rows = new Int32Array(96);
