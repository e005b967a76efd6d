import { Cron } from 'croner';
import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';

/** Every recurring job of the single-process deployment, in one place. */
export interface Jobs {
  harvest?: (() => Promise<void>) | undefined;
  /** Compose the digests that are due and send the outbox (PAPERBOY_DIGEST_CRON). */
  digest?: (() => Promise<void>) | undefined;
  /** Fit the semantic search model again on every paper (PAPERBOY_REFIT_CRON). */
  refit?: (() => Promise<void>) | undefined;
  /** Store every paper's trending score again (PAPERBOY_TRENDING_CRON). */
  trending?: (() => Promise<void>) | undefined;
  /** Make the thumbnails of the last week's papers from their PDFs (PAPERBOY_THUMBNAILS_CRON). */
  thumbnails?: (() => Promise<void>) | undefined;
  /** Delete expired sign-in links and sessions (src/community/cleanup.ts), nightly at CLEANUP_CRON. */
  cleanup?: (() => Promise<void>) | undefined;
}

/** 03:23 every night: a quiet hour, away from the harvests at minute 17. */
export const CLEANUP_CRON = '23 3 * * *';

export function startSchedules(
  config: Pick<Config, 'harvestCron' | 'refitCron' | 'trendingCron' | 'thumbnailsCron' | 'mail'>,
  jobs: Jobs,
  log: Logger,
): { stop(): void } {
  // Each job with when it runs; a job left out, or a schedule set to "off" (undefined), is not scheduled.
  const when: [keyof Jobs, string | undefined][] = [
    ['harvest', config.harvestCron],
    ['digest', config.mail.digestCron],
    ['refit', config.refitCron],
    ['trending', config.trendingCron],
    ['thumbnails', config.thumbnailsCron],
    ['cleanup', CLEANUP_CRON],
  ];
  const crons: Cron[] = [];
  for (const [name, pattern] of when) {
    const job = jobs[name];
    if (!job || !pattern) continue;
    crons.push(
      new Cron(pattern, { name, protect: true, catch: (e) => log.error({ err: e }, `${name} job crashed`) }, job),
    );
  }
  for (const cron of crons) log.info(`scheduled ${cron.name}: next run ${cron.nextRun()?.toISOString() ?? 'never'}`);
  return {
    stop: () => {
      for (const c of crons) c.stop();
    },
  };
}
