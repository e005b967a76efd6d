import type { Paper } from '../../model/paper.js';
import { toBibtex } from './bibtex.js';
import { citations } from './citation.js';
import { toCsl } from './csl.js';
import { toRis } from './ris.js';

/** At most this many papers in one export (a search, a collection). */
export const EXPORT_MAX = 1000;

export const EXPORT_FORMATS = {
  bib: { name: 'BibTeX', type: 'application/x-bibtex; charset=utf-8' },
  ris: { name: 'RIS', type: 'application/x-research-info-systems; charset=utf-8' },
  json: { name: 'CSL-JSON', type: 'application/vnd.citationstyles.csl+json; charset=utf-8' },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;
export const isExportFormat = (v: unknown): v is ExportFormat =>
  typeof v === 'string' && Object.hasOwn(EXPORT_FORMATS, v);

/** The papers in one format, as the text of the file; `siteUrl` names this site in URLs of papers without arXiv ids. */
export function exportPapers(papers: Paper[], format: ExportFormat, siteUrl: string): string {
  const cites = citations(papers.slice(0, EXPORT_MAX), siteUrl);
  if (format === 'bib') return toBibtex(cites);
  if (format === 'ris') return toRis(cites);
  return `${JSON.stringify(toCsl(cites), null, 2)}\n`;
}

/** A file name for the download: the words of `name` as letters, digits and dashes, then the format's extension. */
export function exportFileName(name: string, format: ExportFormat): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/[^A-Za-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'papers';
  return `${base}.${format}`;
}
