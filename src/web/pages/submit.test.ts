import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFeed, type RawPaper, readDay } from '../../../test/arxiv-fixtures.js';
import { Browser, signedInBrowser } from '../../../test/browser-session.js';
import { closedPort } from '../../../test/ports.js';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import { arxivLookup } from '../../ingest/arxiv-api.js';
import { createFetcher } from '../../ingest/http.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { createApp } from '../app.js';
import { avatarColour, initials } from '../avatar.js';
import { SUBMIT_LIMIT_PER_ACCOUNT, SUBMIT_LIMIT_PER_ADDRESS } from './submit.js';

const BASE = 'http://paperboy.test';
/** The circle of initials before a submitter's name (src/web/avatar.tsx), and the space after it. */
const avatarOf = (handle: string) =>
  `<span class="avatar c${avatarColour(handle)}" aria-hidden="true">${initials(handle)}</span> `;
const SECRET = 'submissions-test-secret-long-enough-for-hmac';
const NOW = new Date('2026-07-03T09:00:00Z');
const TODAY = '2026-07-03';

/** Real papers of a raw arXiv listing: some stored before the tests, the others only on the (loopback) arXiv API. */
const DAY = readDay('2026-07-01.jsonl');
if (DAY.length < 10) throw new Error('the daily_arxiv_raw fixture changed: pick other papers');
const [STORED, HF, OLD, FETCHED, FETCHED_OLD, FOR_RACE, RENAMED, UNKNOWN] = DAY as [
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
  RawPaper,
];

/** What the arXiv API knows: first published recently, or long ago. */
const ON_ARXIV = new Map<string, { paper: RawPaper; published: string }>([
  [FETCHED.id, { paper: FETCHED, published: '2026-06-30T17:59:59Z' }],
  [FETCHED_OLD.id, { paper: FETCHED_OLD, published: '2026-06-01T12:00:00Z' }],
  [FOR_RACE.id, { paper: FOR_RACE, published: '2026-07-01T12:00:00Z' }],
]);

/** The arXiv API on loopback: answers id_list queries from ON_ARXIV; 503 while `down`. */
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

describe.each(engines)('submissions on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let app: ReturnType<typeof createApp>;
  let ips = 0;
  let people = 0;
  const ip = () => `10.1.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`;
  const member = async (opts: { ip?: string } = {}) =>
    signedInBrowser(app, t.db, { email: `reader${people++}@example.org`, ip: opts.ip ?? ip(), now: NOW });
  const submit = async (b: Browser, paper: string) => b.post('/submit', { csrf: await b.csrf('/submit'), paper });
  const submissions = async () => t.db.selectFrom('submissions').selectAll().orderBy('paper_id').execute();

  beforeAll(async () => {
    arxiv.requests = [];
    t = await freshStore(engine);
    const record = (p: RawPaper) => ({
      id: p.id,
      title: p.title,
      abstract: p.summary,
      authors: p.authors,
      categories: p.categories,
      primaryCategory: p.categories[0],
    });
    await t.store.upsertPapers([
      {
        ...record(STORED),
        source: 'arxiv-api',
        version: 1,
        submittedAt: '2026-07-01T10:00:00Z',
        listedOn: '2026-07-02',
      },
      { ...record(HF), source: 'arxiv-api', version: 1, submittedAt: '2026-07-01T10:00:00Z', listedOn: '2026-07-02' },
      { ...record(HF), source: 'hf-daily', dailyOn: '2026-07-02', submittedBy: 'akhaliq', upvotes: 12 },
      { ...record(OLD), source: 'arxiv-api', version: 1, submittedAt: '2026-05-01T10:00:00Z', listedOn: '2026-05-02' },
      {
        ...record(RENAMED),
        source: 'arxiv-api',
        version: 1,
        submittedAt: '2026-06-25T10:00:00Z',
        listedOn: '2026-06-26',
      },
    ]);
    search = await createSearchService(t.store, t.db);
    const fetcher = createFetcher({ userAgent: 'Paperboy-test/1', minDelayMs: 0, maxRetries: 0 });
    app = createApp(
      testDeps(
        t,
        search,
        { baseUrl: BASE, trustProxy: true },
        {
          secret: SECRET,
          clock: () => NOW,
          fetchPaper: arxivLookup(fetcher, apiUrl),
        },
      ),
    );
  });
  afterAll(async () => {
    search.close();
    await t.dispose();
  });

  it('sends a signed-out visitor to sign in, and takes nothing', async () => {
    const b = new Browser(app, ip());
    const page = await b.request('/submit');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/signin?next=/submit');
    const post = await b.post('/submit', { paper: STORED.id });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('/signin?next=/submit');
    expect(await submissions()).toEqual([]);
  });

  it("submits a stored paper by id to today's feed, which then shows who submitted it", async () => {
    const { browser, account } = await member();
    const before = await (await browser.request(`/day/${TODAY}`)).text();
    expect(before).not.toContain(STORED.id);

    const res = await submit(browser, ` ${STORED.id} `);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/papers/${STORED.id}`);
    expect(arxiv.requests).toEqual([]);
    expect(await submissions()).toEqual([
      { paper_id: STORED.id, account_id: account.id, day: TODAY, created_at: NOW.toISOString() },
    ]);
    const paper = (await t.store.getPaper(STORED.id))!;
    expect(paper).toMatchObject({
      dailyOn: TODAY,
      listedOn: '2026-07-02',
      submittedBy: account.handle,
      title: STORED.title,
    });
    expect(paper.provenance.title).toBe('arxiv-api');

    // A reader who is not signed in sees it in today's feed (the rendered day page was dropped when the paper changed).
    const feed = await (await new Browser(app, ip()).request(`/day/${TODAY}`)).text();
    expect(feed).toContain(`href="/papers/${STORED.id}"`);
    expect(feed).toContain(
      `submitted by ${avatarOf(account.handle)}<a href="/users/${account.handle}">${account.handle}</a>`,
    );
    const page = await (await new Browser(app, ip()).request(`/papers/${STORED.id}`)).text();
    expect(page).toContain(
      `<dt>Submitted by</dt><dd>${avatarOf(account.handle)}<a href="/users/${account.handle}">${account.handle}</a></dd>`,
    );
  });

  it('fetches a paper the store lacks from arXiv, given a versioned abs URL', async () => {
    const { browser, account } = await member();
    arxiv.requests = [];
    const res = await submit(browser, `https://arxiv.org/abs/${FETCHED.id}v2`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/papers/${FETCHED.id}`);
    expect(arxiv.requests).toEqual([FETCHED.id]);
    const paper = (await t.store.getPaper(FETCHED.id))!;
    expect(paper).toMatchObject({
      title: FETCHED.title,
      authors: FETCHED.authors,
      submittedAt: '2026-06-30T17:59:59Z',
      dailyOn: TODAY,
      submittedBy: account.handle,
    });
    expect((await t.store.getSources(FETCHED.id)).map((s) => s.source).sort()).toEqual(['arxiv-api', 'community']);
    const feed = await (await new Browser(app, ip()).request(`/day/${TODAY}`)).text();
    expect(feed).toContain(`href="/papers/${FETCHED.id}"`);
    // Stored through the one write path: the search index knows the new paper.
    const found = await search.search({ q: FETCHED.title, mode: 'keyword', limit: 5 });
    expect(found.hits.map((h) => h.paper.id)).toContain(FETCHED.id);
  });

  it('refuses a paper already submitted: by another member, by the same member, or on Hugging Face', async () => {
    const first = (await submissions()).find((s) => s.paper_id === STORED.id)!;
    const handle = (await t.store.getPaper(STORED.id))!.submittedBy!;
    const { browser } = await member();
    const again = await submit(browser, `https://arxiv.org/pdf/${STORED.id}v1.pdf`);
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain(`${STORED.id} was already submitted by ${handle} on ${TODAY}.`);
    expect(html).toContain(`<a href="/papers/${STORED.id}">See the paper</a>`);

    const same = await t.db
      .selectFrom('accounts')
      .select('email')
      .where('id', '=', first.account_id)
      .executeTakeFirstOrThrow();
    const original = await signedInBrowser(app, t.db, { email: same.email, ip: ip(), now: NOW });
    expect((await submit(original.browser, STORED.id)).status).toBe(409);

    const hf = await submit(browser, HF.id);
    expect(hf.status).toBe(409);
    expect(await hf.text()).toContain(`${HF.id} was already submitted by akhaliq.`);
    expect((await submissions()).map((s) => s.paper_id).sort()).toEqual([FETCHED.id, STORED.id].sort());
    expect((await t.store.getPaper(HF.id))!.dailyOn).toBe('2026-07-02');
  });

  it('lets one of two members submitting the same paper at once win', async () => {
    const [a, b] = await Promise.all([member(), member()]);
    const [csrfA, csrfB] = await Promise.all([a.browser.csrf('/submit'), b.browser.csrf('/submit')]);
    const results = await Promise.all([
      a.browser.post('/submit', { csrf: csrfA, paper: FOR_RACE.id }),
      b.browser.post('/submit', { csrf: csrfB, paper: FOR_RACE.id }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    const rows = (await submissions()).filter((s) => s.paper_id === FOR_RACE.id);
    expect(rows).toHaveLength(1);
    const winner = rows[0]!.account_id === a.account.id ? a.account : b.account;
    expect((await t.store.getPaper(FOR_RACE.id))!.submittedBy).toBe(winner.handle);
  });

  it('refuses papers first published more than 14 days ago, and does not store them', async () => {
    const { browser } = await member();
    const stored = await submit(browser, OLD.id);
    expect(stored.status).toBe(400);
    expect(await stored.text()).toContain(
      `${OLD.id} was first published on 2026-05-01; only papers first published in the last 14 days can be submitted.`,
    );
    expect((await t.store.getPaper(OLD.id))!.dailyOn).toBeNull();

    const fetched = await submit(browser, `arxiv.org/abs/${FETCHED_OLD.id}`);
    expect(fetched.status).toBe(400);
    expect(await fetched.text()).toContain(`${FETCHED_OLD.id} was first published on 2026-06-01`);
    expect(await t.store.getPaper(FETCHED_OLD.id)).toBeUndefined();
    expect((await submissions()).map((s) => s.paper_id)).not.toContain(OLD.id);
  });

  it('says when arXiv does not know the paper, and when arXiv cannot be reached', async () => {
    const { browser } = await member();
    const missing = await submit(browser, `arXiv:${UNKNOWN.id}`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain(`arXiv has no paper ${UNKNOWN.id}. Check the id and try again.`);

    arxiv.down = true;
    try {
      const down = await submit(browser, UNKNOWN.id);
      expect(down.status).toBe(503);
      expect(await down.text()).toContain('arXiv could not be reached just now. Try again in a few minutes.');
    } finally {
      arxiv.down = false;
    }
    const offline = createApp(
      testDeps(
        t,
        search,
        { baseUrl: BASE, trustProxy: true },
        {
          secret: SECRET,
          clock: () => NOW,
          fetchPaper: arxivLookup(
            createFetcher({ userAgent: 'Paperboy-test/1', minDelayMs: 0, maxRetries: 0 }),
            `http://127.0.0.1:${await closedPort()}/api/query`,
          ),
        },
      ),
    );
    const elsewhere = await signedInBrowser(offline, t.db, { email: 'offline@example.org', ip: ip(), now: NOW });
    expect((await submit(elsewhere.browser, UNKNOWN.id)).status).toBe(503);
    expect(await t.store.getPaper(UNKNOWN.id)).toBeUndefined();
  });

  it('refuses hostile and overlong input with a clear error, escaped', async () => {
    const { browser } = await member();
    const html = await submit(browser, '<script>alert(1)</script>');
    expect(html.status).toBe(400);
    const text = await html.text();
    expect(text).toContain('That is not an arXiv id or arxiv.org link.');
    expect(text).not.toContain('<script>alert(1)');
    expect(text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');

    const long = await submit(browser, `${STORED.id}${'x'.repeat(10_000)}`);
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('That is 10010 characters; an arXiv id or link is at most 200.');
    expect((await submit(browser, '   ')).status).toBe(400);
  });

  it('refuses a missing or forged form token with 403', async () => {
    const { browser } = await member();
    await browser.csrf('/submit');
    expect((await browser.post('/submit', { paper: RENAMED.id })).status).toBe(403);
    expect((await browser.post('/submit', { paper: RENAMED.id, csrf: 'forged' })).status).toBe(403);
    const other = await member();
    const theirs = await other.browser.csrf('/submit');
    expect((await browser.post('/submit', { paper: RENAMED.id, csrf: theirs })).status).toBe(403);
    expect((await submissions()).map((s) => s.paper_id)).not.toContain(RENAMED.id);
  });

  it('refuses a banned account', async () => {
    const { browser, account } = await member();
    const csrf = await browser.csrf('/submit');
    await t.db.updateTable('accounts').set({ banned_at: NOW.toISOString() }).where('id', '=', account.id).execute();
    const res = await browser.post('/submit', { csrf, paper: RENAMED.id });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/signin?next=/submit');
    expect((await submissions()).map((s) => s.paper_id)).not.toContain(RENAMED.id);
  });

  it('limits submissions per account and per address (429)', async () => {
    const { browser } = await member();
    const csrf = await browser.csrf('/submit');
    const statuses: number[] = [];
    for (let i = 0; i <= SUBMIT_LIMIT_PER_ACCOUNT; i++)
      statuses.push((await browser.post('/submit', { csrf, paper: 'not an id' })).status);
    expect(statuses.slice(0, SUBMIT_LIMIT_PER_ACCOUNT).every((s) => s === 400)).toBe(true);
    const last = await browser.post('/submit', { csrf, paper: 'not an id' });
    expect(last.status).toBe(429);
    expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await last.text()).toContain('Please try again in');

    // Several accounts behind one address share the address's limit.
    const shared = ip();
    let answered = 0;
    let limited = 0;
    for (let n = 0; limited === 0 && n < 5; n++) {
      const { browser: b } = await member({ ip: shared });
      const token = await b.csrf('/submit');
      for (let i = 0; i < SUBMIT_LIMIT_PER_ACCOUNT && limited === 0; i++) {
        const status = (await b.post('/submit', { csrf: token, paper: 'not an id' })).status;
        if (status === 429) limited++;
        else answered++;
      }
    }
    expect(answered).toBe(SUBMIT_LIMIT_PER_ADDRESS);
    expect(limited).toBe(1);
  });

  it("lists a member's submissions on their public profile, and follows a change of handle", async () => {
    const { browser, account } = await member();
    expect((await submit(browser, RENAMED.id)).status).toBe(303);
    const profile = await (await new Browser(app, ip()).request(`/users/${account.handle}`)).text();
    expect(profile).toContain(account.displayName);
    expect(profile).toContain(`href="/papers/${RENAMED.id}"`);
    expect(profile).not.toContain(account.email);

    const save = await browser.post('/account', {
      csrf: await browser.csrf('/account'),
      handle: 'grace_h',
      display_name: 'Grace H',
    });
    expect(save.status).toBe(303);
    expect((await t.store.getPaper(RENAMED.id))!.submittedBy).toBe('grace_h');
    expect((await new Browser(app, ip()).request(`/users/${account.handle}`)).status).toBe(404);
    const renamed = await (await new Browser(app, ip()).request('/users/grace_h')).text();
    expect(renamed).toContain('Grace H');
    expect(renamed).toContain(`href="/papers/${RENAMED.id}"`);
    const feed = await (await new Browser(app, ip()).request(`/day/${TODAY}`)).text();
    expect(feed).toContain(`submitted by ${avatarOf('grace_h')}<a href="/users/grace_h">grace_h</a>`);
  });

  it('links to the form from the daily feed', async () => {
    const feed = await (await new Browser(app, ip()).request(`/day/${TODAY}`)).text();
    expect(feed).toContain('<a href="/submit">Submit a paper</a>');
    const form = await (await (await member()).browser.request('/submit')).text();
    expect(form).toContain('<form method="post" action="/submit">');
  });
});
