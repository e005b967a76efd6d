import type { Paper } from '../../model/paper.js';
import { isSyntheticId } from '../../model/synthetic-id.js';

/**
 * What the three export formats (BibTeX, RIS, CSL-JSON) share: a paper as a citation, its authors split into family
 * and given names, and a key for it that is stable and unique within one export.
 */
export interface Citation {
  key: string;
  paper: Paper;
  /** The arXiv id, when the paper has one (not a `title-…` id). */
  arxivId: string | undefined;
  authors: Name[];
  /** Year, month and day the paper was first published (or listed), when known. */
  date: [number, number?, number?] | undefined;
  /** The journal reference arXiv gives, when the paper was published in one. */
  journal: string | undefined;
  url: string;
}

/** An author: a family and given name, or one `literal` (a collaboration, a single name). */
export type Name = { family: string; given: string; suffix?: string } | { literal: string };

/** Lower-case particles that belong to the family name ("Laurens van der Maaten" is van der Maaten, Laurens). */
const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'du',
  'dos',
  'das',
  'le',
  'la',
  'ter',
  'ten',
  'bin',
  'ibn',
  'al',
  'el',
  'zu',
  'vom',
]);
const SUFFIXES = /^(jr\.?|sr\.?|ii|iii|iv)$/i;
/** Group authors, written as one name: "The ATLAS Collaboration", "OpenAI Team". */
const GROUP =
  /\b(collaboration|consortium|team|group|project|committee|society|association|institute|laboratory|initiative)\b|\band\b|[^\p{L}\p{M}\s.'’-]/iu;

/** Splits "Ashish Vaswani" into family and given names; "Vaswani, Ashish" as written; a group or one word as a literal. */
export function splitName(raw: string): Name {
  const name = raw.replace(/\s+/g, ' ').trim();
  if (name.includes(',')) {
    const [family, ...rest] = name.split(',');
    const given = rest.join(',').trim();
    if (family?.trim() && given && !GROUP.test(family)) return { family: family.trim(), given };
  }
  const words = name.split(' ');
  if (words.length < 2 || GROUP.test(name)) return { literal: name };
  let end = words.length;
  const suffix = SUFFIXES.test(words[end - 1]!) && end > 2 ? words[--end] : undefined;
  let start = end - 1;
  while (start > 1 && PARTICLES.has(words[start - 1]!)) start--;
  const family = words.slice(start, end).join(' ');
  const given = words.slice(0, start).join(' ');
  return suffix ? { family, given, suffix } : { family, given };
}

/** Words a key skips in a title ("On the Attention…" is keyed by "attention"). */
const STOPWORDS = new Set(
  'a an the on of in for to towards toward with and or is are be do does how what why when where which via from by at as into its it this that we our can not no'.split(
    ' ',
  ),
);

/** Letters a-z and digits only: accents dropped, other letters (Greek, CJK) left out. */
const ascii = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

function baseKey(paper: Paper, authors: Name[], year: number | undefined): string {
  const first = authors[0];
  const who = first
    ? ascii(
        'family' in first
          ? first.family.replace(/^(?:(?:van|von|de|der|di|da|du|le|la)\s+)+/i, '')
          : first.literal.split(' ')[0]!,
      )
    : '';
  const word = paper.title
    .replace(/\$[^$]*\$/g, ' ')
    .replace(/\\[A-Za-z]+/g, ' ')
    .split(/[\s\-–—:/]+/)
    .map(ascii)
    .find((w) => w.length > 0 && !STOPWORDS.has(w));
  const key = `${who || 'anon'}${year ?? ''}${word ?? ''}`;
  return key.slice(0, 60);
}

function dateOf(paper: Paper): Citation['date'] {
  const when = paper.submittedAt ?? paper.listedOn ?? paper.dailyOn;
  const m = when ? /^(\d{4})-(\d{2})-(\d{2})/.exec(when) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** The paper's page for readers: arXiv's abstract page, or this site's page for a paper without an arXiv id. */
function urlOf(paper: Paper, siteUrl: string): string {
  return isSyntheticId(paper.id)
    ? `${siteUrl.replace(/\/+$/, '')}/papers/${paper.id}`
    : `https://arxiv.org/abs/${paper.id}`;
}

/**
 * The papers as citations, in the order given, each with a key like `vaswani2017attention` (first author's family
 * name, year, first word of the title that says something). Papers that would share a key get `a`, `b`… after it in
 * the order of their ids, whatever the order of the export: the older paper keeps the plain key, so that adding papers
 * to a collection leaves the keys already cited as they were.
 */
export function citations(papers: Paper[], siteUrl: string): Citation[] {
  const out = papers.map((paper): Citation => {
    const authors = paper.authors.map(splitName);
    const date = dateOf(paper);
    return {
      key: baseKey(paper, authors, date?.[0]),
      paper,
      arxivId: isSyntheticId(paper.id) ? undefined : paper.id,
      authors,
      date,
      journal: paper.journalRef?.trim() || undefined,
      url: urlOf(paper, siteUrl),
    };
  });
  const groups = new Map<string, Citation[]>();
  for (const c of out) groups.set(c.key, [...(groups.get(c.key) ?? []), c]);
  const taken = new Set(out.map((c) => c.key));
  for (const [key, group] of groups) {
    if (group.length < 2) continue;
    group.sort((a, b) => (a.paper.id < b.paper.id ? -1 : a.paper.id > b.paper.id ? 1 : 0));
    let n = 0;
    for (const c of group.slice(1)) {
      let candidate: string;
      do candidate = `${key}${suffix(n++)}`;
      while (taken.has(candidate));
      taken.add(candidate);
      c.key = candidate;
    }
  }
  return out;
}

/** a, b, …, z, aa, ab, … */
function suffix(n: number): string {
  let s = '';
  let i = n;
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}
