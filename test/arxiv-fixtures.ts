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
  readFileSync(`${FIXTURES}daily_arxiv_raw/${file}`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RawPaper);

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The real recorded arXiv API answer to an unknown id (an Atom feed without entries), to template answers from. */
export const API_EMPTY_FEED = (
  JSON.parse(
    readFileSync(`${FIXTURES}arxiv_api_atom/arxiv.py_2026/id_0000.0000_s0_m100_8b51d9633a68.json`, 'utf8'),
  ) as { body: string }
).body;

/** The arXiv API's answer holding these papers (version 1, first published at `published`), as for an id_list query. */
export function apiFeed(entries: { paper: RawPaper; published: string }[]): string {
  const xml = entries
    .map(
      ({ paper: p, published }) => `
  <entry>
    <id>http://arxiv.org/abs/${p.id}v1</id>
    <title>${escapeXml(p.title)}</title>
    <updated>${published}</updated>
    <link href="https://arxiv.org/abs/${p.id}v1" rel="alternate" type="text/html"/>
    <summary>${escapeXml(p.summary)}</summary>
    ${p.categories.map((c) => `<category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n    ')}
    <published>${published}</published>
    ${p.comment ? `<arxiv:comment>${escapeXml(p.comment)}</arxiv:comment>` : ''}
    <arxiv:primary_category term="${p.categories[0]}"/>
    ${p.authors.map((name) => `<author><name>${escapeXml(name)}</name></author>`).join('\n    ')}
  </entry>`,
    )
    .join('');
  return API_EMPTY_FEED.replace('<opensearch:totalResults>0<', `<opensearch:totalResults>${entries.length}<`).replace(
    '</feed>',
    `${xml}\n</feed>`,
  );
}
