import { STOP_WORDS, stem, tokenize, words } from './tokenize.js';

/**
 * A user's query, parsed by us rather than by the database: free words (any may match), "quoted phrases" (must
 * match), -excluded words or -"phrases" (must not), and a trailing word still being typed (matched as a prefix).
 * Every word is letters and digits only, so the expressions built from it can never be a syntax error.
 */
export interface QueryTerm {
  /** Folded word as typed. */
  word: string;
  /** Matched as a prefix too: the last word of a query typed without a final space or punctuation. */
  prefix: boolean;
  /** Other words that also count as this term: typo corrections and completions (folded). */
  alternatives: string[];
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** Each a list of folded words, matched adjacent and in order. */
  phrases: string[][];
  /** Words or phrases a hit must not contain. */
  exclude: string[][];
}

/** Input beyond this is ignored: no real query is longer, and it bounds the work a hostile one can cause. */
export const MAX_QUERY_CHARS = 1000;
/** Free words beyond this are ignored (an abstract pasted as a query still works, just on its first words). */
export const MAX_TERMS = 64;

export function parseQuery(input: string, opts: { prefixLast?: boolean } = {}): ParsedQuery {
  const text = input.slice(0, MAX_QUERY_CHARS);
  const terms: QueryTerm[] = [];
  const phrases: string[][] = [];
  const exclude: string[][] = [];
  const seen = new Set<string>();
  const re = /(-?)"([^"]*)"?|(\S+)/g;
  for (const m of text.matchAll(re)) {
    const negated = m[1] === '-';
    if (m[2] !== undefined) {
      const phrase = words(m[2]).slice(0, MAX_TERMS);
      if (phrase.length === 0) continue;
      if (negated) exclude.push(phrase);
      else if (phrase.length === 1) addTerm(phrase[0]!);
      else phrases.push(phrase);
      continue;
    }
    const raw = m[3]!;
    const parts = words(raw);
    if (raw.startsWith('-') && raw.length > 1 && parts.length > 0) {
      exclude.push(parts);
      continue;
    }
    const explicitPrefix = /\p{L}\*$|\p{N}\*$/u.test(raw);
    for (const [i, w] of parts.entries()) addTerm(w, explicitPrefix && i === parts.length - 1);
  }
  if (opts.prefixLast && terms.length > 0 && /[\p{L}\p{N}]$/u.test(text)) {
    const last = terms[terms.length - 1]!;
    if (last.word.length >= 2 && tokenize(text).at(-1)?.word === last.word) last.prefix = true;
  }
  return { terms: dropStopWords(terms), phrases, exclude };

  function addTerm(word: string, prefix = false): void {
    if (terms.length >= MAX_TERMS || word.length > 60) return;
    const key = `${word}${prefix ? '*' : ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    terms.push({ word, prefix, alternatives: [] });
  }
}

/** Stop words go unless the query is nothing else (a search for "The Who" still searches). */
function dropStopWords(terms: QueryTerm[]): QueryTerm[] {
  const kept = terms.filter((t) => t.prefix || !STOP_WORDS.has(t.word));
  return kept.length > 0 ? kept : terms;
}

export function hasPositive(q: ParsedQuery): boolean {
  return q.terms.length > 0 || q.phrases.length > 0;
}

/** The query's words as one text, for embedding. */
export function queryText(q: ParsedQuery): string {
  return [...q.terms.map((t) => t.word), ...q.phrases.flat()].join(' ');
}

/** What counts as a match when highlighting: stems of whole words, and folded prefixes. */
export interface MatchSet {
  stems: Set<string>;
  prefixes: string[];
}

export function matchSet(q: ParsedQuery): MatchSet {
  const stems = new Set<string>();
  const prefixes: string[] = [];
  for (const t of q.terms) {
    stems.add(stem(t.word));
    for (const a of t.alternatives) stems.add(stem(a));
    if (t.prefix) prefixes.push(t.word);
  }
  for (const p of q.phrases) for (const w of p) if (!STOP_WORDS.has(w)) stems.add(stem(w));
  return { stems, prefixes };
}

// ---- FTS5 -------------------------------------------------------------------------------------------------------

const ftsWord = (w: string) => `"${w.replace(/"/g, '""')}"`;

const ftsPhrase = (p: string[]) => ftsWord(p.join(' '));

/** An FTS5 expression that matches exactly the documents a hit must have (phrases) or must not have (exclusions). */
export function fts5Constraint(q: ParsedQuery, which: 'phrases' | 'exclude'): string | undefined {
  const list = which === 'phrases' ? q.phrases : q.exclude;
  if (list.length === 0) return undefined;
  return list.map(ftsPhrase).join(which === 'phrases' ? ' AND ' : ' OR ');
}
