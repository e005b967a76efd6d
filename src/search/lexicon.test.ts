import { describe, expect, it } from 'vitest';
import { Bm25Index } from './bm25.js';
import { addToMemory, type MemoryIndex, type MetaRow } from './index-store.js';
import { Lexicon } from './lexicon.js';
import { PaperIndex } from './paper-index.js';
import { corpusSlice } from './test-corpus.js';

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

describe('addToMemory', () => {
  const memory = (): MemoryIndex => ({ papers: new PaperIndex(), lexicon: new Lexicon(), bm25: new Bm25Index(), titles: new Map(), signatures: new Map() });
  const row = (over: Partial<MetaRow> = {}): MetaRow => ({
    id: '2607.00001', feed_day: '2026-07-01', has_code: 0, categories: '["cs.CL"]', title: 'Votes move nothing', authors_text: 'Ada Lovelace', abstract: 'An abstract.', ...over,
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
