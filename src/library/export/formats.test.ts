import { Cite } from '@citation-js/core';
import '@citation-js/plugin-ris';
import '@citation-js/plugin-csl';
import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../model/paper.js';
import { citations, splitName } from './citation.js';
import { EXPORT_MAX, exportFileName, exportPapers } from './formats.js';

const SITE = 'https://papers.example';

function paper(over: Partial<Paper> & { id: string; title: string }): Paper {
  return {
    version: 1,
    abstract: 'An abstract.',
    authors: [],
    primaryCategory: 'cs.CL',
    categories: ['cs.CL'],
    comment: null,
    journalRef: null,
    doi: null,
    submittedAt: '2017-06-12T17:57:34Z',
    updatedAt: null,
    listedOn: null,
    dailyOn: null,
    codeUrls: [],
    projectPage: null,
    upvotes: 0,
    communityUpvotes: 0,
    communityPoints: 0,
    numComments: 0,
    communityComments: 0,
    submittedBy: null,
    githubRepo: null,
    githubStars: null,
    provenance: {},
    createdAt: '2026-01-01T00:00:00Z',
    modifiedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

const ATTENTION = paper({
  id: '1706.03762',
  title: 'Attention Is All You Need',
  authors: ['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar', 'Łukasz Kaiser'],
});

/** Titles and names that break naive writers: TeX specials, unbalanced braces, math, Unicode, right-to-left marks. */
const HOSTILE = [
  paper({
    id: '2501.00001',
    title: 'Unbalanced } braces { and \\emph{commands}: $x^2$ costs 50% & #1_a ~ b <i>|</i>',
    authors: ['Laurens van der Maaten', 'Martin Luther King Jr.', 'The ATLAS Collaboration', 'Zoë O’Brien-Ünal'],
    abstract: 'Line one\nline two with $\\alpha$ and 100% {x}.',
    doi: '10.1000/xyz_123',
    journalRef: 'Phys. Rev. D 95, 123 (2017) & more',
    primaryCategory: 'hep-th',
    categories: ['hep-th', 'gr-qc'],
  }),
  paper({
    id: '2501.00002',
    title: 'مرحبا \u200Fעברית\u200F 中文标题 — GPT-4 and BERT on LaTeX',
    authors: ['李 小龙', 'Ayşe Yılmaz'],
    submittedAt: '2025-01-02T00:00:00Z',
  }),
  paper({
    id: 'hep-th/9901001',
    title: 'An old-style id',
    authors: ['Juan Maldacena'],
    submittedAt: '1999-01-04T00:00:00Z',
  }),
  paper({ id: 'title-abc123', title: 'A paper known only by its title', authors: [], submittedAt: null }),
];

const bib = (papers: Paper[]) =>
  parseBibtex(exportPapers(papers, 'bib', SITE), { english: false, caseProtection: false });

describe('citation keys', () => {
  it('are author, year and the first word that says something, like vaswani2017attention', () => {
    expect(citations([ATTENTION], SITE)[0]!.key).toBe('vaswani2017attention');
    const on = paper({ id: '2501.00003', title: 'On the Dangers of Stochastic Parrots', authors: ['Emily M. Bender'] });
    expect(citations([on], SITE)[0]!.key).toBe('bender2017dangers');
    const vdm = citations([HOSTILE[0]!], SITE)[0]!;
    expect(vdm.key).toBe('maaten2017unbalanced');
  });

  it('are unique within an export, with a, b… after the plain key in the order of the ids whatever the order given', () => {
    const twin = (id: string) => ({ ...ATTENTION, id });
    const keys = (ps: Paper[]) => Object.fromEntries(citations(ps, SITE).map((c) => [c.paper.id, c.key]));
    const forward = keys([ATTENTION, twin('1706.99999'), twin('1706.50000')]);
    expect(forward).toEqual({
      '1706.03762': 'vaswani2017attention',
      '1706.50000': 'vaswani2017attentiona',
      '1706.99999': 'vaswani2017attentionb',
    });
    expect(keys([twin('1706.99999'), twin('1706.50000'), ATTENTION])).toEqual(forward);
  });

  it('splits names into family and given, keeping particles, suffixes and groups', () => {
    expect(splitName('Laurens van der Maaten')).toEqual({ family: 'van der Maaten', given: 'Laurens' });
    expect(splitName('Martin Luther King Jr.')).toEqual({ family: 'King', given: 'Martin Luther', suffix: 'Jr.' });
    expect(splitName('Vaswani, Ashish')).toEqual({ family: 'Vaswani', given: 'Ashish' });
    expect(splitName('The ATLAS Collaboration')).toEqual({ literal: 'The ATLAS Collaboration' });
    expect(splitName('Plato')).toEqual({ literal: 'Plato' });
  });
});

describe('BibTeX', () => {
  it('writes @misc for arXiv preprints with eprint, archivePrefix, primaryClass and the authors in order', () => {
    const text = exportPapers([ATTENTION], 'bib', SITE);
    expect(text).toContain('@misc{vaswani2017attention,');
    const { entries, errors } = bib([ATTENTION]);
    expect(errors).toEqual([]);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.type).toBe('misc');
    expect(e.key).toBe('vaswani2017attention');
    expect(e.fields.title).toBe('Attention Is All You Need');
    expect(e.fields.author).toEqual([
      { lastName: 'Vaswani', firstName: 'Ashish' },
      { lastName: 'Shazeer', firstName: 'Noam' },
      { lastName: 'Parmar', firstName: 'Niki' },
      { lastName: 'Kaiser', firstName: 'Łukasz' },
    ]);
    expect(e.fields.eprint).toBe('1706.03762');
    expect(e.fields.archiveprefix).toBe('arXiv');
    expect(e.fields.primaryclass).toBe('cs.CL');
    expect(e.fields.year).toBe('2017');
    expect(e.fields.url).toBe('https://arxiv.org/abs/1706.03762');
  });

  it('reads back hostile titles and names exactly, @article with journal and DOI when known', () => {
    const { entries, errors } = bib(HOSTILE);
    expect(errors).toEqual([]);
    expect(entries.map((e) => e.type)).toEqual(['article', 'misc', 'misc', 'misc']);
    for (const [i, e] of entries.entries()) expect(e.fields.title, HOSTILE[i]!.title).toBe(HOSTILE[i]!.title);
    const [first, second, old, untitled] = entries as [
      (typeof entries)[0],
      (typeof entries)[0],
      (typeof entries)[0],
      (typeof entries)[0],
    ];
    expect(first.fields.journal).toBe('Phys. Rev. D 95, 123 (2017) & more');
    expect(first.fields.doi).toBe('10.1000/xyz_123');
    expect(first.fields.primaryclass).toBe('hep-th');
    expect(first.fields.author).toEqual([
      { lastName: 'Maaten', prefix: 'van der', firstName: 'Laurens' },
      { lastName: 'King', suffix: 'Jr.', firstName: 'Martin Luther' },
      { name: 'The ATLAS Collaboration' },
      { lastName: 'O’Brien-Ünal', firstName: 'Zoë' },
    ]);
    expect(second.fields.author).toEqual([
      { lastName: '小龙', firstName: '李' },
      { lastName: 'Yılmaz', firstName: 'Ayşe' },
    ]);
    expect(old.fields.eprint).toBe('hep-th/9901001');
    expect(untitled.fields.eprint).toBeUndefined();
    expect(untitled.fields.url).toBe(`${SITE}/papers/title-abc123`);
    expect(new Set(entries.map((e) => e.key)).size).toBe(entries.length);
  });
});

describe('RIS', () => {
  it('reads back in citation.js with every field, hostile text included', async () => {
    const text = exportPapers([ATTENTION, ...HOSTILE], 'ris', SITE);
    expect(text).toMatch(/^TY {2}- GEN\r\n/);
    const items = (await Cite.async(text)).data as Record<string, unknown>[];
    expect(items).toHaveLength(5);
    expect(items.map((i) => i.title)).toEqual([ATTENTION, ...HOSTILE].map((p) => p.title));
    expect(items[0]!.author).toEqual([
      { family: 'Vaswani', given: 'Ashish' },
      { family: 'Shazeer', given: 'Noam' },
      { family: 'Parmar', given: 'Niki' },
      { family: 'Kaiser', given: 'Łukasz' },
    ]);
    expect(items[0]!.issued).toEqual({ 'date-parts': [[2017, 6, 12]] });
    expect(items[1]!.type).toBe('article-journal');
    expect(items[1]!.DOI).toBe('10.1000/xyz_123');
    expect(items[1]!['container-title']).toBe('Phys. Rev. D 95, 123 (2017) & more');
    expect(items[1]!.abstract).toBe('Line one line two with $\\alpha$ and 100% {x}.');
    expect(items[0]!.URL).toBe('https://arxiv.org/abs/1706.03762');
  });
});

describe('CSL-JSON', () => {
  it('is read by citation.js and renders a bibliography through citeproc', async () => {
    const text = exportPapers([ATTENTION, ...HOSTILE], 'json', SITE);
    const parsed = JSON.parse(text) as Record<string, unknown>[];
    const cite = await Cite.async(parsed);
    const items = cite.data as Record<string, unknown>[];
    expect(items.map((i) => i.title)).toEqual([ATTENTION, ...HOSTILE].map((p) => p.title));
    expect(items[0]).toMatchObject({
      id: 'vaswani2017attention',
      type: 'article',
      publisher: 'arXiv',
      number: 'arXiv:1706.03762',
      issued: { 'date-parts': [[2017, 6, 12]] },
    });
    expect(items[1]).toMatchObject({ type: 'article-journal', DOI: '10.1000/xyz_123' });
    const bibliography = cite.format('bibliography', { format: 'text', template: 'apa', lang: 'en-US' }) as string;
    expect(bibliography).toContain('Attention Is All You Need');
    expect(bibliography).toContain('Vaswani, A.');
  });
});

it('caps an export and names its file safely', () => {
  const many = Array.from({ length: EXPORT_MAX + 5 }, (_, i) => ({
    ...ATTENTION,
    id: `1706.${String(i).padStart(5, '0')}`,
  }));
  expect(JSON.parse(exportPapers(many, 'json', SITE))).toHaveLength(EXPORT_MAX);
  expect(exportFileName('Reading group: Ünïcode / "quotes"', 'bib')).toBe('Reading-group-Unicode-quotes.bib');
  expect(exportFileName('עברית', 'ris')).toBe('papers.ris');
});
