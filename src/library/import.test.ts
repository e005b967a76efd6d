import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFeed, type RawPaper, readDay } from '../../test/arxiv-fixtures.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { type Account, accountForEmail } from '../accounts/accounts.js';
import { arxivPapersLookup } from '../ingest/arxiv-api.js';
import { createFetcher } from '../ingest/http.js';
import { Refusal } from '../model/refusal.js';
import { collectionPapers, createCollection } from './collections.js';
import { IMPORT_MAX_ENTRIES, importIntoCollection } from './import.js';
import { parseImport } from './import-entries.js';

const NOW = new Date('2026-07-03T09:00:00Z');

/** Real papers of a raw arXiv listing: some stored before the tests, others only on the loopback arXiv API. */
const DAY = readDay('2026-07-01.jsonl');
const [STORED, FETCHED, FETCHED_TOO, HIDDEN, BY_DOI, BY_TITLE] = DAY as [
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
];
const ON_ARXIV = new Map([FETCHED, FETCHED_TOO].map((p) => [p.id, { paper: p, published: '2026-06-30T17:59:59Z' }]));

const arxiv = { requests: [] as string[], down: false };
let server: Server;
let apiUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const ids = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('id_list')?.split(',') ?? [];
    arxiv.requests.push(ids.join(','));
    if (arxiv.down) return void res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable');
    const found = ids.flatMap((id) => ON_ARXIV.get(id) ?? []);
    res.writeHead(200, { 'Content-Type': 'application/atom+xml; charset=utf-8' }).end(apiFeed(found));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/query`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('reading an import', () => {
  it('takes ids and links, several per line, with # comments, naming each line', () => {
    const entries = parseImport(
      [
        '# my reading list',
        '2501.12345v2, arXiv:1706.03762',
        '',
        'https://arxiv.org/abs/hep-th/9901001v1  https://huggingface.co/papers/2502.00001 # two more',
        'not-an-id',
      ].join('\n'),
    );
    expect(entries.map((e) => [e.line, e.arxivId ?? e.error?.slice(0, 14)])).toEqual([
      [2, '2501.12345'],
      [2, '1706.03762'],
      [4, 'hep-th/9901001'],
      [4, '2502.00001'],
      [5, 'not an arXiv i'],
    ]);
  });

  it('reads BibTeX leniently: eprint, arXiv DOIs, links and journal notes; @string and @comment skipped', () => {
    const bib = `
@string{ jan = "January" }
@comment{ @misc{not, eprint = {9999.99999}} }
@misc{vaswani2017attention,
  title = {Attention Is All You {N}eed},
  eprint = {1706.03762}, archivePrefix = {arXiv}, primaryClass = {cs.CL}
}
@article{doi, title = "A {"}quoted{"} title", doi = {10.48550/arXiv.2501.00002v3}}
@inproceedings{link, url = {https://arxiv.org/pdf/2501.00003v1.pdf}, month = jan # " 1"}
@article{journal, journal = {arXiv preprint arXiv:2501.00004}, year = 2025}
@article{other, eprint = {math/0101001}, eprinttype = {hal}, title = {Not arXiv}}
@book(nothing, publisher = {Nobody})
@article{doionly, doi = {https://doi.org/10.1000/XYZ}, title = {Published elsewhere}}
@misc{broken, title = {never closed
`;
    const entries = parseImport(bib);
    expect(entries.map((e) => [e.line, e.label.split(':')[0], e.arxivId ?? e.doi ?? e.error])).toEqual([
      [4, 'vaswani2017attention', '1706.03762'],
      [8, 'doi', '2501.00002'],
      [9, 'link', '2501.00003'],
      [10, 'journal', '2501.00004'],
      [11, 'other', undefined],
      [12, 'nothing', 'no arXiv id, DOI or title in this entry'],
      [13, 'doionly', '10.1000/XYZ'],
      [14, '@misc', 'this entry is not closed: a brace is missing'],
    ]);
    expect(entries[0]!.label).toBe('vaswani2017attention: Attention Is All You Need');
    expect(entries[4]!.title).toBe('Not arXiv');
  });
});

describe.each(engines)('imports into a collection on %s', (engine) => {
  let t: TestStore;
  let ada: Account;
  let bob: Account;
  const fetchPapers = () =>
    arxivPapersLookup(createFetcher({ userAgent: 'paperboy-test', minDelayMs: 0, maxRetries: 0 }), apiUrl);

  beforeAll(async () => {
    t = await freshStore(engine);
    const record = (p: RawPaper, extra: { doi?: string } = {}) => ({
      id: p.id,
      source: 'arxiv-api' as const,
      title: p.title,
      abstract: p.summary,
      authors: p.authors,
      listedOn: '2026-07-01',
      ...extra,
    });
    await t.store.upsertPapers([
      record(STORED),
      record(HIDDEN),
      record(BY_DOI, { doi: '10.1000/by.doi' }),
      record(BY_TITLE),
    ]);
    await t.store.setCuration(HIDDEN.id, { hiddenAt: NOW.toISOString() }, { actorId: null, action: 'hide', at: NOW });
    ada = (await accountForEmail(t.db, 'ada@example.org', NOW)).account;
    bob = (await accountForEmail(t.db, 'bob@example.org', NOW)).account;
  });
  afterAll(() => t?.dispose());

  it('adds stored papers, fetches the missing ones from arXiv in one request, and reports every line', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Imported' }, NOW);
    arxiv.requests = [];
    const report = await importIntoCollection(
      { store: t.store, db: t.db, fetchPapers: fetchPapers() },
      ada.id,
      col.id,
      [
        STORED.id,
        FETCHED.id,
        `https://arxiv.org/abs/${FETCHED_TOO.id}v2`,
        '2601.99999',
        HIDDEN.id,
        STORED.id,
        'nonsense',
      ].join('\n'),
      NOW,
    );
    expect(report.lines.map((l) => [l.line, l.outcome])).toEqual([
      [1, 'added'],
      [2, 'fetched'],
      [3, 'fetched'],
      [4, 'not-found'],
      [5, 'not-found'],
      [6, 'duplicate'],
      [7, 'invalid'],
    ]);
    expect(report.lines[3]!.message).toBe('arXiv has no paper 2601.99999');
    expect(report.lines[4]!.message).toContain('removed by the curators');
    expect(report).toMatchObject({ added: 3, failed: 3 });
    expect(arxiv.requests).toEqual([[FETCHED.id, FETCHED_TOO.id, '2601.99999'].join(',')]);
    expect((await collectionPapers(t.db, col.id)).map((i) => i.paper.id)).toEqual([
      STORED.id,
      FETCHED.id,
      FETCHED_TOO.id,
    ]);
    expect((await t.store.getPaper(FETCHED.id))?.title).toBe(FETCHED.title);

    const again = await importIntoCollection(
      { store: t.store, db: t.db, fetchPapers: fetchPapers() },
      ada.id,
      col.id,
      FETCHED.id,
      NOW,
    );
    expect(again.lines.map((l) => l.outcome)).toEqual(['already']);
  });

  it('matches BibTeX entries without an arXiv id by DOI or title among the stored papers', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'From BibTeX' }, NOW);
    const bib = `@article{a, doi = {10.1000/by.doi}, title = {Whatever}}
@article{b, title = {${BY_TITLE.title.toUpperCase()}}}
@article{c, title = {No such paper anywhere}}`;
    const report = await importIntoCollection({ store: t.store, db: t.db }, ada.id, col.id, bib, NOW);
    expect(report.lines.map((l) => [l.outcome, l.paperId])).toEqual([
      ['added', BY_DOI.id],
      ['added', BY_TITLE.id],
      ['not-found', undefined],
    ]);
  });

  it('says which lines to import again when arXiv is down, or when this server fetches nothing', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Later' }, NOW);
    arxiv.down = true;
    try {
      const report = await importIntoCollection(
        { store: t.store, db: t.db, fetchPapers: fetchPapers() },
        ada.id,
        col.id,
        `${STORED.id}\n2601.88888`,
        NOW,
      );
      expect(report.lines.map((l) => l.outcome)).toEqual(['added', 'unavailable']);
      expect(report.lines[1]!.message).toContain('import this line again');
    } finally {
      arxiv.down = false;
    }
    const offline = await importIntoCollection({ store: t.store, db: t.db }, ada.id, col.id, '2601.77777', NOW);
    expect(offline.lines[0]).toMatchObject({ outcome: 'unavailable' });
    expect(offline.lines[0]!.message).toContain('does not fetch papers from arXiv');
  });

  it('refuses an empty import, one of more than the limit, and another reader’s collection, changing nothing', async () => {
    const col = await createCollection(t.db, ada.id, { name: 'Refused' }, NOW);
    const refused = async (text: string, accountId = ada.id) =>
      importIntoCollection({ store: t.store, db: t.db }, accountId, col.id, text, NOW).then(
        () => undefined,
        (e: unknown) => (e instanceof Refusal ? e.code : e),
      );
    expect(await refused('  \n# nothing\n')).toBe('invalid');
    const many = Array.from({ length: IMPORT_MAX_ENTRIES + 1 }, (_, i) => `2601.${String(i).padStart(5, '0')}`).join(
      '\n',
    );
    expect(await refused(many)).toBe('invalid');
    expect(await refused(STORED.id, bob.id)).toBe('not-found');
    expect(await collectionPapers(t.db, col.id)).toEqual([]);
  });
});
