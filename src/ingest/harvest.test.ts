import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeXml, OAI_ENVELOPE, type RawPaper, readDay } from '../../test/arxiv-fixtures.js';
import { rejection } from '../../test/expect-errors.js';
import { closedPort } from '../../test/ports.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { loadConfig } from '../config/config.js';
import { type HarvestContext, harvestArxivOai, harvestHfDaily, parseSources } from './harvest.js';
import { createFetcher } from './http.js';

/**
 * Harvests against local servers that replay responses templated at test time: real paper metadata from the
 * raw arXiv day files in ../shared/data, inside the envelope of the real recorded OAI-PMH response.
 */
const ENVELOPE = OAI_ENVELOPE;

const DEFAULT_CATEGORIES = ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG'];
/** Every paper of the 2025-03-18 listing is in cs.CV. */
const CV = readDay('2025-03-18.jsonl').slice(0, 5);
const DAY_2026 = readDay('2026-07-01.jsonl');
/** cs papers of 2026-07-01 outside cs.CV, and outside every default category. */
const NOT_CV = DAY_2026.filter((p) => p.categories[0]!.startsWith('cs.') && !p.categories.includes('cs.CV')).slice(
  0,
  3,
);
const OUTSIDE_DEFAULTS = DAY_2026.filter((p) => !p.categories.some((c) => DEFAULT_CATEGORIES.includes(c))).slice(0, 2);
if (CV.some((p) => !p.categories.includes('cs.CV')) || NOT_CV.length < 3 || OUTSIDE_DEFAULTS.length < 2) {
  throw new Error('the daily_arxiv_raw fixtures changed: pick other papers');
}

const escapeText = escapeXml;

interface OaiRecord {
  paper: RawPaper;
  datestamp: string;
}

function recordXml({ paper: p, datestamp }: OaiRecord): string {
  const authors = p.authors
    .map((name) => {
      const parts = name.trim().split(' ');
      const keyname = parts.pop()!;
      return `<author><keyname>${escapeText(keyname)}</keyname>${parts.length ? `<forenames>${escapeText(parts.join(' '))}</forenames>` : ''}</author>`;
    })
    .join('');
  return `<record><header><identifier>oai:arXiv.org:${p.id}</identifier><datestamp>${datestamp}</datestamp><setSpec>cs</setSpec></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>${p.id}</id><created>${datestamp}</created><authors>${authors}</authors><title>${escapeText(p.title)}</title><categories>${p.categories.join(' ')}</categories>${p.comment ? `<comments>${escapeText(p.comment)}</comments>` : ''}<abstract>${escapeText(p.summary)}</abstract></arXiv></metadata></record>`;
}

const listRecords = (inner: string) =>
  ENVELOPE.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, `<ListRecords>\n${inner}\n</ListRecords>`);
const oaiError = (code: string, text: string) =>
  ENVELOPE.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, `<error code="${code}">${text}</error>`);

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback HTTP server; `answer` sees the path and parameters of each request, which are kept in order. */
async function serve(answer: (url: URL, res: ServerResponse) => void) {
  const requests: Record<string, string>[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(Object.fromEntries(url.searchParams));
    answer(url, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/**
 * An OAI-PMH ListRecords endpoint over `records`, as arXiv's behaves: records whose datestamp is on or after
 * `from`, `pageSize` a page, a resumption token (`<generation>|<from>|<offset>`) on every page but the last, and
 * tokens of another server generation (a restart) refused with badResumptionToken.
 */
function oaiEndpoint(records: OaiRecord[], pageSize = 3) {
  const state = { generation: 1, failPage: undefined as number | undefined };
  const answer = (url: URL, res: ServerResponse) => {
    const send = (body: string, status = 200) =>
      void res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(body);
    const token = url.searchParams.get('resumptionToken');
    let from = url.searchParams.get('from') ?? '0000-00-00';
    let offset = 0;
    if (token !== null) {
      const [generation, tokenFrom, tokenOffset] = token.split('|');
      if (Number(generation) !== state.generation)
        return send(
          oaiError('badResumptionToken', `The value of the resumptionToken argument is invalid or expired: ${token}`),
        );
      from = tokenFrom!;
      offset = Number(tokenOffset);
    }
    if (state.failPage !== undefined && offset === state.failPage * pageSize) return send('Internal Server Error', 500);
    const matching = records.filter((r) => r.datestamp >= from);
    if (matching.length === 0)
      return send(
        oaiError(
          'noRecordsMatch',
          'The combination of the values of the from, until, set and metadataPrefix arguments results in an empty list.',
        ),
      );
    const page = matching
      .slice(offset, offset + pageSize)
      .map(recordXml)
      .join('\n');
    const next = offset + pageSize < matching.length ? `${state.generation}|${from}|${offset + pageSize}` : '';
    const attrs = `cursor="${offset}" completeListSize="${matching.length}"`;
    send(
      listRecords(
        `${page}\n${next ? `<resumptionToken ${attrs}>${next}</resumptionToken>` : `<resumptionToken ${attrs}/>`}`,
      ),
    );
  };
  return { state, answer };
}

const TODAY = '2025-03-18';
/** A finished harvest starts the next one a day early (OAI_OVERLAP_DAYS). */
const NEXT_FROM = '2025-03-17';
/** Eight cs records over three pages of three: five in cs.CV, three not. Two were changed today. */
const RECORDS: OaiRecord[] = [
  { paper: CV[0]!, datestamp: '2025-03-17' },
  { paper: NOT_CV[0]!, datestamp: '2025-03-17' },
  { paper: CV[1]!, datestamp: '2025-03-16' },
  { paper: NOT_CV[1]!, datestamp: '2025-03-17' },
  { paper: CV[2]!, datestamp: '2025-03-17' },
  { paper: CV[3]!, datestamp: '2025-03-15' },
  { paper: CV[4]!, datestamp: TODAY },
  { paper: NOT_CV[2]!, datestamp: TODAY },
];
const CV_IDS = CV.map((p) => p.id).sort();
const STATE_KEY = 'arxiv-oai:cs:cs.CV';

const fetcher = (maxRetries = 0) =>
  createFetcher({ userAgent: 'Paperboy-test/1', minDelayMs: 0, maxRetries, baseBackoffMs: 1, maxBackoffMs: 5 });

describe.each(engines)('harvests on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await freshStore(engine);
  });
  afterEach(async () => {
    await t.dispose();
  });

  const context = (urls: { oai?: string; hf?: string }, today: string, maxRetries = 0): HarvestContext => ({
    store: t.store,
    arxivFetcher: fetcher(maxRetries),
    hfFetcher: fetcher(maxRetries),
    config: {
      arxivApiUrl: 'http://127.0.0.1:9/unused',
      arxivOaiUrl: urls.oai ?? 'http://127.0.0.1:9/unused',
      hfApiUrl: urls.hf ?? 'http://127.0.0.1:9/unused',
    },
    today: () => today,
  });
  const storedIds = async () => (await t.store.listPapers({ limit: 1000 })).map((p) => p.id).sort();

  describe('arXiv OAI-PMH', () => {
    it('harvests three pages from three days back, keeps only the asked categories, and continues from today next time', async () => {
      const oai = oaiEndpoint(RECORDS);
      const { base, requests } = await serve(oai.answer);
      const ctx = context({ oai: `${base}/oai` }, TODAY);

      const first = await harvestArxivOai(ctx, { set: 'cs', categories: ['cs.CV'] });

      expect(requests).toEqual([
        { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2025-03-15' },
        { verb: 'ListRecords', resumptionToken: '1|2025-03-15|3' },
        { verb: 'ListRecords', resumptionToken: '1|2025-03-15|6' },
      ]);
      expect(first).toEqual({ new: 5, updated: 0, unchanged: 0, rejected: 0 });
      expect(await storedIds()).toEqual(CV_IDS);
      const paper = await t.store.getPaper(CV[2]!.id);
      expect(paper?.title).toBe(CV[2]!.title.replace(/\s+/g, ' ').trim());
      expect(paper?.categories).toEqual(CV[2]!.categories);
      expect(paper?.listedOn).toBe('2025-03-17');
      expect((await t.store.getHarvestState(STATE_KEY))?.state).toEqual({ from: NEXT_FROM });

      requests.length = 0;
      const second = await harvestArxivOai(ctx, { set: 'cs', categories: ['cs.CV'] });
      expect(requests[0]).toEqual({ verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: NEXT_FROM });
      expect(requests).toHaveLength(2); // six records stamped since yesterday: two pages of three
      // The from-day is inclusive and a day early: the cs.CV records of yesterday and today come again and are recognised.
      expect(second).toEqual({ new: 0, updated: 0, unchanged: 3, rejected: 0 });
      expect(await t.store.countPapers()).toBe(5);
    });

    it('a day without changes is an empty harvest, not an error', async () => {
      const oai = oaiEndpoint(RECORDS.filter((r) => r.datestamp < '2025-03-16'));
      const { base, requests } = await serve(oai.answer);
      await t.store.setHarvestState(STATE_KEY, { from: '2025-03-16' });
      expect(
        await harvestArxivOai(context({ oai: `${base}/oai` }, TODAY), { set: 'cs', categories: ['cs.CV'] }),
      ).toEqual({ new: 0, updated: 0, unchanged: 0, rejected: 0 });
      expect(requests[0]?.from).toBe('2025-03-16');
      expect((await t.store.getHarvestState(STATE_KEY))?.state).toEqual({ from: NEXT_FROM });
    });

    it('keeps page 1 when page 2 fails, saves its resumption token, and resumes there without counting anything twice', async () => {
      const oai = oaiEndpoint(RECORDS);
      oai.state.failPage = 1;
      const { base, requests } = await serve(oai.answer);
      const ctx = context({ oai: `${base}/oai` }, TODAY, 1);

      const error = await rejection(harvestArxivOai(ctx, { set: 'cs', categories: ['cs.CV'] }));
      expect(error.code).toBe('http');
      expect(error.message).toContain('HTTP 500');
      expect(requests.map((r) => r.resumptionToken ?? 'start')).toEqual(['start', '1|2025-03-15|3', '1|2025-03-15|3']);
      expect(await storedIds()).toEqual([CV[0]!.id, CV[1]!.id].sort());
      expect((await t.store.getHarvestState(STATE_KEY))?.state).toEqual({
        from: '2025-03-15',
        resumptionToken: '1|2025-03-15|3',
      });

      oai.state.failPage = undefined;
      requests.length = 0;
      const resumed = await harvestArxivOai(ctx, { set: 'cs', categories: ['cs.CV'] });
      expect(requests).toEqual([
        { verb: 'ListRecords', resumptionToken: '1|2025-03-15|3' },
        { verb: 'ListRecords', resumptionToken: '1|2025-03-15|6' },
      ]);
      expect(resumed).toEqual({ new: 3, updated: 0, unchanged: 0, rejected: 0 });
      expect(await storedIds()).toEqual(CV_IDS);
      expect((await t.store.getHarvestState(STATE_KEY))?.state).toEqual({ from: NEXT_FROM });
    });

    it('starts an interrupted harvest again from its from-day when the server no longer knows the saved token', async () => {
      const oai = oaiEndpoint(RECORDS);
      oai.state.failPage = 1;
      const { base, requests } = await serve(oai.answer);
      const ctx = context({ oai: `${base}/oai` }, TODAY);
      await rejection(harvestArxivOai(ctx, { set: 'cs', categories: ['cs.CV'] }));

      oai.state.failPage = undefined;
      oai.state.generation = 2; // the server restarted: generation-1 tokens are gone
      requests.length = 0;
      const again = await harvestArxivOai(ctx, { set: 'cs', categories: ['cs.CV'] });
      expect(requests).toEqual([
        { verb: 'ListRecords', resumptionToken: '1|2025-03-15|3' },
        { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2025-03-15' },
        { verb: 'ListRecords', resumptionToken: '2|2025-03-15|3' },
        { verb: 'ListRecords', resumptionToken: '2|2025-03-15|6' },
      ]);
      expect(again).toEqual({ new: 3, updated: 0, unchanged: 2, rejected: 0 });
      expect(await storedIds()).toEqual(CV_IDS);
      expect((await t.store.getHarvestState(STATE_KEY))?.state).toEqual({ from: NEXT_FROM });
    });

    it('with explicit dates asks for exactly those and leaves the saved state alone', async () => {
      const oai = oaiEndpoint(RECORDS);
      const { base, requests } = await serve(oai.answer);
      await t.store.setHarvestState(STATE_KEY, { from: '2025-03-01' });
      await harvestArxivOai(context({ oai: `${base}/oai` }, TODAY), {
        set: 'cs',
        categories: ['cs.CV'],
        from: '2025-03-17',
        until: '2025-03-17',
      });
      expect(requests[0]).toEqual({
        verb: 'ListRecords',
        metadataPrefix: 'arXiv',
        set: 'cs',
        from: '2025-03-17',
        until: '2025-03-17',
      });
      expect((await t.store.getHarvestState(STATE_KEY))?.state).toEqual({ from: '2025-03-01' });
    });

    it('says offline when the endpoint cannot be reached, and stores nothing', async () => {
      const closed = await closedPort();
      const error = await rejection(
        harvestArxivOai(context({ oai: `http://127.0.0.1:${closed}/oai` }, TODAY), { set: 'cs' }),
      );
      expect(error.code).toBe('offline');
      expect(await t.store.getHarvestState('arxiv-oai:cs')).toBeUndefined();
    });
  });

  describe('Hugging Face daily papers', () => {
    const HF_TODAY = '2026-07-01';
    const feedPapers = DAY_2026.slice(0, 5);

    function hfEntry(p: RawPaper, day: string, upvotes: number, user: string) {
      const submitter = {
        _id: `u-${user}`,
        avatarUrl: 'https://example.org/a.png',
        isPro: false,
        fullname: user.toUpperCase(),
        user,
        type: 'user',
      };
      return {
        paper: {
          id: p.id,
          authors: p.authors.map((name, j) => ({ _id: `a${j}`, name, hidden: false })),
          publishedAt: `${day}T00:00:00.000Z`,
          title: p.title,
          summary: p.summary,
          upvotes,
          discussionId: `d-${p.id}`,
          githubRepo: null,
          githubStars: null,
          projectPage: null,
          submittedOnDailyAt: `${day}T13:02:03.000Z`,
          submittedOnDailyBy: submitter,
          withdrawnAt: null,
        },
        publishedAt: `${day}T13:02:03.000Z`,
        title: p.title,
        summary: p.summary,
        numComments: 1,
        submittedBy: submitter,
        isAuthorParticipating: false,
      };
    }

    /** Three papers on HF_TODAY and two on 2026-06-27; every other day is empty. `bump` adds upvotes. */
    function hfEndpoint() {
      const state = { bump: 0 };
      const answer = (url: URL, res: ServerResponse) => {
        const date = url.searchParams.get('date');
        const entries =
          url.pathname !== '/api/daily_papers' || url.searchParams.get('p') !== '0'
            ? []
            : date === HF_TODAY
              ? feedPapers
                  .slice(0, 3)
                  .map((p, i) => hfEntry(p, HF_TODAY, 10 * (i + 1) + (i === 0 ? state.bump : 0), `user${i}`))
              : date === '2026-06-27'
                ? feedPapers.slice(3, 5).map((p, i) => hfEntry(p, date, 5 + i, `early${i}`))
                : [];
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(entries));
      };
      return { state, answer };
    }

    it('asks for each of the last seven days on a first run, then starts from the last day harvested', async () => {
      const hf = hfEndpoint();
      const { base, requests } = await serve(hf.answer);

      const first = await harvestHfDaily(context({ hf: `${base}/api` }, HF_TODAY));
      expect(requests.map((r) => r.date)).toEqual([
        '2026-06-25',
        '2026-06-26',
        '2026-06-27',
        '2026-06-28',
        '2026-06-29',
        '2026-06-30',
        '2026-07-01',
      ]);
      expect(requests.every((r) => r.p === '0' && r.limit === '100')).toBe(true);
      expect(first).toEqual({ new: 5, updated: 0, unchanged: 0, rejected: 0 });

      const top = await t.store.getPaper(feedPapers[2]!.id);
      expect(top).toMatchObject({ upvotes: 30, submittedBy: 'user2', dailyOn: HF_TODAY, numComments: 1 });
      expect(await t.store.getPaper(feedPapers[3]!.id)).toMatchObject({
        upvotes: 5,
        submittedBy: 'early0',
        dailyOn: '2026-06-27',
      });
      expect((await t.store.getHarvestState('hf-daily'))?.state).toEqual({ lastDate: HF_TODAY });

      // Later the same day: the last three days again, whose upvotes have moved.
      hf.state.bump = 7;
      requests.length = 0;
      const second = await harvestHfDaily(context({ hf: `${base}/api` }, HF_TODAY));
      expect(requests.map((r) => r.date)).toEqual(['2026-06-29', '2026-06-30', HF_TODAY]);
      expect(second).toEqual({ new: 0, updated: 1, unchanged: 2, rejected: 0 });
      expect((await t.store.getPaper(feedPapers[0]!.id))?.upvotes).toBe(17);

      // Two days later: from two days before the last day harvested up to the new today.
      requests.length = 0;
      await harvestHfDaily(context({ hf: `${base}/api` }, '2026-07-03'));
      expect(requests.map((r) => r.date)).toEqual([
        '2026-06-29',
        '2026-06-30',
        '2026-07-01',
        '2026-07-02',
        '2026-07-03',
      ]);
      expect((await t.store.getHarvestState('hf-daily'))?.state).toEqual({ lastDate: '2026-07-03' });
    });

    it('reaches at most a week back after a long pause', async () => {
      const { base, requests } = await serve(hfEndpoint().answer);
      await t.store.setHarvestState('hf-daily', { lastDate: '2026-05-01' });
      await harvestHfDaily(context({ hf: `${base}/api` }, HF_TODAY));
      expect(requests.map((r) => r.date)).toEqual([
        '2026-06-25',
        '2026-06-26',
        '2026-06-27',
        '2026-06-28',
        '2026-06-29',
        '2026-06-30',
        '2026-07-01',
      ]);
    });

    it('keeps the days before a failing one and continues from the last one stored', async () => {
      const hf = hfEndpoint();
      let failing = true;
      const { base, requests } = await serve((url, res) => {
        if (failing && url.searchParams.get('date') === '2026-06-29') return void res.writeHead(503).end('busy');
        hf.answer(url, res);
      });
      const error = await rejection(harvestHfDaily(context({ hf: `${base}/api` }, HF_TODAY)));
      expect(error.code).toBe('http');
      expect(await storedIds()).toEqual(
        feedPapers
          .slice(3, 5)
          .map((p) => p.id)
          .sort(),
      );
      expect((await t.store.getHarvestState('hf-daily'))?.state).toEqual({ lastDate: '2026-06-28' });

      failing = false;
      requests.length = 0;
      await harvestHfDaily(context({ hf: `${base}/api` }, HF_TODAY));
      expect(requests.map((r) => r.date)).toEqual([
        '2026-06-26',
        '2026-06-27',
        '2026-06-28',
        '2026-06-29',
        '2026-06-30',
        '2026-07-01',
      ]);
      expect(await t.store.countPapers()).toBe(5);
    });
  });
});

describe('parseSources', () => {
  it('turns the default sources into one hf job and one OAI harvest of cs filtered to the four categories', async () => {
    const specs = parseSources(loadConfig({}).sources);
    expect(specs.map((s) => s.name)).toEqual(['hf-daily', 'arxiv-oai:cs (cs.AI, cs.CL, cs.CV, cs.LG)']);

    // Run the OAI job: it asks for the whole cs set once and keeps the papers of those four categories.
    const inside = [
      CV[0]!,
      ...DAY_2026.filter((p) => p.categories[0] === 'cs.CL').slice(0, 1),
      ...DAY_2026.filter((p) => p.categories[0] === 'cs.AI').slice(0, 1),
    ];
    const oai = oaiEndpoint(
      [...inside, ...OUTSIDE_DEFAULTS].map((paper) => ({ paper, datestamp: '2026-06-30' })),
      10,
    );
    const { base, requests } = await serve(oai.answer);
    const t = await freshStore('sqlite');
    try {
      const counts = await specs[1]!.run({
        store: t.store,
        arxivFetcher: fetcher(),
        hfFetcher: fetcher(),
        config: { arxivApiUrl: base, arxivOaiUrl: `${base}/oai`, hfApiUrl: base },
        today: () => '2026-07-01',
      });
      expect(requests).toEqual([{ verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2026-06-28' }]);
      expect(counts.new).toBe(3);
      expect((await t.store.listPapers({ limit: 100 })).map((p) => p.id).sort()).toEqual(
        inside.map((p) => p.id).sort(),
      );
      expect(await t.store.getHarvestState('arxiv-oai:cs:cs.AI,cs.CL,cs.CV,cs.LG')).toBeDefined();
    } finally {
      await t.dispose();
    }
  });

  it('groups categories by archive, and a whole archive overrides its categories', () => {
    expect(
      parseSources(['arxiv-oai:cs.CL', 'arxiv-oai:math.AG', 'arxiv-oai:cs.CL', 'arxiv-oai:astro-ph.GA']).map(
        (s) => s.name,
      ),
    ).toEqual(['arxiv-oai:cs (cs.CL)', 'arxiv-oai:math (math.AG)', 'arxiv-oai:astro-ph (astro-ph.GA)']);
    expect(parseSources(['arxiv-oai:cs.AI', 'arxiv-oai:cs', 'arxiv-oai:cs.CL']).map((s) => s.name)).toEqual([
      'arxiv-oai:cs',
    ]);
    expect(parseSources(['arxiv-api:cat:cs.CL AND ti:robustness']).map((s) => s.name)).toEqual([
      'arxiv-api:cat:cs.CL AND ti:robustness',
    ]);
    expect(parseSources([])).toEqual([]);
  });

  it('refuses an unknown source, naming it', () => {
    expect(() => parseSources(['hf-daily', 'arxiv-oia:cs.AI'])).toThrow(
      /Unknown source "arxiv-oia:cs\.AI" in PAPERBOY_SOURCES/,
    );
    expect(() => parseSources(['hf-daily', 'arxiv-oai:biology'])).toThrow(/"arxiv-oai:biology".*not an arXiv category/);
    expect(() => parseSources(['arxiv-oai'])).toThrow(/"arxiv-oai"/);
    expect(() => parseSources(['hf-daily'])).not.toThrow();
  });
});
