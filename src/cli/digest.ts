import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import { lazyService, setupMail } from '../digest/job.js';
import { openForYou } from '../foryou/for-you.js';
import { TERMS_FILE } from '../foryou/term-stats-file.js';
import { createJobClaims } from '../jobs/claims.js';
import { createDigestJob } from '../jobs/digest.js';
import { startSchedules } from '../jobs/schedule.js';
import { createLogger } from '../log.js';
import { outboxCounts } from '../mail/outbox.js';
import { Refusal } from '../model/refusal.js';
import { embedderFromConfig } from '../search/embedders.js';
import { createSearchService } from '../search/search.js';
import type { OpenedStore } from '../store/store.js';

function requireSmtp(config: Config): void {
  if (!config.mail.smtpUrl)
    throw new ConfigError(
      'SMTP_URL is not set: set it to your mail server, e.g. smtp://user:pass@mail.example.org:587.',
    );
}

/** `paperboy digest run`: composes the digests due now (or at --now) and sends the outbox once, then exits. */
export async function runDigestOnce(
  config: Config,
  opened: OpenedStore,
  opts: { now?: string | undefined },
): Promise<void> {
  requireSmtp(config);
  const now = opts.now ? new Date(opts.now) : undefined;
  if (now && Number.isNaN(now.getTime()))
    throw new Refusal('invalid', `--now must be a date and time like 2026-07-01T08:00:00Z, got ${opts.now}`);
  const log = createLogger(config);
  const embedder = embedderFromConfig(config);
  const search = lazyService(() => createSearchService(opened.store, opened.db, { embedder }));
  const forYou = lazyService(() =>
    openForYou(opened.store, opened.db, { termsFile: join(config.dataDir, TERMS_FILE), log: (l, m) => log[l](m) }),
  );
  const mail = await setupMail(config, opened, log, { search: search.get, forYou: forYou.get });
  try {
    const r = await mail.runner!.run(now);
    const left = await outboxCounts(opened.db);
    console.log(`digests: ${r.composed} composed, ${r.empty} with nothing new, ${r.subscribers} subscribers looked at`);
    console.log(
      `mail: ${r.sent} sent, ${r.retried} deferred, ${r.failed} failed; outbox: ${left.pending} waiting, ${left.sending} in flight, ${left.sent} sent, ${left.failed} failed`,
    );
  } finally {
    mail.close();
    search.close();
    forYou.close();
  }
}

/** `paperboy worker`: the digest schedule without the web site, for deployments that run them apart. */
export async function runWorker(config: Config, opened: OpenedStore): Promise<void> {
  requireSmtp(config);
  if (!config.mail.digestCron)
    throw new ConfigError('PAPERBOY_DIGEST_CRON is off: the worker would have nothing to do.');
  const log = createLogger(config);
  const embedder = embedderFromConfig(config);
  // Papers other processes store reach the search (for saved-search alerts) and For you through the change feed.
  await opened.store.followChanges({ onError: (error) => log.warn({ err: error }, 'change feed: reading it again') });
  const search = lazyService(() => createSearchService(opened.store, opened.db, { embedder }));
  const forYou = lazyService(() =>
    openForYou(opened.store, opened.db, { termsFile: join(config.dataDir, TERMS_FILE), log: (l, m) => log[l](m) }),
  );
  const mail = await setupMail(config, opened, log, { search: search.get, forYou: forYou.get });
  const job = createDigestJob(mail.runner!, log);
  const claims = createJobClaims(opened.db, { leaseMs: config.jobLeaseSeconds * 1000, log });
  const schedules = startSchedules(config, { digest: job }, log, claims);
  log.info(`worker started (${opened.store.engine} store)`);
  void schedules.runLatest('digest');
  const shutdown = () => {
    log.info('shutting down');
    schedules.stop();
    mail.close();
    search.close();
    forYou.close();
    opened.store.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
