import { readdirSync, readFileSync } from 'node:fs';
import { escapeXml, FIXTURES, OAI_ENVELOPE, type RawPaper, readDay } from '../arxiv-fixtures.js';

/** The real inputs the fuzzers mutate, all read from ../shared/data (see its README.md). */

const SEED_PAGE = new URL('../../../shared/data/seed-page/', import.meta.url).pathname;

const lines = (text: string) => text.split('\n').filter(Boolean);

/** Raw arXiv listing lines and the saved page's papers.jsonl lines, a few consecutive lines per seed. */
export const jsonlSeeds: string[] = (() => {
  const raw = [
    ...lines(readFileSync(`${FIXTURES}daily_arxiv_raw/2025-03-18.jsonl`, 'utf8')).slice(0, 40),
    ...lines(readFileSync(`${FIXTURES}daily_arxiv_raw/2026-07-01.jsonl`, 'utf8')).slice(0, 40),
    ...lines(readFileSync(`${SEED_PAGE}papers.jsonl`, 'utf8')).slice(0, 20),
  ];
  const seeds: string[] = [];
  for (let i = 0; i < raw.length; i += 3) seeds.push(`${raw.slice(i, i + 1 + (i % 4)).join('\n')}\n`);
  return seeds;
})();

const dir = (path: string) =>
  readdirSync(path)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => readFileSync(`${path}${f}`, 'utf8'));

/** Every recorded arXiv API response, current and 2016 format (the 100-entry page included). */
export const atomSeeds: string[] = [
  ...dir(`${FIXTURES}arxiv_api_atom/arxiv.py_2026_xml/`),
  ...dir(`${FIXTURES}arxiv_api_atom/arxiv.py_2016/`),
];

const papers: RawPaper[] = [...readDay('2025-03-18.jsonl').slice(0, 30), ...readDay('2026-07-01.jsonl').slice(0, 30)];

/** A <record> shaped like the one in the recorded OAI-PMH response, filled with a paper of a real listing. */
function oaiRecord(p: RawPaper): string {
  const authors = p.authors
    .map((name) => {
      const parts = name.trim().split(' ');
      const keyname = parts.pop()!;
      return `<author><keyname>${escapeXml(keyname)}</keyname>${parts.length ? `<forenames>${escapeXml(parts.join(' '))}</forenames>` : ''}</author>`;
    })
    .join('');
  return `<record>
<header>
<identifier>oai:arXiv.org:${p.id}</identifier>
<datestamp>2025-03-18</datestamp>
<setSpec>cs</setSpec>
</header>
<metadata>
<arXiv xmlns="http://arxiv.org/OAI/arXiv/">
<id>${p.id}</id><created>2025-03-14</created><authors>${authors}</authors><title>${escapeXml(p.title)}</title><categories>${p.categories.join(' ')}</categories>${p.comment ? `<comments>${escapeXml(p.comment)}</comments>` : ''}<abstract>${escapeXml(p.summary)}</abstract></arXiv>
</metadata>
</record>`;
}

const inEnvelope = (inner: string) =>
  OAI_ENVELOPE.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, `<ListRecords>\n${inner}\n</ListRecords>`);

/** The recorded ListRecords response, and its envelope holding real listed papers, a token or an error. */
export const oaiSeeds: string[] = [
  OAI_ENVELOPE,
  inEnvelope(papers.slice(0, 3).map(oaiRecord).join('\n')),
  inEnvelope(
    `${papers.slice(3, 5).map(oaiRecord).join('\n')}<resumptionToken cursor="0" completeListSize="2400">6349807|1001</resumptionToken>`,
  ),
  inEnvelope(
    `<record><header status="deleted"><identifier>oai:arXiv.org:2503.00001</identifier><datestamp>2025-03-18</datestamp></header></record>${oaiRecord(papers[5]!)}`,
  ),
  OAI_ENVELOPE.replace(
    /<ListRecords>[\s\S]*<\/ListRecords>/,
    '<error code="badResumptionToken">The value of the resumptionToken argument is invalid or expired.</error>',
  ),
];

/** A daily_papers entry with the documented fields (API-NOTES.md), filled with a paper of a real listing. */
function dailyEntry(p: RawPaper, i: number): unknown {
  const submitter = {
    _id: `u${i}`,
    avatarUrl: 'https://example.org/a.png',
    isPro: false,
    fullname: 'A. K.',
    user: 'akhaliq',
    type: 'user',
  };
  return {
    paper: {
      id: p.id,
      authors: p.authors.map((name, j) => ({ _id: `a${i}-${j}`, name, hidden: false })),
      publishedAt: '2026-06-30T17:59:59.000Z',
      title: p.title,
      summary: p.summary,
      upvotes: 10 + i,
      discussionId: `d${i}`,
      githubRepo: i % 2 ? 'https://github.com/example/repo' : null,
      githubStars: i % 2 ? 12 : null,
      projectPage: null,
      submittedOnDailyAt: '2026-07-01T13:02:03.000Z',
      submittedOnDailyBy: submitter,
      withdrawnAt: null,
    },
    publishedAt: '2026-07-01T13:02:03.000Z',
    title: p.title,
    summary: p.summary,
    mediaUrls: [],
    numComments: i,
    submittedBy: submitter,
    isAuthorParticipating: false,
  };
}

/** daily_papers responses of one to four entries. */
export const hfSeeds: unknown[][] = [0, 4, 8, 12, 16].map((start, k) =>
  papers.slice(30 + start, 30 + start + 1 + (k % 4)).map(dailyEntry),
);

/** The saved Daily Papers page, and pieces of it (a page is parsed whole, so every size is a seed). */
export const pageSeeds: string[] = (() => {
  const page = readFileSync(`${SEED_PAGE}page.txt`, 'utf8');
  return [page, page.slice(0, 6000), page.slice(0, 1500), page.slice(20_000, 26_000)];
})();

/** Titles and abstracts of real papers: text with TeX, Markdown-like punctuation and long words. */
export const abstractSeeds: string[] = papers.map((p) => p.summary);
export const titleSeeds: string[] = papers.map((p) => p.title);
export { papers as paperSeeds };

/** Comments as people write them: Markdown, TeX, links and code, mixed with real abstracts. */
export const commentSeeds: string[] = [
  'Nice result! See $\\mathcal{O}(n \\log n)$ in *Section 3* and [the code](https://github.com/a/b).',
  '> quoted reply\n> on two lines\n\nAnd `inline code` with $$\\sum_{i=1}^n x_i^2$$ display math.',
  '1. first\n2. second with **bold**\n   - nested _item_\n\n```python\nprint("$not math$")\n```',
  'Costs $5 or $10, and \\$escaped\\$; a_b_c and 2*3*4; <b>not html</b> &amp; https://example.org/x?a=1&b=2',
  'mailto:someone@example.org and [bad](javascript:alert(1)) and <https://arxiv.org/abs/2503.11731>',
  ...abstractSeeds.slice(0, 30),
];

/** Queries as typed: words, "phrases", -exclusions, prefixes, and titles pasted whole. */
export const querySeeds: string[] = [
  'diffusion models',
  '"large language model" reasoning -survey',
  'transform*',
  'graph -"neural network" attention',
  'RLHF',
  'quantum error correction',
  'über naïve café',
  '-"',
  '"unterminated phrase',
  'a b c d e f g',
  ...titleSeeds.slice(0, 30),
];
