import { describe, expect, it } from 'vitest';
import { cleanLine, cleanName, cleanText } from './text.js';

describe('cleaning text', () => {
  it('removes C0 and C1 controls, DEL and lone surrogates, and keeps tabs, line breaks and paired surrogates', () => {
    expect(cleanText('a\u0000b\u0001c\u000Bd\u000Ce\u001Ff\u007Fg\u0080h\u009Fi')).toBe('abcdefghi');
    expect(cleanText('x\uD800y\uDC00z \uD83D\uDE00')).toBe('xyz \uD83D\uDE00');
    expect(cleanText('one\ttwo\nthree\r\nfour')).toBe('one\ttwo\nthree\r\nfour');
    expect(cleanText('\uFFFE\uFFFFok')).toBe('ok');
  });

  it('makes one line of titles and queries, spacing controls read as spaces', () => {
    expect(cleanLine('x\u000B\u000Cy\nz\u0000')).toBe('x  y z');
  });

  it('takes bidirectional overrides and isolates out of names', () => {
    expect(cleanName('\u202Eecila\u202C \u2066Bob\u2069 \u202AC\u202B\u202D')).toBe('ecila Bob C');
    expect(cleanText('\u202Ekept in an abstract')).toBe('\u202Ekept in an abstract');
  });
});
