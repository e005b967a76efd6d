import { describe, expect, it } from 'vitest';
import { SNIPPET_WORDS, snippet } from './highlight.js';
import { matchSet, parseQuery } from './query.js';

describe('the snippet of an abstract', () => {
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

  it('cuts around the match with an ellipsis entity at each cut, and escapes the text', () => {
    const text = `${filler(60)} <b>graph</b> & networks ${filler(60)}`;
    const out = snippet(text, matchSet(parseQuery('networks')));
    expect(out.startsWith('&hellip; ')).toBe(true);
    expect(out.endsWith(' &hellip;')).toBe(true);
    expect(out).toContain('&lt;b&gt;graph&lt;/b&gt; &amp; <mark>networks</mark>');
    // A page of snippets stays one-byte text when the abstracts are: the ellipsis is written as an entity.
    expect([...out].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
  });

  it('has no ellipsis where it does not cut', () => {
    const short = filler(SNIPPET_WORDS - 1);
    expect(snippet(short, matchSet(parseQuery('word3')))).not.toContain('&hellip;');
    const head = snippet(`networks ${filler(80)}`, matchSet(parseQuery('networks')));
    expect(head.startsWith('<mark>networks</mark>')).toBe(true);
    expect(head.endsWith(' &hellip;')).toBe(true);
  });
});
