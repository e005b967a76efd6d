import { parseArxivId } from '../model/arxiv-id.js';
import { echo } from '../model/text.js';

/** One entry of an import: a line of ids, or a BibTeX entry; where it starts, what it names, and any arXiv id in it. */
export interface ImportEntry {
  /** The line of the input the entry starts on, from 1. */
  line: number;
  /** What the reader sees to recognise it: the id as written, or the BibTeX key and title. */
  label: string;
  /** The arXiv id without version, when the entry gives one. */
  arxivId?: string | undefined;
  /** For a BibTeX entry without an arXiv id: its DOI and title, to look for the paper among those stored. */
  doi?: string | undefined;
  title?: string | undefined;
  /** Why no paper can be taken from the entry. */
  error?: string | undefined;
}

/** An input is BibTeX when an entry starts a line: `@article{`, `@misc(`… */
const BIBTEX_ENTRY = /^[ \t]*@[A-Za-z]+[ \t]*[{(]/m;

/** The entries of an import: a BibTeX file, or arXiv ids and links (one or more per line; `#` starts a comment). */
export function parseImport(text: string): ImportEntry[] {
  return BIBTEX_ENTRY.test(text) ? bibtexEntries(text) : idLines(text);
}

function idLines(text: string): ImportEntry[] {
  const out: ImportEntry[] = [];
  for (const [i, raw] of text.split(/\r\n|\r|\n/).entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    for (const token of line.split(/[\s,;]+/).filter(Boolean)) {
      const id = parseArxivId(token.replace(/^(?:https?:\/\/)?(?:www\.)?huggingface\.co\/papers\//i, ''));
      out.push(
        id
          ? { line: i + 1, label: echo(token, 80), arxivId: id.id }
          : {
              line: i + 1,
              label: echo(token, 80),
              error: 'not an arXiv id or link: write ids such as 2501.12345 or hep-th/9901001, or arxiv.org links',
            },
      );
    }
  }
  return out;
}

/** Fields of a BibTeX entry that may name its arXiv id, in the order they are trusted. */
const ID_FIELDS = ['eprint', 'arxivid', 'arxiv', 'doi', 'url', 'journal', 'note', 'howpublished', 'volume'];

/**
 * The entries of a BibTeX file, read leniently: `@string`, `@comment` and `@preamble` are skipped, and an entry that
 * cannot be read is reported with its line instead of stopping the import. Only the fields that can name the paper are
 * kept (its arXiv id, DOI and title); TeX in them is read no further than braces.
 */
function bibtexEntries(text: string): ImportEntry[] {
  const out: ImportEntry[] = [];
  const starts = /@([A-Za-z]+)[ \t]*([{(])/g;
  let m: RegExpExecArray | null = starts.exec(text);
  while (m) {
    const line = lineOf(text, m.index);
    const type = m[1]!.toLowerCase();
    const close = m[2] === '{' ? '}' : ')';
    const end = matching(text, starts.lastIndex, m[2]!, close);
    if (end < 0) {
      out.push({ line, label: `@${type}`, error: 'this entry is not closed: a brace is missing' });
      break;
    }
    if (!['string', 'comment', 'preamble'].includes(type))
      out.push(entryOf(line, type, text.slice(starts.lastIndex, end)));
    starts.lastIndex = end + 1;
    m = starts.exec(text);
  }
  return out;
}

function entryOf(line: number, type: string, body: string): ImportEntry {
  const comma = body.indexOf(',');
  const key = (comma < 0 ? body : body.slice(0, comma)).trim();
  const fields = comma < 0 ? new Map<string, string>() : readFields(body.slice(comma + 1));
  const title = fields.get('title')?.replace(/[{}]/g, '').replace(/\s+/g, ' ').trim();
  const label = echo(`${key || `@${type}`}${title ? `: ${title}` : ''}`, 80);
  let arxivId: string | undefined;
  const prefix = (fields.get('archiveprefix') ?? fields.get('eprinttype') ?? '').toLowerCase();
  for (const name of ID_FIELDS) {
    const value = fields.get(name);
    if (!value) continue;
    if (name === 'eprint' && prefix && prefix !== 'arxiv') continue;
    arxivId = arxivIdIn(value, name === 'eprint' || name === 'arxivid' || name === 'arxiv');
    if (arxivId) break;
  }
  const doi = fields
    .get('doi')
    ?.trim()
    .replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '');
  if (arxivId) return { line, label, arxivId };
  if (doi || title) return { line, label, doi: doi || undefined, title: title || undefined };
  return { line, label, error: 'no arXiv id, DOI or title in this entry' };
}

/** An arXiv id in a field: the whole value (an `eprint`), an arXiv DOI, an arxiv.org link, or `arXiv:` before it. */
function arxivIdIn(value: string, whole: boolean): string | undefined {
  const v = value.replace(/[{}]/g, '').trim();
  if (whole) {
    const id = parseArxivId(v);
    if (id) return id.id;
  }
  const patterns = [
    /10\.48550\/arxiv\.([^\s,;}]+)/i,
    /arxiv\.org\/(?:abs|pdf|html)\/([^\s,;}?#]+)/i,
    /arxiv:\s*([^\s,;}]+)/i,
  ];
  for (const p of patterns) {
    const m = p.exec(v);
    const id = m?.[1] ? parseArxivId(m[1].replace(/\.pdf$/i, '')) : undefined;
    if (id) return id.id;
  }
  return undefined;
}

/** `name = {value}`, `name = "value"`, `name = 2017`, joined with `#`: the fields of an entry, names in lower case. */
function readFields(body: string): Map<string, string> {
  const fields = new Map<string, string>();
  const name = /\s*,?\s*([A-Za-z][\w:.+-]*)\s*=\s*/y;
  let at = 0;
  while (at < body.length) {
    name.lastIndex = at;
    const m = name.exec(body);
    if (!m) break;
    at = name.lastIndex;
    let value = '';
    for (;;) {
      const c = body[at];
      if (c === '{' || c === '"') {
        const end = c === '{' ? matching(body, at + 1, '{', '}') : quoted(body, at + 1);
        if (end < 0) return fields;
        value += body.slice(at + 1, end);
        at = end + 1;
      } else {
        const bare = /[^,#\s}]*/y;
        bare.lastIndex = at;
        value += bare.exec(body)?.[0] ?? '';
        at = bare.lastIndex;
      }
      const hash = /\s*#\s*/y;
      hash.lastIndex = at;
      if (!hash.exec(body)) break;
      at = hash.lastIndex;
    }
    fields.set(m[1]!.toLowerCase(), value);
    const comma = body.indexOf(',', at);
    at = comma < 0 ? body.length : comma + 1;
  }
  return fields;
}

/** The index of the `close` that balances an `open` before `from`, or -1. A backslash escapes the next character. */
function matching(text: string, from: number, open: string, close: string): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

/** The index of the `"` that ends a quoted value starting at `from` (quotes inside braces do not end it), or -1. */
function quoted(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '"' && depth === 0) return i;
  }
  return -1;
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
