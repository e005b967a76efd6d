import { describe, expect, it } from 'vitest';
import { fts5Constraint, parseQuery } from './query.js';

describe('parseQuery', () => {
  it('reads words, "phrases", -exclusions and a word being typed', () => {
    const q = parseQuery('graph neural "message passing" -survey -"time series" transfo', { prefixLast: true });
    expect(q.terms.map((t) => [t.word, t.prefix])).toEqual([
      ['graph', false],
      ['neural', false],
      ['transfo', true],
    ]);
    expect(q.phrases).toEqual([['message', 'passing']]);
    expect(q.exclude).toEqual([['survey'], ['time', 'series']]);
    expect(fts5Constraint(q, 'phrases')).toBe('"message passing"');
    expect(fts5Constraint(q, 'exclude')).toBe('"survey" OR "time series"');
  });

  it('drops stop words unless nothing else is left, and folds accents and case', () => {
    expect(parseQuery('The Effect of Noise').terms.map((t) => t.word)).toEqual(['effect', 'noise']);
    expect(parseQuery('the who').terms.map((t) => t.word)).toEqual(['the', 'who']);
    expect(parseQuery('Schrödinger ÉQUATION').terms.map((t) => t.word)).toEqual(['schrodinger', 'equation']);
  });

  it('turns hostile input into words only', () => {
    const hostile = [
      'NEAR(a b, 3)',
      '"unbalanced',
      'a*b* OR',
      '^title:foo',
      'col:"x" AND (',
      ')))',
      '"',
      '-',
      '***',
      "'; DROP TABLE papers; --",
      'a" OR "b',
      '\u0000\uffff',
      'x'.repeat(100_000),
      '"'.repeat(999),
      'NOT AND OR',
      '{title authors}: x',
      'a -"" b',
    ];
    for (const input of hostile) {
      const q = parseQuery(input, { prefixLast: true });
      for (const t of q.terms) expect(t.word).toMatch(/^[\p{L}\p{N}]+$/u);
      for (const p of [...q.phrases, ...q.exclude]) for (const w of p) expect(w).toMatch(/^[\p{L}\p{N}]+$/u);
      for (const which of ['phrases', 'exclude'] as const) {
        const fts = fts5Constraint(q, which);
        if (fts) expect(fts).not.toMatch(/NEAR\(|\^|:|\{/);
      }
    }
    expect(parseQuery('x'.repeat(100_000)).terms.length).toBeLessThanOrEqual(1);
    expect(parseQuery('w '.repeat(5000)).terms.length).toBeLessThanOrEqual(64);
    expect(fts5Constraint(parseQuery('only words'), 'phrases')).toBeUndefined();
  });
});
