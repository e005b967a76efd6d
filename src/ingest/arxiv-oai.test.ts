import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeXml, OAI_ENVELOPE, type RawPaper, readDay } from '../../test/arxiv-fixtures.js';
import { records, rejection, thrown } from '../../test/expect-errors.js';
import { harvestOai, type OaiPage, oaiSetForCategory, parseOaiListRecords } from './arxiv-oai.js';
import { createFetcher } from './http.js';

const FIXTURE = OAI_ENVELOPE;

/** Six real papers from a daily listing: five plain ones and the first whose text needs XML escaping. */
const PAPERS: RawPaper[] = (() => {
  const all = readDay('2025-03-18.jsonl');
  const needsEscaping = all.find((p) => /[&<]/.test(p.title + p.summary));
  if (!needsEscaping) throw new Error('fixture changed: no paper with & or <');
  return [...all.slice(0, 5), needsEscaping];
})();

const escapeText = escapeXml;
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/** A <record> shaped like the one in the real fixture, filled with a paper from the daily listing. */
function recordXml(p: RawPaper, datestamp: string): string {
  const authors = p.authors
    .map((name) => {
      const parts = name.trim().split(' ');
      const keyname = parts.pop()!;
      const forenames = parts.length ? `<forenames>${escapeText(parts.join(' '))}</forenames>` : '';
      return `<author><keyname>${escapeText(keyname)}</keyname>${forenames}</author>`;
    })
    .join('');
  return `<record>
<header>
<identifier>oai:arXiv.org:${p.id}</identifier>
<datestamp>${datestamp}</datestamp>
<setSpec>cs</setSpec>
</header>
<metadata>
<arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">
<id>${p.id}</id><created>2025-03-14</created><authors>${authors}</authors><title>${escapeText(p.title)}</title><categories>${p.categories.join(' ')}</categories>${p.comment ? `<comments>${escapeText(p.comment)}</comments>` : ''}<abstract>${escapeText(p.summary)}</abstract></arXiv>
</metadata>
</record>`;
}

const deletedRecordXml = `<record><header status="deleted"><identifier>oai:arXiv.org:2503.00001</identifier><datestamp>2025-03-18</datestamp><setSpec>cs</setSpec></header></record>`;

/** The real fixture's envelope with its <ListRecords> content replaced. */
function listRecords(inner: string): string {
  return FIXTURE.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, `<ListRecords>\n${inner}\n</ListRecords>`);
}

function oaiError(code: string, message: string): string {
  return FIXTURE.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, `<error code="${code}">${message}</error>`);
}

async function collect(pages: AsyncIterable<OaiPage>): Promise<OaiPage[]> {
  const all: OaiPage[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** An OAI-PMH server on loopback; `answer` sees each request's parameters and the request number (from 1). */
async function serve(answer: (params: URLSearchParams, n: number, res: ServerResponse) => void) {
  const requests: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    requests.push(params);
    answer(params, requests.length, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oai`, requests };
}

const xml = (res: ServerResponse, body: string, status = 200) =>
  void res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(body);

const waits: number[] = [];
const fetcher = createFetcher({
  userAgent: 'Paperboy-test/1',
  minDelayMs: 0,
  baseBackoffMs: 10,
  sleep: async (ms) => void waits.push(ms),
});

describe('parseOaiListRecords', () => {
  it('reads the real arXiv ListRecords response', () => {
    const page = parseOaiListRecords(FIXTURE);
    expect(page.resumptionToken).toBeUndefined();
    const [paper] = records(page.entries);
    expect(page.entries).toHaveLength(1);
    expect(paper).toEqual({
      id: '0801.3931',
      source: 'arxiv-oai',
      title: 'Dynamical study of 2D and 3D barred galaxy models',
      abstract: expect.stringMatching(
        /^We study the dynamics of 2D and 3D barred galaxy analytical models, focusing on the distinction/,
      ),
      authors: ['T. Manos', 'E. Athanassoula'],
      primaryCategory: 'astro-ph',
      categories: ['astro-ph'],
      comment:
        '8 pages, 3 figures, to appear in the proceedings of the international conference "Chaos in Astronomy", Athens, Greece (talk contribution)',
      journalRef: 'Chaos in Astronomy Astrophysics and Space Science Proceedings 2009, pp 115-122',
      doi: '10.1007/978-3-540-75826-6_11',
      submittedAt: '2008-01-25',
      updatedAt: '2008-01-25',
      listedOn: undefined, // the 2013 datestamp is a later metadata change, not the 2008 listing
      codeUrls: [],
    });
    expect(paper!.abstract).toContain("a Poincar\\'{e} $(y,p_y)$ surface of section");
    expect(paper!.abstract).not.toMatch(/\n|\s$/);
  });

  it('reads a resumption token with its list size and cursor', () => {
    const page = parseOaiListRecords(
      listRecords(
        `${recordXml(PAPERS[0]!, '2025-03-18')}<resumptionToken cursor="0" completeListSize="2">6963104|1001</resumptionToken>`,
      ),
    );
    expect(page).toMatchObject({ resumptionToken: '6963104|1001', completeListSize: 2, cursor: 0 });
  });

  it('treats an empty resumption token as the end of the list', () => {
    const page = parseOaiListRecords(
      listRecords(`${recordXml(PAPERS[0]!, '2025-03-18')}<resumptionToken cursor="1" completeListSize="2"/>`),
    );
    expect(page.resumptionToken).toBeUndefined();
    expect(page.completeListSize).toBe(2);
  });

  it('reads updated, several DOIs, a suffix, and drops non-arXiv classes', () => {
    const page = parseOaiListRecords(
      listRecords(`<record><header><identifier>oai:arXiv.org:hep-th/9901001</identifier><datestamp>2020-01-02</datestamp></header>
      <metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>hep-th/9901001</id><created>1999-01-01</created><updated>2001-05-06</updated>
      <authors><author><keyname>King</keyname><forenames>Martin L.</forenames><suffix>Jr</suffix></author><author><keyname>Collaboration</keyname></author></authors>
      <title>T</title><categories>hep-th math.MP 81T30</categories><doi>10.1/a 10.2/b</doi></arXiv></metadata></record>`),
    );
    expect(records(page.entries)[0]).toMatchObject({
      id: 'hep-th/9901001',
      authors: ['Martin L. King Jr', 'Collaboration'],
      primaryCategory: 'hep-th',
      categories: ['hep-th', 'math.MP'],
      doi: '10.1/a',
      submittedAt: '1999-01-01',
      updatedAt: '2001-05-06',
      listedOn: undefined,
      abstract: '',
    });
  });

  it('skips deleted records without reporting an error', () => {
    const page = parseOaiListRecords(listRecords(deletedRecordXml + recordXml(PAPERS[1]!, '2025-03-18')));
    expect(records(page.entries).map((r) => r.id)).toEqual([PAPERS[1]!.id]);
  });

  it('reports a record without a title as a failed entry', () => {
    const page = parseOaiListRecords(
      listRecords(recordXml(PAPERS[0]!, '2025-03-18').replace(/<title>.*<\/title>/, '')),
    );
    expect(page.entries).toEqual([{ ok: false, error: `record ${PAPERS[0]!.id} has no title`, position: 'record 1' }]);
  });

  it('reads noRecordsMatch as an empty, complete list', () => {
    const page = parseOaiListRecords(
      oaiError(
        'noRecordsMatch',
        'The combination of the values of the from, until, set and metadataPrefix arguments results in an empty list.',
      ),
    );
    expect(page).toEqual({ entries: [] });
  });

  it('throws remote-error with the code for other OAI-PMH errors', () => {
    const error = thrown(() => parseOaiListRecords(oaiError('badArgument', 'Illegal set.')));
    expect(error.code).toBe('remote-error');
    expect(error.message).toContain('badArgument');
    expect(error.message).toContain('Illegal set.');
  });

  it('throws parse for two DOCTYPEs, which the validator passes (found by fuzzing)', () => {
    const doctype = '<!DOCTYPE x [<!ENTITY e "ee">]>';
    const error = thrown(() => parseOaiListRecords(FIXTURE.replace('<title>', `<title>${doctype}${doctype}`)));
    expect(error.code).toBe('parse');
    expect(error.message).toMatch(
      /^The arXiv OAI-PMH response is not valid XML: Multiple DOCTYPE declarations found\./,
    );
  });

  it('throws parse for truncated XML', () => {
    const error = thrown(() => parseOaiListRecords(FIXTURE.slice(0, FIXTURE.indexOf('<title>'))));
    expect(error.code).toBe('parse');
    expect(error.message).toMatch(/truncated/);
  });
});

describe('harvestOai', () => {
  it('follows resumption tokens across three pages, retrying a 503 in the middle', async () => {
    waits.length = 0;
    const pages = [
      listRecords(
        `${recordXml(PAPERS[0]!, '2025-03-18')}${recordXml(PAPERS[1]!, '2025-03-18')}<resumptionToken cursor="0" completeListSize="6">tok|2</resumptionToken>`,
      ),
      listRecords(
        `${recordXml(PAPERS[2]!, '2025-03-18')}${deletedRecordXml}${recordXml(PAPERS[3]!, '2025-03-18')}<resumptionToken cursor="2" completeListSize="6">tok|4</resumptionToken>`,
      ),
      listRecords(
        `${recordXml(PAPERS[4]!, '2025-03-18')}${recordXml(PAPERS[5]!, '2025-03-18')}<resumptionToken cursor="4" completeListSize="6"/>`,
      ),
    ];
    const { baseUrl, requests } = await serve((params, n, res) => {
      if (n === 2) return void res.writeHead(503, { 'Retry-After': '1' }).end('Retry later');
      const token = params.get('resumptionToken');
      xml(res, token === null ? pages[0]! : token === 'tok|2' ? pages[1]! : pages[2]!);
    });

    const result = await collect(harvestOai({ fetcher, baseUrl, set: 'cs', from: '2025-03-18', until: '2025-03-18' }));

    expect(result.map((p) => p.resumptionToken)).toEqual(['tok|2', 'tok|4', undefined]);
    expect(result[0]!.completeListSize).toBe(6);
    expect(waits).toEqual([1000]);
    expect(requests.map((r) => Object.fromEntries(r))).toEqual([
      { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2025-03-18', until: '2025-03-18' },
      { verb: 'ListRecords', resumptionToken: 'tok|2' },
      { verb: 'ListRecords', resumptionToken: 'tok|2' },
      { verb: 'ListRecords', resumptionToken: 'tok|4' },
    ]);

    const harvested = records(result.flatMap((p) => p.entries));
    expect(harvested.map((r) => r.id)).toEqual(PAPERS.map((p) => p.id));
    harvested.forEach((r, i) => {
      const p = PAPERS[i]!;
      expect(r.title).toBe(collapse(p.title));
      expect(r.abstract).toBe(collapse(p.summary));
      expect(r.authors).toEqual(p.authors.map((a) => a.trim()));
      expect(r.categories).toEqual(p.categories);
      expect(r.primaryCategory).toBe(p.categories[0]);
      expect(r.comment).toBe(p.comment === null ? undefined : collapse(p.comment));
      expect(r.listedOn).toBe('2025-03-18');
    });
    expect(harvested.some((r) => r.codeUrls!.some((u) => u.startsWith('https://github.com/')))).toBe(true);
  });

  it('resumes from a given token and reports badResumptionToken as remote-error', async () => {
    const { baseUrl, requests } = await serve((_params, _n, res) =>
      xml(res, oaiError('badResumptionToken', 'The value of the resumptionToken argument is invalid or expired.')),
    );
    const error = await rejection(collect(harvestOai({ fetcher, baseUrl, resumptionToken: 'stale|1000', set: 'cs' })));
    expect(error.code).toBe('remote-error');
    expect(error.message).toContain('badResumptionToken');
    expect(error.message).toMatch(/start the harvest again/);
    expect(Object.fromEntries(requests[0]!)).toEqual({ verb: 'ListRecords', resumptionToken: 'stale|1000' });
  });

  it('reports an OAI-PMH error sent with a 4xx status by its code', async () => {
    const { baseUrl } = await serve((_params, _n, res) => xml(res, oaiError('badArgument', 'Bad date.'), 400));
    const error = await rejection(collect(harvestOai({ fetcher, baseUrl, from: 'yesterday' })));
    expect(error.code).toBe('remote-error');
    expect(error.message).toContain('badArgument');
  });

  it('yields one empty page for noRecordsMatch', async () => {
    const { baseUrl, requests } = await serve((_params, _n, res) => xml(res, oaiError('noRecordsMatch', 'Nothing.')));
    const pages = await collect(harvestOai({ fetcher, baseUrl, set: 'cs:cs:AI', from: '2099-01-01' }));
    expect(pages).toEqual([{ entries: [] }]);
    expect(requests).toHaveLength(1);
  });

  it('throws parse when a page is truncated', async () => {
    const { baseUrl } = await serve((_params, _n, res) => xml(res, FIXTURE.slice(0, 1200)));
    const error = await rejection(collect(harvestOai({ fetcher, baseUrl })));
    expect(error.code).toBe('parse');
  });

  it('stops if the server hands back the token it was given', async () => {
    const { baseUrl, requests } = await serve((_params, _n, res) =>
      xml(res, listRecords(`${recordXml(PAPERS[0]!, '2025-03-18')}<resumptionToken>same</resumptionToken>`)),
    );
    const error = await rejection(collect(harvestOai({ fetcher, baseUrl })));
    expect(error.code).toBe('remote-error');
    expect(requests).toHaveLength(2);
  });
});

describe('oaiSetForCategory', () => {
  it('maps categories and archives to arXiv setSpecs', () => {
    expect(oaiSetForCategory('cs.AI')).toBe('cs:cs:AI');
    expect(oaiSetForCategory('stat.ML')).toBe('stat:stat:ML');
    expect(oaiSetForCategory('q-bio.QM')).toBe('q-bio:q-bio:QM');
    expect(oaiSetForCategory('astro-ph')).toBe('physics:astro-ph');
    expect(oaiSetForCategory('astro-ph.GA')).toBe('physics:astro-ph:GA');
    expect(oaiSetForCategory('cond-mat.mes-hall')).toBe('physics:cond-mat:mes-hall');
    expect(oaiSetForCategory('physics.optics')).toBe('physics:physics:optics');
    expect(oaiSetForCategory('hep-th')).toBe('physics:hep-th');
  });

  it('passes setSpecs and group names through', () => {
    expect(oaiSetForCategory('cs')).toBe('cs');
    expect(oaiSetForCategory('physics')).toBe('physics');
    expect(oaiSetForCategory('cs:cs:AI')).toBe('cs:cs:AI');
  });

  it('rejects what is not an arXiv category', () => {
    expect(thrown(() => oaiSetForCategory('I.2.7')).code).toBe('input');
    expect(thrown(() => oaiSetForCategory('biology')).message).toMatch(/use one like cs\.AI/);
  });
});
