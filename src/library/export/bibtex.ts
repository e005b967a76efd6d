import type { Citation, Name } from './citation.js';

/**
 * TeX's special characters, each written so that TeX prints it as itself. Braces become commands, not `\{`: BibTeX
 * counts braces without regard to backslashes, so an unbalanced `\}` in a title would end its field early.
 */
const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\textbraceleft{}',
  '}': '\\textbraceright{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  // Not special to TeX, but the default (OT1) font encoding prints them as ¡, ¿ and — in text.
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/**
 * Text as BibTeX and LaTeX read it back unchanged: the ten special characters (and `<>|`) escaped (a title's `$x^2$` is kept as
 * the characters, not typeset), every run of spacing one space. Other Unicode is written as is: biber and BibTeX with
 * `\usepackage[utf8]{inputenc}` read it. TeX's ligatures (`--`, ``` `` ```, `''`) are left as they are: an arXiv title
 * that has them was written in TeX and means the dash or quote TeX prints.
 */
export function texEscape(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\{}&%$#_^~<>|]/g, (c) => SPECIAL[c]!);
}

/**
 * A verbatim field (`doi`, `url`): biblatex reads it as written, so nothing is escaped; only the characters that would
 * end the field or the entry (braces, a backslash, spacing) are percent-encoded, as a resolver reads them.
 */
const verbatim = (value: string) => value.trim().replace(/[{}\\\s]/g, encodeURIComponent);

/** A title with the words that carry capitals past their first letter (BERT, GPT-4, LaTeX) braced, so styles keep them. */
function title(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .map((word) => (/\p{Lu}/u.test([...word].slice(1).join('')) ? `{${texEscape(word)}}` : texEscape(word)))
    .join(' ');
}

/** "Family, Given"; a literal name (a collaboration) braced whole, so that BibTeX takes it as one family name. */
function name(n: Name): string {
  if ('literal' in n) return `{${texEscape(n.literal)}}`;
  const family = texEscape(n.family);
  // "van der Maaten" keeps its lower-case particles; a family name of several capitalised words is braced as one.
  const braced = /^\p{Lu}/u.test(n.family) && n.family.includes(' ') ? `{${family}}` : family;
  return n.suffix ? `${braced}, ${texEscape(n.suffix)}, ${texEscape(n.given)}` : `${braced}, ${texEscape(n.given)}`;
}

/**
 * One BibTeX entry per paper: `@article` when arXiv knows the journal it appeared in, `@misc` otherwise (as arXiv's own
 * export), with `eprint`, `archivePrefix = {arXiv}` and `primaryClass` for arXiv papers, the DOI and the journal when
 * known, the authors in order joined by `and`, and the URL.
 */
export function toBibtex(citations: Citation[]): string {
  return citations.map(entry).join('\n');
}

function entry(c: Citation): string {
  const p = c.paper;
  const fields: [string, string][] = [['title', title(p.title)]];
  if (c.authors.length) fields.push(['author', c.authors.map(name).join(' and ')]);
  if (c.journal) fields.push(['journal', texEscape(c.journal)]);
  if (c.date) fields.push(['year', String(c.date[0])]);
  if (c.date?.[1]) fields.push(['month', String(c.date[1])]);
  if (c.arxivId) {
    fields.push(['eprint', c.arxivId], ['archivePrefix', 'arXiv']);
    if (p.primaryCategory) fields.push(['primaryClass', texEscape(p.primaryCategory)]);
  }
  if (p.doi) fields.push(['doi', verbatim(p.doi)]);
  fields.push(['url', verbatim(c.url)]);
  const type = c.journal ? 'article' : 'misc';
  return `@${type}{${c.key},\n${fields.map(([k, v]) => `  ${k} = {${v}},`).join('\n')}\n}\n`;
}
