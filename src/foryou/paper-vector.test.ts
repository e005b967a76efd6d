import { describe, expect, it } from 'vitest';
import { paperTerms, termHash } from './paper-terms.js';
import { paperVector, wordsOf } from './paper-vector.js';
import { TermStats } from './term-stats.js';

describe('paperVector', () => {
  it("keeps each term's words as written, found by term, and '' for a term the paper lacks", () => {
    const texts = [
      ['Graph Neural Networks for Molecules', 'We train graph neural networks on molecules and proteins.'],
      ['Neural Fields', 'Neural fields represent scenes; graph methods do not.'],
      ['Protein Folding with Graph Transformers', 'Graph transformers fold proteins.'],
    ];
    const stats = new TermStats();
    // Enough other papers that the shared words are neither rare (df < 2) nor too common to count.
    for (let i = 0; i < 40; i++) stats.add(`filler${i}`, paperTerms(`Filler ${i} paper`, `about topic${i} only`));
    texts.forEach(([title, abstract], i) => {
      stats.add(`p${i}`, paperTerms(title!, abstract!));
    });
    const counted = paperTerms(texts[0]![0]!, texts[0]![1]!);
    const v = paperVector('p0', counted, stats, ['cs.LG']);
    expect(v.terms.length).toBeGreaterThan(0);
    for (let i = 0; i < v.terms.length; i++) expect(wordsOf(v, v.terms[i]!)).toBe(counted.surface.get(v.terms[i]!));
    const shown = Array.from(v.terms, (t) => wordsOf(v, t));
    expect(shown.some((w) => /^graph$/i.test(w))).toBe(true);
    expect(wordsOf(v, termHash('xylophon'))).toBe('');
    expect(v.wordEnds.at(-1)).toBe(v.words.length);
  });
});
