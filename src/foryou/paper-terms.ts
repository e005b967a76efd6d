import { STOP_WORDS, stem, words } from '../search/tokenize.js';

/**
 * A paper's words as "For you" compares them: the search's stems (tokenize.ts, the same folding, stop words and
 * Porter stemmer), plus every pair of neighbouring stems ("graph neural", "neural network"). Pairs are phrases that
 * name a method or a topic better than either word: tf-idf centroids with them ranked a reader's next papers
 * 0.214 nDCG@10 against 0.176 without (explored on bench/for-you's development split).
 *
 * A term is a 22-bit hash of its text (FNV-1a), so that the document frequencies of all of arXiv's words and
 * phrases (2.7 million distinct on the 75k-paper corpus) fit in one 16 MB array. Two terms that share a hash share
 * a frequency and match each other: with 4 million buckets that happens to rare phrases, whose weight is small
 * next to what a paper's other hundred terms carry.
 */
export const TERM_BITS = 22;
export const TERM_SPACE = 1 << TERM_BITS;

/** A word this long is a URL, a formula or junk: the search drops it too. */
const MAX_WORD = 40;

export function termHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (TERM_SPACE - 1);
}

/** Term counts of a paper: its title's and its abstract's stems and stem pairs (a pair never spans the two). */
export interface TermCounts {
  /** Term hash → occurrences. */
  counts: Map<number, number>;
  /** Term hash → the words as written (the first time), to show a reader why a paper is there. */
  surface: Map<number, string>;
}

export function paperTerms(title: string, abstract: string): TermCounts {
  const counts = new Map<number, number>();
  const surface = new Map<number, string>();
  for (const text of [title, abstract]) {
    let previous: { stem: string; word: string } | undefined;
    for (const word of words(text)) {
      if (STOP_WORDS.has(word) || word.length >= MAX_WORD) {
        // A stop word breaks a phrase: "learning of graphs" makes no pair "learn graph".
        previous = undefined;
        continue;
      }
      const s = stem(word);
      add(counts, surface, s, word);
      if (previous) add(counts, surface, `${previous.stem} ${s}`, `${previous.word} ${word}`);
      previous = { stem: s, word };
    }
  }
  return { counts, surface };
}

function add(counts: Map<number, number>, surface: Map<number, string>, term: string, shown: string): void {
  const h = termHash(term);
  counts.set(h, (counts.get(h) ?? 0) + 1);
  if (!surface.has(h)) surface.set(h, shown);
}
