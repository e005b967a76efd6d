import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { records, thrown } from '../../test/expect-errors.js';
import { parseArxivAtom } from './arxiv-atom.js';

const FIXTURES = new URL('../../../shared/data/fixtures/arxiv_api_atom/', import.meta.url).pathname;

/** The recorded response whose file name starts with `prefix`. */
function fixture(dir: 'arxiv.py_2026_xml' | 'arxiv.py_2016', prefix: string): string {
  const name = readdirSync(join(FIXTURES, dir)).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`no fixture ${dir}/${prefix}*`);
  return readFileSync(join(FIXTURES, dir, name), 'utf8');
}

const feed = (entries: string) =>
  `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">${entries}</feed>`;

describe('parseArxivAtom, current (2026) format', () => {
  it('reads every field of an old-style id with affiliations and a journal reference', () => {
    const page = parseArxivAtom(fixture('arxiv.py_2026_xml', 'id_astro-ph_0601001'));
    expect(page).toMatchObject({ total: 1, start: 0, perPage: 100 });
    const [paper] = records(page.entries);
    expect(paper).toMatchObject({
      id: 'astro-ph/0601001',
      version: 1,
      source: 'arxiv-api',
      title:
        'Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina',
      authors: ['Andrew Gould', 'Susan Dorsher', 'B. Scott Gaudi', 'Andrzej Udalski'],
      primaryCategory: 'astro-ph',
      categories: ['astro-ph'],
      journalRef: 'ActaAstron.56:1-50,2006',
      submittedAt: '2006-01-02T14:57:58Z',
      updatedAt: '2006-01-02T14:57:58Z',
    });
    expect(paper!.comment).toMatch(/^62 pages including 16 figures/);
    // Entities decoded, leading spaces trimmed, LaTeX kept.
    expect(paper!.abstract).toMatch(/^We derive the frequencies/);
    expect(paper!.abstract).toContain('Gould & Morgan (2003)');
    expect(paper!.abstract).toContain('V_max<17.5');
    expect(paper!.abstract).toContain('(1/310)(1^{+1.39}_{-0.59})');
    expect(paper!.doi).toBeUndefined();
  });

  it('keeps a numeric-looking title as a string', () => {
    const [paper] = records(parseArxivAtom(fixture('arxiv.py_2026_xml', 'id_2104.12255v1')).entries);
    expect(paper!.title).toBe('0');
    expect(paper!.id).toBe('2104.12255');
    expect(paper!.version).toBe(1);
  });

  it('puts the primary category first among all categories', () => {
    const [paper] = records(parseArxivAtom(fixture('arxiv.py_2026_xml', 'id_quant-ph_0201082v1')).entries);
    expect(paper!.primaryCategory).toBe('quant-ph');
    expect(paper!.categories).toEqual(['quant-ph', 'cs.PL']);
    expect(paper!.id).toBe('quant-ph/0201082');
  });

  it('reads a single entry among many authors, in order', () => {
    const [paper] = records(parseArxivAtom(fixture('arxiv.py_2026_xml', 'id_1707.08567')).entries);
    expect(paper!.authors).toHaveLength(34);
    expect(paper!.authors![0]).toBe('Kees A. Schouhamer Immink');
    expect(paper!.authors![33]).toBe('Hirosuke Yamamoto');
  });

  it('reads an empty result', () => {
    const page = parseArxivAtom(fixture('arxiv.py_2026_xml', 'id_0000.0000'));
    expect(page).toEqual({ total: 0, start: 0, perPage: 100, entries: [] });
  });

  it('reads a page of search results with unique ids', () => {
    const page = parseArxivAtom(fixture('arxiv.py_2026_xml', 'q_testing_s10_m10'));
    expect(page).toMatchObject({ total: 214881, start: 10, perPage: 10 });
    const papers = records(page.entries);
    expect(papers).toHaveLength(10);
    expect(new Set(papers.map((p) => p.id)).size).toBe(10);
    for (const p of papers) {
      expect(p.title).not.toMatch(/\s{2}|\n/);
      expect(p.abstract).not.toMatch(/\n/);
      expect(p.categories![0]).toBe(p.primaryCategory);
    }
  });

  it('throws remote-error with the summary for an arXiv error feed', () => {
    const error = thrown(() => parseArxivAtom(fixture('arxiv.py_2026_xml', 'id_abc')));
    expect(error.code).toBe('remote-error');
    expect(error.message).toMatch(/^arXiv API error: incorrect id format for abc/);
  });
});

describe('parseArxivAtom, 2016 format', () => {
  it('reads opensearch counts declared inline and arxiv elements with inline namespaces', () => {
    const page = parseArxivAtom(fixture('arxiv.py_2016', 'id_list=1111.2011v2'));
    expect(page).toMatchObject({ total: 1, start: 0, perPage: 10 });
    const [paper] = records(page.entries);
    expect(paper).toMatchObject({
      id: '1111.2011',
      version: 2,
      title: 'Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit',
      authors: ['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic'],
      doi: '10.1103/PhysRevB.85.115117',
      comment: '8 pages, 3 figures. Published version',
      journalRef: 'Phys. Rev. B 85, 115117 (2012)',
      submittedAt: '2011-11-08T18:48:36Z',
      updatedAt: '2012-04-02T12:38:54Z',
    });
    expect(paper!.abstract).toMatch(/^Theoretical description of anisotropic systems, such as layered superconductors/);
  });

  it('keeps cond-mat subject classes, whose names contain a hyphen', () => {
    const [paper] = records(parseArxivAtom(fixture('arxiv.py_2016', 'id_list=1111.2011v2')).entries);
    expect(paper!.primaryCategory).toBe('cond-mat.str-el');
    expect(paper!.categories).toEqual(['cond-mat.str-el', 'cond-mat.stat-mech']);
  });

  it('reads a search page', () => {
    const page = parseArxivAtom(fixture('arxiv.py_2016', 'search_query=au:del_maestro.xml'));
    expect(page.total).toBe(31);
    expect(records(page.entries)).toHaveLength(10);
  });
});

describe('parseArxivAtom, edge cases', () => {
  it('reports an entry without an id or title as a failed entry, keeping the others', () => {
    const page = parseArxivAtom(
      feed(`
      <entry><title>No id here</title></entry>
      <entry><id>http://arxiv.org/abs/2401.00001v3</id><title>
        A title
        on two lines</title><summary>See https://github.com/acme/tool.</summary>
        <arxiv:comment>Code: huggingface.co/acme/model</arxiv:comment>
        <category term="cs.LG"/><category term="I.2.7"/><category term="68T05"/><category term="cs.LG"/>
        <arxiv:doi>10.1000/a 10.1000/b</arxiv:doi></entry>
      <entry><id>http://arxiv.org/abs/2401.00002v1</id></entry>`),
    );
    expect(page.entries[0]).toEqual({ ok: false, error: 'entry has no <id>', position: 'entry 1' });
    expect(page.entries[2]).toMatchObject({ ok: false, position: 'entry 3' });
    const second = page.entries[1];
    expect(second?.ok).toBe(true);
    if (!second?.ok) return;
    expect(second.record).toMatchObject({
      id: '2401.00001',
      version: 3,
      title: 'A title on two lines',
      primaryCategory: 'cs.LG',
      categories: ['cs.LG'],
      doi: '10.1000/a',
      codeUrls: ['https://github.com/acme/tool', 'https://huggingface.co/acme/model'],
    });
    // No opensearch elements: counts fall back to what is on the page.
    expect(page).toMatchObject({ total: 3, start: 0, perPage: 3 });
  });

  it('decodes numeric character references', () => {
    const [paper] = records(
      parseArxivAtom(
        feed('<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Poincar&#233; &amp; W&#xFC;bben</title></entry>'),
      ).entries,
    );
    expect(paper!.title).toBe('Poincaré & Wübben');
  });

  it('throws parse naming the problem and the line for malformed XML', () => {
    const error = thrown(() => parseArxivAtom('<feed>\n<entry>\n<title>x</entry>\n</feed>'));
    expect(error.code).toBe('parse');
    expect(error.message).toContain("Expected closing tag 'title'");
    expect(error.message).toContain('line 3');
  });

  it('throws parse for XML the validator passes but the parser refuses (found by fuzzing)', () => {
    const pi = thrown(() => parseArxivAtom(`<?xml ve1.0' encoding='UTF-8'?>\n<feed></feed>`));
    expect(pi.code).toBe('parse');
    expect(pi.message).toBe(
      'The arXiv API response is not valid XML: Pi Tag is not closed. Try again; if it persists, check the source URL.',
    );
    const entity = `<!DOCTYPE feed [<!ENTITY a "${'a'.repeat(200)}">]>`;
    const expanded = thrown(() =>
      parseArxivAtom(`${entity}<feed><entry><title>${'&a;'.repeat(1000)}</title></entry></feed>`),
    );
    expect(expanded.code).toBe('parse');
    expect(expanded.message).toMatch(/Expanded content length limit exceeded/);
  });

  it('says a truncated response looks truncated', () => {
    const xml = fixture('arxiv.py_2026_xml', 'id_1605.08386');
    const error = thrown(() => parseArxivAtom(xml.slice(0, xml.indexOf(' are studied'))));
    expect(error.code).toBe('parse');
    expect(error.message).toMatch(/<feed>, <entry>, <summary> are closed, so the response looks truncated/);
  });

  it('throws parse for a document that is not an Atom feed', () => {
    const error = thrown(() => parseArxivAtom('<html><body>Service unavailable</body></html>'));
    expect(error.code).toBe('parse');
    expect(error.message).toMatch(/not an Atom feed/);
  });
});
