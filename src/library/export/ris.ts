import type { Citation, Name } from './citation.js';

/** A value on one RIS line: no line breaks (a tag starts each line), spacing as single spaces. */
const line = (tag: string, value: string) => `${tag}  - ${value.replace(/\s+/g, ' ').trim()}`;

const name = (n: Name) => ('literal' in n ? n.literal : `${n.family}, ${n.given}${n.suffix ? `, ${n.suffix}` : ''}`);

const pad = (n: number | undefined) => (n === undefined ? '' : String(n).padStart(2, '0'));

/**
 * RIS, as Zotero, EndNote and Mendeley read it: `JOUR` for a paper published in a journal, `GEN` for a preprint;
 * authors one per `AU` line, in order, as "Family, Given"; the abstract, the DOI, the URL, the arXiv id and categories.
 * Lines end in CRLF, as the format asks.
 */
export function toRis(citations: Citation[]): string {
  return citations.map(record).join('');
}

function record(c: Citation): string {
  const p = c.paper;
  const lines = [line('TY', c.journal ? 'JOUR' : 'GEN'), line('ID', c.key), line('TI', p.title)];
  for (const a of c.authors) lines.push(line('AU', name(a)));
  if (c.date) {
    lines.push(line('PY', String(c.date[0])));
    lines.push(line('DA', `${c.date[0]}/${pad(c.date[1])}/${pad(c.date[2])}/`));
  }
  if (c.journal) lines.push(line('JO', c.journal));
  if (p.abstract.trim()) lines.push(line('AB', p.abstract));
  if (p.doi) lines.push(line('DO', p.doi));
  lines.push(line('UR', c.url));
  if (c.arxivId) {
    lines.push(line('PB', 'arXiv'));
    lines.push(line('M1', `arXiv:${c.arxivId}`));
    lines.push(line('N1', `arXiv:${c.arxivId}${p.primaryCategory ? ` [${p.primaryCategory}]` : ''}`));
  }
  for (const k of new Set([p.primaryCategory, ...p.categories].filter((x): x is string => Boolean(x))))
    lines.push(line('KW', k));
  lines.push('ER  - ');
  return `${lines.join('\r\n')}\r\n\r\n`;
}
