import { escapeHtml } from '../model/html.js';
import type { MatchSet } from './query.js';
import { stem, type Token, tokenize } from './tokenize.js';

/** What a match set (one a query, shared by its page of hits) needs to judge words fast. */
interface Matcher {
  /** First characters of its stems and prefixes: Porter stemming changes only suffixes, so a word starting otherwise cannot match. */
  firsts: Set<string> | undefined;
  /** What each word seen so far came to. */
  seen: Map<string, boolean>;
  set: MatchSet;
}

const matchers = new WeakMap<MatchSet, Matcher>();

function matcherOf(set: MatchSet): Matcher {
  let m = matchers.get(set);
  if (!m) {
    const starts = [...set.stems, ...set.prefixes];
    const firsts = starts.every((x) => x.length > 0) ? new Set(starts.map((x) => x[0]!)) : undefined;
    matchers.set(set, (m = { firsts, seen: new Map(), set }));
  }
  return m;
}

function matches(token: Token, m: Matcher): boolean {
  const word = token.word;
  if (m.firsts && !m.firsts.has(word[0]!)) return false;
  let hit = m.seen.get(word);
  if (hit === undefined) {
    hit = m.set.stems.has(stem(word)) || m.set.prefixes.some((p) => word.startsWith(p));
    m.seen.set(word, hit);
  }
  return hit;
}

/** `text` escaped, with `<mark>` around the words the query matched. */
export function highlight(text: string, set: MatchSet): string {
  const tokens = tokenize(text);
  const m = matcherOf(set);
  return markRange(
    text,
    tokens,
    tokens.map((t) => matches(t, m)),
    0,
    text.length,
  );
}

function markRange(text: string, tokens: Token[], hit: boolean[], from: number, to: number): string {
  let out = '';
  let at = from;
  tokens.forEach((t, i) => {
    if (t.start < from || t.end > to || !hit[i]) return;
    out += `${escapeHtml(text.slice(at, t.start))}<mark>${escapeHtml(text.slice(t.start, t.end))}</mark>`;
    at = t.end;
  });
  return out + escapeHtml(text.slice(at, to));
}

/** Words in a snippet: about two lines of a results page. */
export const SNIPPET_WORDS = 36;

/**
 * The window of `SNIPPET_WORDS` words of the abstract with the most distinct matched words (then the most
 * matches), highlighted, with an ellipsis where it cuts the abstract. The abstract's start when nothing matches.
 */
export function snippet(text: string, set: MatchSet, size = SNIPPET_WORDS): string {
  const tokens = tokenize(text);
  const m = matcherOf(set);
  const hit = tokens.map((t) => matches(t, m));
  if (tokens.length <= size) return markRange(text, tokens, hit, 0, text.length);
  const stems = tokens.map((t, i) => (hit[i] ? stem(t.word) : undefined));
  // A window slides one word at a time: counts of the matched stems inside it, kept up to date.
  const inside = new Map<string, number>();
  let distinct = 0;
  let matched = 0;
  const enter = (s: string | undefined, delta: number) => {
    if (s === undefined) return;
    const n = (inside.get(s) ?? 0) + delta;
    inside.set(s, n);
    matched += delta;
    if (n === 0) distinct--;
    else if (n === 1 && delta > 0) distinct++;
  };
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i + size <= tokens.length; i++) {
    if (i === 0) for (let j = 0; j < size; j++) enter(stems[j], 1);
    else {
      enter(stems[i - 1], -1);
      enter(stems[i + size - 1], 1);
    }
    const score = distinct * 1000 + matched;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  const start = best === 0 ? 0 : tokens[best]!.start;
  const last = Math.min(tokens.length, best + size) - 1;
  const end = last === tokens.length - 1 ? text.length : tokens[last]!.end;
  const body = markRange(text, tokens, hit, start, end);
  return `${start > 0 ? '… ' : ''}${body}${end < text.length ? ' …' : ''}`;
}
