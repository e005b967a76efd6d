import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { encryptedPdf, paperPdf } from '../../test/pdfs.js';
import { testDeps } from '../../test/site.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { createFetcher } from '../ingest/http.js';
import { createSearchService } from '../search/search.js';
import { papersWithoutThumbnail, thumbnailPath } from '../store/thumbnails.js';
import { createApp } from '../web/app.js';
import { makeThumbnails } from './make.js';
import { ThumbnailRenderer } from './renderer.js';

const DAY = '2026-07-01';
const GOOD = ['2607.00001', '2607.00002'];
const BROKEN = '2607.00003';
const ENCRYPTED = '2607.00004';
const MISSING = '2607.00005';
const FLAKY = '2607.00006';

/** arXiv's PDFs on loopback: two papers, a truncated one, an encrypted one, a 404, and one that answers 503 once. */
async function pdfServer(): Promise<{ server: Server; url: string; asked: string[] }> {
  const good = await paperPdf({ pages: 3 });
  const asked: string[] = [];
  let flaky = 0;
  const server = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace(/^\/pdf\//, ''));
    asked.push(id);
    const send = (status: number, body: Uint8Array | string, type = 'application/pdf') =>
      res.writeHead(status, { 'Content-Type': type }).end(body);
    if (GOOD.includes(id)) return send(200, good);
    if (id === BROKEN) return send(200, good.subarray(0, 600));
    if (id === ENCRYPTED) return send(200, encryptedPdf('secret'));
    if (id === FLAKY && flaky++ === 0) return res.writeHead(503, { 'Retry-After': '0' }).end();
    if (id === FLAKY) return send(200, good);
    return send(404, 'Not Found', 'text/plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pdf`, asked };
}

describe.each(engines)('thumbnails made from PDFs on %s', (engine) => {
  let t: TestStore;
  let pdfs: Awaited<ReturnType<typeof pdfServer>>;
  let renderer: ThumbnailRenderer;

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(
      [...GOOD, BROKEN, ENCRYPTED, MISSING, FLAKY].map((id) => ({
        id,
        source: 'arxiv-api' as const,
        version: 1,
        title: `Paper ${id}`,
        abstract: 'a',
        listedOn: DAY,
      })),
    );
    pdfs = await pdfServer();
    renderer = new ThumbnailRenderer();
  });
  afterAll(async () => {
    await renderer.close();
    pdfs.server.close();
    await t.dispose();
  });

  it('fetches each PDF once, stores the first pages, notes the failures and serves the images for a year', async () => {
    const fetcher = createFetcher({ userAgent: 'test', minDelayMs: 0, baseBackoffMs: 1, maxRetries: 2 });
    const seen: { id: string; ok: boolean }[] = [];
    const run = await makeThumbnails(
      { store: t.store, db: t.db, fetcher, renderer, pdfUrl: (id) => `${pdfs.url}/${id}` },
      { since: DAY, onPaper: ({ id, ok }) => seen.push({ id, ok }) },
    );
    expect(run).toEqual({ made: 3, failed: 3 });
    expect(seen.filter((s) => s.ok).map((s) => s.id)).toEqual([FLAKY, ...GOOD].sort().reverse());

    const paper = (await t.store.getPaper(GOOD[0]!))!;
    expect(paper.thumbnail).toMatchObject({ width: 400 });
    expect(paper.thumbnail!.height).toBeGreaterThan(400);
    const search = await createSearchService(t.store, t.db);
    try {
      const app = createApp(testDeps(t, search, { baseUrl: 'http://paperboy.test' }));
      const res = await app.request(thumbnailPath(paper.id, paper.thumbnail!.hash));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const image = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(image).toMatchObject({ format: 'webp', width: 400, height: paper.thumbnail!.height });
      expect((await app.request(thumbnailPath(paper.id, 'AAAAAAAAAAAAAAAA'))).status).toBe(404);
      const page = await (await app.request(`/papers/${paper.id}`)).text();
      expect(page).toContain(
        `<meta property="og:image" content="http://paperboy.test${thumbnailPath(paper.id, paper.thumbnail!.hash)}"/>`,
      );
      expect(await (await app.request(`/papers/${BROKEN}`)).text()).not.toContain('og:image');
      expect((await app.request(`/thumbnails/short/${paper.id}`)).status).toBe(404);
    } finally {
      search.close();
    }

    const failures = await t.db.selectFrom('thumbnail_attempts').selectAll().orderBy('paper_id').execute();
    expect(failures.map((f) => [f.paper_id, f.attempts])).toEqual([
      [BROKEN, 1],
      [ENCRYPTED, 6],
      [MISSING, 1],
    ]);
    expect(failures[1]!.error).toMatch(/password/i);
    expect(failures[2]!.error).toContain('HTTP 404');

    // Nothing is due again at once: a second run asks arXiv for nothing.
    const before = pdfs.asked.length;
    expect(
      await makeThumbnails(
        { store: t.store, db: t.db, fetcher, renderer, pdfUrl: (id) => `${pdfs.url}/${id}` },
        { since: DAY },
      ),
    ).toEqual({ made: 0, failed: 0 });
    expect(pdfs.asked.length).toBe(before);
    expect(
      await papersWithoutThumbnail(t.db, { since: DAY, now: new Date(Date.now() + 2 * 3_600_000), limit: 10 }),
    ).toEqual([
      { id: MISSING, day: DAY },
      { id: BROKEN, day: DAY },
    ]);
  });

  it('stops a run early when the PDFs host cannot be reached, noting only the paper it was on', async () => {
    const t2 = await freshStore(engine);
    try {
      await t2.store.upsertPapers(
        GOOD.map((id) => ({ id, source: 'arxiv-api' as const, version: 1, title: id, abstract: 'a', listedOn: DAY })),
      );
      const fetcher = createFetcher({ userAgent: 'test', minDelayMs: 0, baseBackoffMs: 1, maxRetries: 0 });
      const run = await makeThumbnails(
        { store: t2.store, db: t2.db, fetcher, renderer, pdfUrl: (id) => `http://127.0.0.1:9/pdf/${id}` },
        { since: DAY },
      );
      expect(run.made).toBe(0);
      expect(run.failed).toBe(1);
      expect(run.offline).toMatch(/Could not reach 127\.0\.0\.1:9/);
    } finally {
      await t2.dispose();
    }
  });
});

describe('paperboy thumbnails', () => {
  it('back-fills the thumbnails of papers since a day and says what it did', async () => {
    const t = await freshStore('sqlite');
    const pdfs = await pdfServer();
    try {
      await t.store.upsertPapers(
        [GOOD[0]!, BROKEN].map((id) => ({
          id,
          source: 'arxiv-api' as const,
          version: 1,
          title: id,
          abstract: 'a',
          listedOn: DAY,
        })),
      );
      const env = { ...t.env, PAPERBOY_ARXIV_PDF_URL: pdfs.url, PAPERBOY_ARXIV_DELAY_MS: '0' };
      const run = await runCli(['thumbnails', '--since', DAY], env);
      expect(run.stderr).toMatch(new RegExp(`^${BROKEN}: .*PDF`, 'm'));
      expect(run.stdout).toContain(`thumbnails: 1 made, 1 failed (tried again later) since ${DAY}`);
      expect(run.code).toBe(0);
      expect((await runCli(['thumbnails', '--since', DAY], env)).stdout).toContain('none missing');
      const retried = await runCli(['thumbnails', '--since', DAY, '--retry'], env);
      expect(retried.stderr).toContain('trying again 1 papers');
      const bad = await runCli(['thumbnails', '--since', 'yesterday'], env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('--since takes a day such as 2026-07-01');
    } finally {
      pdfs.server.close();
      await t.dispose();
    }
  });
});
