import { escapeHtml } from '../model/html.js';
import type { MatchSet } from './query.js';
import { asciiWords, isAscii, stem, tokenize } from './tokenize.js';

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

function matches(word: string, m: Matcher): boolean {
  if (m.firsts && !m.firsts.has(word[0]!)) return false;
  let hit = m.seen.get(word);
  if (hit === undefined) {
    hit = m.set.stems.has(stem(word)) || m.set.prefixes.some((p) => word.startsWith(p));
    m.seen.set(word, hit);
  }
  return hit;
}

/**
 * The words of `text` and which of them the query matched, in buffers reused from one text to the next (a page marks
 * its hits one after another, synchronously): most words of an abstract fail the first-letter test and are never cut
 * out as strings.
 */
interface Marked {
  n: number;
  start: Int32Array;
  end: Int32Array;
  hit: Uint8Array;
  /** The folded word i (only asked for the matched ones). */
  word(i: number): string;
}

let buffers = { start: new Int32Array(512), end: new Int32Array(512), hit: new Uint8Array(512) };

function mark(text: string, m: Matcher): Marked {
  if (buffers.start.length < text.length / 2 + 1) {
    const size = Math.ceil(text.length / 2) + 1;
    buffers = { start: new Int32Array(size), end: new Int32Array(size), hit: new Uint8Array(size) };
  }
  const { start, end, hit } = buffers;
  let n = 0;
  if (isAscii(text)) {
    const lower = text.toLowerCase();
    asciiWords(lower, (from, to) => {
      start[n] = from;
      end[n] = to;
      hit[n] = (!m.firsts || m.firsts.has(lower[from]!)) && matches(lower.slice(from, to), m) ? 1 : 0;
      n++;
    });
    return { n, start, end, hit, word: (i) => lower.slice(start[i]!, end[i]!) };
  }
  const tokens = tokenize(text);
  for (const t of tokens) {
    start[n] = t.start;
    end[n] = t.end;
    hit[n] = matches(t.word, m) ? 1 : 0;
    n++;
  }
  return { n, start, end, hit, word: (i) => tokens[i]!.word };
}

/** `text` escaped, with `<mark>` around the words the query matched. */
export function highlight(text: string, set: MatchSet): string {
  const marked = mark(text, matcherOf(set));
  return markRange(text, marked, 0, text.length);
}

function markRange(text: string, marked: Marked, from: number, to: number): string {
  let out = '';
  let at = from;
  for (let i = 0; i < marked.n; i++) {
    const s = marked.start[i]!;
    const e = marked.end[i]!;
    if (s < from || e > to || !marked.hit[i]) continue;
    out += `${escapeHtml(text.slice(at, s))}<mark>${escapeHtml(text.slice(s, e))}</mark>`;
    at = e;
  }
  return out + escapeHtml(text.slice(at, to));
}

/** Words in a snippet: about two lines of a results page. */
export const SNIPPET_WORDS = 36;

/**
 * The window of `SNIPPET_WORDS` words of the abstract with the most distinct matched words (then the most
 * matches), highlighted, with an ellipsis where it cuts the abstract. The abstract's start when nothing matches.
 */
export function snippet(text: string, set: MatchSet, size = SNIPPET_WORDS): string {
  const marked = mark(text, matcherOf(set));
  const { n, hit } = marked;
  if (n <= size) return markRange(text, marked, 0, text.length);
  const stems: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) stems[i] = hit[i] ? stem(marked.word(i)) : undefined;
  // A window slides one word at a time: counts of the matched stems inside it, kept up to date.
  const inside = new Map<string, number>();
  let distinct = 0;
  let matched = 0;
  const enter = (s: string | undefined, delta: number) => {
    if (s === undefined) return;
    const count = (inside.get(s) ?? 0) + delta;
    inside.set(s, count);
    matched += delta;
    if (count === 0) distinct--;
    else if (count === 1 && delta > 0) distinct++;
  };
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i + size <= n; i++) {
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
  const start = best === 0 ? 0 : marked.start[best]!;
  const last = Math.min(n, best + size) - 1;
  const end = last === n - 1 ? text.length : marked.end[last]!;
  const body = markRange(text, marked, start, end);
  return `${start > 0 ? '&hellip; ' : ''}${body}${end < text.length ? ' &hellip;' : ''}`;
}
