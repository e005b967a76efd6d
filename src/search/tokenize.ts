import { porterStem } from './porter.js';

/**
 * Words as the full-text index sees them (FTS5 `unicode61 remove_diacritics 2`): runs of letters and digits,
 * folded to lower case without accents.
 */
export interface Token {
  /** The folded word. */
  word: string;
  /** Where the word is in the original text (UTF-16 offsets), for highlighting. */
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

const ASCII = /^[\x00-\x7f]*$/;

/** Whether the text is all ASCII: then tokenize() cuts it in one pass, with the text's own offsets. */
export const isAscii = (text: string): boolean => ASCII.test(text);

export function fold(text: string): string {
  const lower = text.toLowerCase();
  return ASCII.test(lower) ? lower : lower.normalize('NFKD').replace(/\p{M}+/gu, '');
}

/**
 * The words of lower-cased ASCII text, in order: runs of [a-z0-9]. Lower case keeps ASCII's length, so the offsets are
 * the original text's too.
 */
export function asciiWords(lower: string, each: (start: number, end: number) => void): void {
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 0;
    const inWord = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (inWord && start < 0) start = i;
    else if (!inWord && start >= 0) {
      each(start, i);
      start = -1;
    }
  }
}

/** Tokens with their positions in `text`. Folding can change lengths, so each word is folded on its own. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  if (isAscii(text)) {
    const lower = text.toLowerCase();
    asciiWords(lower, (start, end) => out.push({ word: lower.slice(start, end), start, end }));
    return out;
  }
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    out.push({ word: fold(m[0]), start, end: start + m[0].length });
  }
  return out;
}

/** Folded words, without positions (faster). */
export function words(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

const stemCache = new Map<string, string>();
/** Distinct words the stem cache holds before it starts over: a corpus has fewer, a flood of junk cannot grow it. */
const STEM_CACHE_SIZE = 500_000;

export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    if (stemCache.size >= STEM_CACHE_SIZE) stemCache.clear();
    s = porterStem(word);
    stemCache.set(word, s);
  }
  return s;
}

/** Stemmed terms of a text, stop words dropped: the vocabulary of BM25 statistics and of LSA. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP_WORDS.has(w) && w.length < 40) out.push(stem(w));
  return out;
}

/**
 * Words too common to say anything about a document (the SMART list's core). Dropped from free-text queries
 * (they would only slow the index down), kept inside quoted phrases.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are
as at be because been before being below between both but by can could did do does doing down during each either
few for from further had has have having he her here hers herself him himself his how i if in into is it its itself
just may me might more most must my myself no nor not now of off on once only or other our ours ourselves out over
own same shall she should so some such than that the their theirs them themselves then there these they this those
through to too under until up upon us very via was we were what when where which while who whom why will with
within without would you your yours yourself yourselves`.split(/\s+/),
);
