import type { MatchSet } from './query.js';
import { stem, tokenize, type Token } from './tokenize.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function matches(token: Token, set: MatchSet): boolean {
  if (set.stems.has(stem(token.word))) return true;
  for (const p of set.prefixes) if (token.word.startsWith(p)) return true;
  return false;
}

/** `text` escaped, with `<mark>` around the words the query matched. */
export function highlight(text: string, set: MatchSet): string {
  return markRange(text, tokenize(text), set, 0, text.length);
}

function markRange(text: string, tokens: Token[], set: MatchSet, from: number, to: number): string {
  let out = '';
  let at = from;
  for (const t of tokens) {
    if (t.start < from || t.end > to || !matches(t, set)) continue;
    out += `${escapeHtml(text.slice(at, t.start))}<mark>${escapeHtml(text.slice(t.start, t.end))}</mark>`;
    at = t.end;
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
  const tokens = tokenize(text);
  if (tokens.length <= size) return highlight(text, set);
  const hit = tokens.map((t) => (matches(t, set) ? stem(t.word) : undefined));
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i + size <= tokens.length; i++) {
    const window = hit.slice(i, i + size).filter((h): h is string => h !== undefined);
    const score = new Set(window).size * 1000 + window.length;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  const start = best === 0 ? 0 : tokens[best]!.start;
  const last = Math.min(tokens.length, best + size) - 1;
  const end = last === tokens.length - 1 ? text.length : tokens[last]!.end;
  const body = markRange(text, tokens, set, start, end);
  return `${start > 0 ? '… ' : ''}${body}${end < text.length ? ' …' : ''}`;
}
