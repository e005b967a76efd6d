import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import type { PaperRecord, SourceName } from '../../../src/model/record.js';
import { vetRecord } from '../../../src/model/record-check.js';
import { isSyntheticId } from '../../../src/model/synthetic-id.js';
import { texToUnicode } from '../../../src/model/tex-unicode.js';
import { cleanName } from '../../../src/model/text.js';
import { createSearchService, type SearchService } from '../../../src/search/search.js';
import { feedRoutes } from '../../../src/web/feeds/routes.js';
import { testDeps } from '../../site.js';
import { freshStore, type TestStore } from '../../stores.js';
import { xmlError } from '../../strict-xml.js';
import { type Target, target } from '../harness.js';
import { expect } from '../invariants.js';
import { mutatedText } from '../mutate.js';
import { abstractSeeds, commentSeeds, paperSeeds, querySeeds, titleSeeds } from '../seeds.js';

const BASE_URL = 'http://papers.test';
const NOW = new Date('2026-07-02T12:00:00Z');
const FORMATS = ['rss', 'atom', 'json'] as const;

interface RecordInput {
  idKind: 'arxiv' | 'title' | 'hostile';
  idText: string;
  source: SourceName;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  comment: string | null;
  codeUrls: string[];
  githubRepo: string | null;
  projectPage: string | null;
  submittedBy: string | null;
  listedOn: string | null;
}

const few = (seeds: string[]) => mutatedText(seeds, 3);
const URLS = ['https://github.com/example/repo', 'https://gitlab.com/a/b', 'https://example.org/project?a=1&b=2'];

const recordInput: fc.Arbitrary<RecordInput> = fc.record({
  idKind: fc.constantFrom('arxiv' as const, 'title' as const, 'hostile' as const),
  idText: few(['2503.11731', 'hep-th/9901001', 'title-0a1b2c3d']),
  source: fc.constantFrom<SourceName>('arxiv-oai', 'arxiv-api', 'jsonl', 'hf-daily', 'page', 'community'),
  title: mutatedText(titleSeeds, 4),
  abstract: mutatedText(abstractSeeds, 6),
  authors: fc.array(few(paperSeeds.flatMap((p) => p.authors).slice(0, 60)), { maxLength: 4 }),
  categories: fc.array(few(['cs.CL', 'cs.LG', 'hep-th', 'math.AG', 'I.2.7']), { maxLength: 3 }),
  comment: fc.option(few(commentSeeds.slice(0, 5))),
  codeUrls: fc.array(few(URLS), { maxLength: 2 }),
  githubRepo: fc.option(few(URLS)),
  projectPage: fc.option(few(URLS)),
  submittedBy: fc.option(few(['akhaliq', 'A. K.'])),
  listedOn: fc.option(few(['2025-03-18', '2026-07-01T00:00:00Z'])),
});

const xml = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'item' || name === 'entry',
});
const decodeHtml = (s: string) =>
  s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : String((v as Record<string, unknown>)?.['#text'] ?? '');

/**
 * A store and the feed routes over it; started again every 100 inputs to stay small. Without `withSearch` the search
 * service is left out (no search feed is asked for), so that indexing each new paper is not timed with its feeds.
 */
function feedSite(withSearch: boolean) {
  let t: TestStore | undefined;
  let search: SearchService | undefined;
  let app: ReturnType<typeof feedRoutes> | undefined;
  let inputs = 0;
  const site = {
    papers: [] as PaperRecord[],
    open: async () => {
      t = await freshStore('sqlite');
      if (site.papers.length) await t.store.upsertPapers(site.papers);
      search = withSearch ? await createSearchService(t.store, t.db) : undefined;
      app = feedRoutes(testDeps(t, search ?? ({} as SearchService), { baseUrl: BASE_URL }, { clock: () => NOW }));
    },
    close: async () => {
      search?.close();
      await t?.dispose();
    },
    prepare: async () => {
      if (inputs++ % 100 === 99) {
        await site.close();
        await site.open();
      }
    },
    store: () => t!.store,
    get: async (path: string) => {
      const res = await app!.request(path);
      return { status: res.status, body: await res.text() };
    },
  };
  return site;
}

function expectWellFormed(format: string, path: string, body: string): void {
  if (format === 'json') {
    try {
      JSON.parse(body);
    } catch (error) {
      expect(false, () => `${path} is not JSON: ${String(error)}`);
    }
    return;
  }
  const problem = xmlError(body);
  expect(problem === undefined, () => `${path} is not well-formed XML: ${problem}`);
}

/**
 * A fuzzed record goes in through a real SQLite store (vetted as every import is) and comes out through the feed
 * routes as its author feed in RSS, Atom and JSON Feed: each XML feed one a strict parser accepts, JSON Feed that
 * parses, and the title read back as stored.
 */
export function feedTarget(): Target {
  const site = feedSite(false);
  let n = 0;
  return target<RecordInput>({
    name: 'feed round-trip',
    arbitrary: recordInput,
    open: site.open,
    close: site.close,
    prepare: site.prepare,
    check: async (input) => {
      const k = n++;
      const tag = `fuzzfeed${k}`;
      const id =
        input.idKind === 'arxiv'
          ? `${2001 + Math.floor(k / 99_999)}.${String(k % 99_999).padStart(5, '0')}`
          : input.idKind === 'title'
            ? `title-${k}${input.idText}`
            : `${input.idText}${k}`;
      const record: PaperRecord = {
        // A title-hash id is taken over by a stored paper of the same title: a number keeps this one apart.
        id,
        source: input.source,
        title: isSyntheticId(id) ? `${input.title} ${k}` : input.title,
        abstract: input.abstract,
        authors: [...input.authors, tag],
        categories: input.categories,
        primaryCategory: input.categories[0],
        comment: input.comment ?? undefined,
        codeUrls: input.codeUrls,
        githubRepo: input.githubRepo ?? undefined,
        projectPage: input.projectPage ?? undefined,
        submittedBy: input.submittedBy ?? undefined,
        listedOn: input.listedOn ?? undefined,
        dailyOn: '2025-03-18',
      };
      const vetted = vetRecord(record, NOW);
      if ('error' in vetted) return;
      await site.store().upsertPapers([vetted.record]);
      const stored = await site.store().getPaper(vetted.record.id);
      expect(stored !== undefined, () => `${JSON.stringify(vetted.record.id)} was not stored`);

      for (const format of FORMATS) {
        const path = `/authors/${tag}/feed.${format}`;
        const { status, body } = await site.get(path);
        expect(status === 200, () => `${path} answered ${status}: ${body.slice(0, 200)}`);
        expectWellFormed(format, path, body);
        const titles =
          format === 'json'
            ? (JSON.parse(body) as { items: { title: string }[] }).items.map((i) => i.title.trim())
            : feedTitles(body, format);
        expect(
          // A feed reader shows TeX as text: the title's formulas as Unicode (src/model/tex-unicode.ts).
          titles.length === 1 && titles[0] === cleanName(texToUnicode(stored.title)).trim(),
          () => `${path} has titles ${JSON.stringify(titles)}, not the text of ${JSON.stringify(stored.title)}`,
        );
      }
    },
  });
}

/** A fuzzed query, with the search page's filters, as a search feed over real papers: well-formed, or refused. */
export function searchFeedTarget(): Target {
  const site = feedSite(true);
  site.papers = paperSeeds.map((p, i) => ({
    id: p.id,
    source: 'jsonl',
    title: p.title,
    abstract: p.summary,
    authors: p.authors,
    categories: p.categories,
    primaryCategory: p.categories[0],
    listedOn: i < 30 ? '2025-03-18' : '2026-07-01',
  }));
  return target<{ q: string; format: (typeof FORMATS)[number]; filters: [string, string][] }>({
    name: 'search feed',
    arbitrary: fc.record({
      q: mutatedText(querySeeds, 6),
      format: fc.constantFrom(...FORMATS),
      filters: fc.array(
        fc.tuple(
          fc.constantFrom('cat', 'exclude', 'from', 'to', 'code', 'sort', 'page'),
          mutatedText(['cs.CL', '2025-03-18', 'relevance', '1', 'on'], 2),
        ),
        { maxLength: 3 },
      ),
    }),
    open: site.open,
    close: site.close,
    check: async ({ q, format, filters }) => {
      const path = `/search/feed.${format}?${new URLSearchParams([['q', q], ...filters])}`;
      const { status, body } = await site.get(path);
      expect(status === 200 || status === 400, () => `${path} answered ${status}: ${body.slice(0, 200)}`);
      if (status === 200) expectWellFormed(format, path, body);
    },
  });
}

function feedTitles(body: string, format: 'rss' | 'atom'): string[] {
  const doc = xml.parse(body) as { rss?: { channel: { item?: unknown[] } }; feed?: { entry?: unknown[] } };
  const items = (format === 'rss' ? doc.rss?.channel.item : doc.feed?.entry) ?? [];
  return items.map((item) => decodeHtml(textOf((item as Record<string, unknown>).title)).trim());
}
