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
  /** Words by length and first letter (`${length}:${letter}`): typos in the first letter are rare. */
  private byLength: Map<string, string[]> | undefined;

  add(text: string): void {
    for (const w of new Set(words(text))) {
      const f = this.df.get(w);
      this.df.set(w, (f ?? 0) + 1);
      if (f === undefined) this.place(w);
    }
  }

  /** Builds the lookup structures now (at load) rather than on the first search that needs them. */
  prepare(): void {
    this.sortedWords();
    this.byLength ??= groupByLength(this.df.keys());
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

  /** A new word into the lookup structures, when they are built: a paper arriving costs no search a rebuild. */
  private place(w: string): void {
    if (this.byLength) {
      const key = bucket(w);
      const list = this.byLength.get(key);
      if (list) list.push(w);
      else this.byLength.set(key, [w]);
    }
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
    this.byLength ??= groupByLength(this.df.keys());
    const found: { w: string; d: number; f: number }[] = [];
    for (let len = word.length - limit; len <= word.length + limit; len++) {
      for (const w of this.byLength.get(`${len}:${word[0]}`) ?? []) {
        if (w === word || this.df.get(w)! < CORRECTION_ADVANTAGE * Math.max(own, 1)) continue;
        const d = boundedLevenshtein(word, w, limit);
        if (d <= limit) found.push({ w, d, f: this.df.get(w)! });
      }
    }
    found.sort((a, b) => a.d - b.d || b.f - a.f);
    return found.filter((c) => c.d === found[0]!.d).slice(0, max).map((c) => c.w);
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

const bucket = (w: string) => `${w.length}:${w[0]}`;

function groupByLength(keys: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of keys) {
    const key = bucket(k);
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(k);
  }
  return out;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment), or
 * `limit + 1` as soon as it must exceed `limit`.
 */
export function boundedLevenshtein(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, before[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[b.length]!;
}
