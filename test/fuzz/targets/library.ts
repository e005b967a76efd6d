import fc from 'fast-check';
import { exportPapers } from '../../../src/library/export/formats.js';
import { parseImport } from '../../../src/library/import-entries.js';
import { parseArxivId } from '../../../src/model/arxiv-id.js';
import type { Paper } from '../../../src/model/paper.js';
import { cleanName } from '../../../src/model/text.js';
import { type Target, target } from '../harness.js';
import { CONTROL, expect } from '../invariants.js';
import { mutatedText } from '../mutate.js';
import { paperSeeds, titleSeeds } from '../seeds.js';

const paper = (id: string, title: string, authors: string[]): Paper => ({
  id,
  version: 1,
  title,
  abstract: '',
  authors,
  primaryCategory: 'cs.CL',
  categories: ['cs.CL'],
  comment: null,
  journalRef: null,
  doi: null,
  submittedAt: '2026-07-01T00:00:00Z',
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
  createdAt: '2026-07-01T00:00:00Z',
  modifiedAt: '2026-07-01T00:00:00Z',
});

/** What readers import: our own BibTeX of real papers, and lists of their ids and links. */
const importSeeds = [
  exportPapers(
    paperSeeds.slice(0, 6).map((p) => paper(p.id, p.title, p.authors)),
    'bib',
    'https://papers.example',
  ),
  paperSeeds
    .slice(0, 12)
    .map((p, i) => (i % 3 === 0 ? `https://arxiv.org/abs/${p.id}v2` : i % 3 === 1 ? `arXiv:${p.id}` : p.id))
    .join('\n'),
  '@misc{k, title = {A "quoted" {T}itle}, eprint = "2501.00001", archivePrefix = arXiv, month = jan # " 1"}\n@string{x = "y"}',
];

const importTarget = target<string>({
  name: 'library import',
  arbitrary: mutatedText(importSeeds, 8),
  check: (text) => {
    const entries = parseImport(text);
    expect(entries.length <= text.length, () => `${entries.length} entries from ${text.length} characters`);
    const lines = text.split(/\r\n|\r|\n/).length;
    for (const e of entries) {
      expect(e.line >= 1 && e.line <= lines, () => `an entry on line ${e.line} of ${lines}`);
      expect(!CONTROL.test(e.label) && [...e.label].length <= 81, () => `a label ${JSON.stringify(e.label)}`);
      if (e.arxivId !== undefined)
        expect(parseArxivId(e.arxivId)?.id === e.arxivId, () => `${JSON.stringify(e.arxivId)} is not an arXiv id`);
      expect(
        e.arxivId !== undefined || e.error !== undefined || e.doi !== undefined || e.title !== undefined,
        () => `an entry that names nothing and says nothing: ${JSON.stringify(e)}`,
      );
    }
  },
});

/** Braces as BibTeX counts them, blind to backslashes: every field must close where it was opened. */
function balanced(entry: string): boolean {
  let depth = 0;
  for (const c of entry) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/** The export's escapes, read back: what TeX prints for each (src/library/export/bibtex.ts). */
const ESCAPES: [string, string][] = [
  ['\\textbackslash{}', '\\'],
  ['\\textbraceleft{}', '\u0001'],
  ['\\textbraceright{}', '\u0002'],
  ['\\textasciicircum{}', '^'],
  ['\\textasciitilde{}', '~'],
  ['\\textless{}', '<'],
  ['\\textgreater{}', '>'],
  ['\\textbar{}', '|'],
  ['\\&', '&'],
  ['\\%', '%'],
  ['\\$', '$'],
  ['\\#', '#'],
  ['\\_', '_'],
];

/**
 * A title field as TeX prints it, for the characters the export escapes (the @retorquere/bibtex-parser round trip
 * in src/library/export/formats.test.ts does the same on chosen titles; it is too slow to run here on thousands).
 * Left: any backslash or special character that is not one of the escapes, which would be TeX, not text.
 */
function unescapeTitle(field: string): string | undefined {
  let out = '';
  for (let i = 0; i < field.length; ) {
    const found = ESCAPES.find(([tex]) => field.startsWith(tex, i));
    if (found) {
      out += found[1];
      i += found[0].length;
    } else if ('\\&%$#_^~<>|'.includes(field[i]!)) return undefined;
    else {
      // Braces that are not escapes protect the case of a word: TeX prints nothing for them.
      if (field[i] !== '{' && field[i] !== '}') out += field[i];
      i++;
    }
  }
  return out.replace(/\u0001/g, '{').replace(/\u0002/g, '}');
}

const bibtexTarget = target<{ title: string; authors: string[] }>({
  name: 'BibTeX export',
  arbitrary: fc.record({
    title: mutatedText(titleSeeds, 6),
    authors: fc.array(mutatedText(paperSeeds.flatMap((p) => p.authors).slice(0, 40), 3), { maxLength: 4 }),
  }),
  check: ({ title, authors }) => {
    // Stored text is cleaned on the way in (src/model/text.ts): export what the store would hold.
    const stored = paper('2501.00001', cleanName(title), authors.map(cleanName));
    const bib = exportPapers([stored], 'bib', 'https://papers.example');
    expect(balanced(bib), () => `unbalanced braces in ${JSON.stringify(bib)}`);
    expect(bib.startsWith('@misc{') && bib.endsWith('\n}\n'), () => `not one entry: ${JSON.stringify(bib)}`);
    const field = /^ {2}title = \{(.*)\},$/m.exec(bib)?.[1];
    const want = stored.title.replace(/\s+/g, ' ').trim();
    const got = field === undefined ? undefined : unescapeTitle(field);
    expect(got === want, () => `the title ${JSON.stringify(want)} is written ${JSON.stringify(field)}`);
  },
});

export const libraryTargets = (): Target[] => [importTarget, bibtexTarget];
