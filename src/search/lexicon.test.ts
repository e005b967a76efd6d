import { describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { Bm25Index } from './bm25.js';
import { addToMemory, type MemoryIndex, type MetaRow } from './index-store.js';
import { CORRECTION_ADVANTAGE, Lexicon, MIN_TYPO_LENGTH, TYPO_MAX_FREQUENCY } from './lexicon.js';
import { PaperIndex } from './paper-index.js';
import { words } from './tokenize.js';

/** Optimal string alignment distance, the textbook table: the reference for the lexicon's bounded, filtered one. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('Lexicon', () => {
  it('finds words added after its structures were built, as a lexicon built afresh does', async () => {
    const papers = await corpusSlice(3000);
    const grown = new Lexicon();
    for (const p of papers.slice(0, 2000)) grown.add(p.title);
    grown.prepare();
    expect(grown.corrections('zyxquorbiann')).toEqual([]);
    for (const p of papers.slice(2000)) grown.add(p.title);
    for (let i = 0; i < 20; i++) grown.add('Zyxquorbian lattices');
    const fresh = new Lexicon();
    for (const p of papers) fresh.add(p.title);
    for (let i = 0; i < 20; i++) fresh.add('Zyxquorbian lattices');

    expect(grown.corrections('zyxquorbiann')).toEqual(['zyxquorbian']);
    expect(grown.completions('zyxq')).toEqual(['zyxquorbian']);
    for (const word of ['transfromer', 'langauge', 'segmentaton', 'diffusoin', 'reinforcment']) {
      expect(grown.corrections(word), word).toEqual(fresh.corrections(word));
    }
    for (const prefix of ['trans', 'lang', 'seg', 'diff', 'zy', 'multimo']) {
      expect(grown.completions(prefix), prefix).toEqual(fresh.completions(prefix));
    }
  });
});

describe('Lexicon corrections', () => {
  it('are exactly those of comparing the typo with every known word', async () => {
    const titles = (await corpusSlice(3000)).map((p) => p.title);
    const lexicon = new Lexicon();
    const df = new Map<string, number>();
    for (const t of titles) {
      lexicon.add(t);
      for (const w of new Set(words(t))) df.set(w, (df.get(w) ?? 0) + 1);
    }
    const reference = (typo: string): string[] => {
      const own = df.get(typo) ?? 0;
      if (typo.length < MIN_TYPO_LENGTH || /\d/.test(typo) || own >= TYPO_MAX_FREQUENCY) return [];
      const limit = typo.length >= 8 ? 2 : 1;
      const found = [...df]
        .filter(([w, f]) => w !== typo && w[0] === typo[0] && f >= CORRECTION_ADVANTAGE * Math.max(own, 1))
        .map(([w, f]) => ({ w, f, d: osa(typo, w) }))
        .filter((c) => c.d <= limit)
        .sort((a, b) => a.d - b.d || b.f - a.f);
      return found
        .filter((c) => c.d === found[0]!.d)
        .slice(0, 3)
        .map((c) => c.w);
    };
    // Typos of frequent title words: a letter dropped, doubled, swapped with the next or replaced.
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const common = [...df].filter(([w, f]) => f >= 5 && w.length >= 5).map(([w]) => w);
    let corrected = 0;
    for (let n = 0; n < 300; n++) {
      const w = common[next(common.length)]!;
      const i = 1 + next(w.length - 2);
      const typo = [
        w.slice(0, i) + w.slice(i + 1),
        w.slice(0, i) + w[i] + w.slice(i),
        w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2),
        `${w.slice(0, i)}q${w.slice(i + 1)}`,
      ][n % 4]!;
      const got = lexicon.corrections(typo);
      expect(got, typo).toEqual(reference(typo));
      if (got.length) corrected++;
    }
    expect(corrected).toBeGreaterThan(100);
  });
});

describe('addToMemory', () => {
  const memory = (): MemoryIndex => ({
    papers: new PaperIndex(),
    lexicon: new Lexicon(),
    bm25: new Bm25Index(),
    titles: new Map(),
    signatures: new Map(),
    modified: new Map(),
  });
  const row = (over: Partial<MetaRow> = {}): MetaRow => ({
    id: '2607.00001',
    feed_day: '2026-07-01',
    has_code: 0,
    categories: '["cs.CL"]',
    title: 'Votes move nothing',
    authors_text: 'Ada Lovelace',
    abstract: 'An abstract.',
    ...over,
  });

  it('updates a paper in place when only its other fields changed, and moves it when its text did', () => {
    const m = memory();
    expect(addToMemory(m, row())).toBe(true);
    const slot = m.papers.slotOf('2607.00001');
    expect(addToMemory(m, row({ has_code: 1, categories: '["cs.LG"]' }))).toBe(false);
    expect(m.papers.slotOf('2607.00001')).toBe(slot);
    expect(m.papers.passes('2607.00001', { hasCode: true, categories: ['cs.LG'] })).toBe(true);
    expect(m.papers.passes('2607.00001', { categories: ['cs.CL'] })).toBe(false);
    expect(addToMemory(m, row({ abstract: 'A corrected abstract.' }))).toBe(true);
    expect(m.papers.slotOf('2607.00001')).not.toBe(slot);
    expect(m.papers.size).toBe(1);
  });
});
