import { ALTERNATIVE_WEIGHT, K1, type ScoringTerm } from './bm25.js';
import type { MemoryIndex } from './index-store.js';
import { MIN_TYPO_LENGTH } from './lexicon.js';
import { type ParsedQuery, parseQuery } from './query.js';
import { STOP_WORDS, stem } from './tokenize.js';

/**
 * Planning a search: what was typed, parsed (query.ts), with the last word completed while it is being typed and
 * unknown words corrected, then turned into the weighted stems BM25 scores. Pure over the query and the index's words.
 */
export function planQuery(text: string, m: MemoryIndex): ParsedQuery {
  return expand(parseQuery(text, { prefixLast: true }), m);
}

/**
 * Completions of a word still being typed (from titles and author names), and corrections of words the index
 * does not hold at all (to the nearest title or author words).
 */
function expand(q: ParsedQuery, m: MemoryIndex): ParsedQuery {
  for (const t of q.terms) {
    if (t.prefix && !isKnown(m, t.word))
      t.alternatives.push(...m.lexicon.completions(t.word, 3).filter((w) => w !== t.word));
    else if (!t.prefix && t.word.length >= MIN_TYPO_LENGTH) t.alternatives.push(...m.lexicon.corrections(t.word, 2));
  }
  return q;
}

const isKnown = (m: MemoryIndex, word: string) => m.lexicon.frequency(word) > 0 || m.bm25.has(stem(word));

/**
 * The stems BM25 scores, each with its weight: typed words 1 (a prefix the index does not know as a word only
 * through its completions), completions and corrections ALTERNATIVE_WEIGHT, the words of phrases 1.
 */
export function scoringTerms(q: ParsedQuery, m: MemoryIndex): ScoringTerm[] {
  const weights = new Map<string, number>();
  const add = (w: string, weight: number) => {
    const s = stem(w);
    weights.set(s, Math.max(weights.get(s) ?? 0, weight));
  };
  for (const t of q.terms) {
    if (!(t.prefix && !isKnown(m, t.word))) add(t.word, 1);
    for (const a of t.alternatives) add(a, ALTERNATIVE_WEIGHT);
  }
  for (const p of q.phrases) for (const w of p) if (!STOP_WORDS.has(w)) add(w, 1);
  return [...weights].map(([s, weight]) => ({ stem: s, weight }));
}

/**
 * The most BM25 could give one paper for this query: each typed word (or its best correction) saturated in it.
 * A keyword score divided by this is the share of the query a paper matches, comparable between queries: what a
 * saved search's alert threshold is set on (src/digest/sources.ts).
 */
export function bestScore(q: ParsedQuery, m: MemoryIndex): number {
  let sum = 0;
  for (const t of q.terms) {
    let best = t.prefix && !isKnown(m, t.word) ? 0 : m.bm25.idf(stem(t.word));
    for (const a of t.alternatives) best = Math.max(best, ALTERNATIVE_WEIGHT * m.bm25.idf(stem(a)));
    sum += best;
  }
  for (const p of q.phrases) for (const w of p) if (!STOP_WORDS.has(w)) sum += m.bm25.idf(stem(w));
  return sum * (K1 + 1);
}
