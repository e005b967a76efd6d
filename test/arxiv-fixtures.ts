import { readFileSync } from 'node:fs';

/** The recorded responses and raw arXiv listings in ../shared/data/fixtures, for tests that template from them. */
export const FIXTURES = new URL('../../shared/data/fixtures/', import.meta.url).pathname;

/** The real recorded OAI-PMH ListRecords response (one astro-ph record). */
export const OAI_ENVELOPE = readFileSync(`${FIXTURES}arxiv_oai_pmh/listrecords_arXiv_astro-ph_2013-04-03.xml`, 'utf8');

/** A paper of a raw daily arXiv listing (fixtures/daily_arxiv_raw). */
export interface RawPaper {
  id: string;
  title: string;
  summary: string;
  authors: string[];
  categories: string[];
  comment: string | null;
}

export const readDay = (file: string): RawPaper[] =>
  readFileSync(`${FIXTURES}daily_arxiv_raw/${file}`, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as RawPaper);

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
