import cluster from 'node:cluster';
import type { Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import v8 from 'node:v8';
import { serve } from '@hono/node-server';
import { type Config, isLoopback } from '../config/config.js';
import { setupMail } from '../digest/job.js';
import { type ForYou, openForYou } from '../foryou/for-you.js';
import { TERMS_FILE } from '../foryou/term-stats-file.js';
import { arxivLookup, arxivPapersLookup } from '../ingest/arxiv-api.js';
import { createFetchers } from '../ingest/fetchers.js';
import { createJobClaims } from '../jobs/claims.js';
import { createCleanupJob } from '../jobs/cleanup.js';
import { createDigestJob } from '../jobs/digest.js';
import { createHarvestJob } from '../jobs/harvest.js';
import { createRefitJob } from '../jobs/refit.js';
import { startSchedules } from '../jobs/schedule.js';
import { createThumbnailJob } from '../jobs/thumbnails.js';
import { createTrendingJob } from '../jobs/trending.js';
import { createLogger, type Logger } from '../log.js';
import { databaseSearch } from '../search/db-search.js';
import { embedderFromConfig } from '../search/embedders.js';
import { createSearchService } from '../search/search.js';
import { warmingSearch } from '../search/warming.js';
import type { OpenedStore } from '../store/store.js';
import { createApp } from '../web/app.js';
import { webDeps } from '../web/deps.js';
import { MAX_HEADER_BYTES } from '../web/limits.js';
import { answerOversizedRequests } from '../web/oversized.js';

/**
 * `paperboy serve`: the web site, plus harvests and the other jobs on their schedules (a harvest right away, unless
 * the current period's ran already). Under `--processes N` (src/cli/cluster.ts) this runs in each of the N processes;
 * only the first has `schedules`. However many processes or machines schedule them, each period runs once
 * (src/jobs/claims.ts).
 */
export async function runServe(
  config: Config,
  opened: OpenedStore,
  opts: { harvest: boolean; digest?: boolean; schedules?: boolean },
): Promise<void> {
  const { store, db } = opened;
  const log = createLogger(config);
  boundHeapGrowth();
  const harvesting = opts.harvest && config.sources.length > 0;
  // Checked before listening: a bad PAPERBOY_SOURCES ends the command instead of leaving a site that never harvests.
  let harvest: (() => Promise<void>) | undefined;
  // One fetcher per remote for harvests and submissions alike, so the spacing between arXiv requests holds.
  const fetchers = createFetchers(config);
  try {
    harvest = harvesting ? createHarvestJob({ store, config, ...fetchers }, config.sources, log) : undefined;
  } catch (error) {
    await store.close();
    throw error;
  }

  // Other processes' writes reach this one's index, caches and pages; followed before the index loads, so none is missed.
  await store.followChanges({ onError: (error) => log.warn({ err: error }, 'change feed: reading it again') });
  // The site answers at once: search from the database until the index is built (seconds on a large store), /readyz
  // says which. A store without a fitted model gets one in the background; keyword search answers meanwhile.
  const embedder = embedderFromConfig(config);
  const searchLog = (level: 'info' | 'warn' | 'error', message: string) => log[level](message);
  const snapshot = join(config.dataDir, 'search-index.snapshot');
  const claims = createJobClaims(db, { leaseMs: config.jobLeaseSeconds * 1000, log });
  // The processes of `--processes N` share the data folder: the first (the one with the schedules) saves the snapshot.
  const opening = createSearchService(store, db, {
    embedder,
    fitIfMissing: true,
    log: searchLog,
    snapshot,
    savesSnapshot: opts.schedules !== false,
    claims,
  });
  const search = warmingSearch(opening, databaseSearch(store, db), searchLog);
  const closing = new AbortController();
  // "For you" reads every paper once (seconds on a large store): opened in the background, pages say so meanwhile;
  // the digest waits for it.
  let forYou: ForYou | undefined;
  // Opened once the search is ready: both read every paper, and searches matter more than For you meanwhile.
  let forYouStarted = performance.now();
  const forYouOpening = opening
    .catch(() => undefined)
    .then(() => {
      forYouStarted = performance.now();
      return openForYou(store, db, {
        termsFile: join(config.dataDir, TERMS_FILE),
        savesTerms: opts.schedules !== false,
        log: searchLog,
      });
    });
  const mail = await setupMail(config, opened, log, { search: () => opening, forYou: () => forYouOpening });
  const fetchPaper = arxivLookup(fetchers.arxivFetcher, config.arxivApiUrl);
  const fetchPapers = arxivPapersLookup(fetchers.arxivFetcher, config.arxivApiUrl);
  void forYouOpening.then(
    (opened) => {
      if (closing.signal.aborted) return opened.close();
      forYou = opened;
      log.info(`for-you ranking ready in ${Math.round(performance.now() - forYouStarted)} ms`);
    },
    (error: unknown) => {
      if (!closing.signal.aborted)
        log.error({ err: error }, 'for-you ranking could not open: its pages show trending papers');
    },
  );
  const app = createApp(
    webDeps({
      store,
      db,
      search,
      config,
      log,
      secret: mail.secret,
      kick: mail.kick,
      fetchPaper,
      fetchPapers,
      closed: closing.signal,
      forYou: () => forYou,
    }),
  );
  const server = serve(
    { fetch: app.fetch, port: config.port, hostname: config.host, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } },
    (info) => {
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${host}:${info.port}`;
      // With PORT=0 the system picks the port: the configured base URL does not know it.
      const open = config.port === 0 ? url : config.baseUrl;
      log.info(`Paperboy is listening on ${url} (${store.engine} store)${open === url ? '' : `; open ${open}`}`);
    },
  );
  answerOversizedRequests(server as Server);
  const memoryLog = log.isLevelEnabled('debug') ? logMemory(log, store) : undefined;
  // Which process of `serve --processes N` answered (they share the port), for operators and the tests.
  if (cluster.isWorker) server.on('request', (_req, res: ServerResponse) => res.setHeader('Paperboy-Pid', process.pid));
  server.on('error', (error: NodeJS.ErrnoException) => {
    const hint =
      error.code === 'EADDRINUSE'
        ? ` Port ${config.port} is in use: set PORT to another port (PORT=0 picks a free one).`
        : '';
    log.fatal(`cannot listen on ${config.host}:${config.port}: ${error.message}.${hint}`);
    process.exit(1);
  });

  const base = new URL(config.baseUrl);
  if (base.protocol !== 'https:' && !isLoopback(base.hostname))
    log.warn(
      `PAPERBOY_BASE_URL is ${config.baseUrl}, not https: mails carry no one-click unsubscribe (RFC 8058 asks for https) and sign-in cookies are not marked Secure. Serve the site over https (e.g. behind a reverse proxy) and set PAPERBOY_BASE_URL to that address.`,
    );

  const papers = await store.countPapers();
  if (papers === 0) {
    log.warn('The store is empty. Import a dump with `npx paperboy import <file>` or wait for the first harvest.');
  }

  const digest = opts.digest !== false && mail.runner ? createDigestJob(mail.runner, log) : undefined;
  const refit = createRefitJob(search, log);
  const trending = createTrendingJob(store, log);
  const cleanup = createCleanupJob(db, log);
  // Thumbnails come from arXiv like the harvests, with the same fetcher: a server that does not harvest fetches none.
  const thumbnails = harvest ? createThumbnailJob({ store, db, config, ...fetchers }, log) : undefined;
  const schedules =
    opts.schedules === false
      ? undefined
      : startSchedules(config, { harvest, digest, refit, trending, cleanup, thumbnails: thumbnails?.run }, log, claims);
  if (!schedules) log.info('this process serves the site only: another one of `serve --processes` runs the schedules');
  else if (harvest) void schedules.runLatest('harvest');
  else log.info('harvesting is off (PAPERBOY_SOURCES=none or --no-harvest)');
  if (!digest && schedules)
    log.info('digests are not sent by this process (no SMTP_URL, PAPERBOY_DIGEST_CRON=off or --no-digest)');
  mail.kick();

  // Once: under --processes a Ctrl-C reaches a web process twice (SIGINT from the terminal, SIGTERM from the primary).
  let shuttingDown = false;
  const shutdown = () => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('shutting down');
    schedules?.stop();
    memoryLog?.();
    closing.abort();
    void thumbnails?.close();
    mail.close();
    search.close();
    forYou?.close();
    server.close(() => {
      store
        .close()
        .catch((error: unknown) => log.error({ err: error }, 'closing the store failed'))
        .finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent. Left to itself, V8
 * lets it grow up to 4 times the live heap when objects reach it fast, as a site's do under traffic (mostly the
 * strings of rows read from the database for a page, which outlive a young-generation collection or two under load,
 * then die): in bench/soak's traffic the live heap stayed at 100-150 MB while the heap grew from 170 to 420-440 MB and
 * RSS from about 310 to 600 MB over the first two minutes, with or without an import beside the site. At 50% the heap
 * stays at 165-230 MB, for 1-5% more CPU per request (three of four A/B runs of the same traffic; +18% in one under a
 * load of 9 on 2 cores, where runs differ by ±10%) and 0.3 s more of full-collection pauses in 3 minutes. At 74,728
 * papers under distinct searches a web process held 840-925 MB RSS; 515-520 MB at 50% (560-610 MB at 100%).
 */
export const HEAP_GROWING_PERCENT = 50;

/** Bounds the heap's growth (HEAP_GROWING_PERCENT), unless node was started with its own --heap-growing-percent. */
function boundHeapGrowth(): void {
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent')))
    return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** How often `serve` logs its memory at debug level, and from how many papers changed at once (an import's batch). */
const MEMORY_LOG_MS = 5_000;
const MEMORY_LOG_BATCH = 100;

/**
 * At debug level, `serve` logs its memory in MB (RSS, V8's heap reserved and used, memory outside it) every
 * MEMORY_LOG_MS and when a batch of papers comes in (an import, a harvest): what a process's RSS is made of (bench/soak
 * --logs keeps these lines). Returns the stop.
 */
function logMemory(log: Logger, store: OpenedStore['store']): () => void {
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const line = (event: string, fields: Record<string, unknown> = {}) => {
    const m = process.memoryUsage();
    log.debug(
      {
        event,
        ...fields,
        rss: mb(m.rss),
        heapTotal: mb(m.heapTotal),
        heapUsed: mb(m.heapUsed),
        external: mb(m.external),
        arrayBuffers: mb(m.arrayBuffers),
      },
      'memory',
    );
  };
  const timer = setInterval(() => line('tick'), MEMORY_LOG_MS).unref();
  const unsubscribe = store.onPapersChanged(({ ids, text }) => {
    if (text && ids.length >= MEMORY_LOG_BATCH) line('papers changed', { papers: ids.length });
  });
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
