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
  const crons: Cron[] = [];
  if (jobs.harvest) {
    crons.push(
      new Cron(
        config.harvestCron,
        { name: 'harvest', protect: true, catch: (e) => log.error({ err: e }, 'harvest job crashed') },
        jobs.harvest,
      ),
    );
  }
  if (jobs.digest && config.mail.digestCron) {
    crons.push(
      new Cron(
        config.mail.digestCron,
        { name: 'digest', protect: true, catch: (e) => log.error({ err: e }, 'digest job crashed') },
        jobs.digest,
      ),
    );
  }
  if (jobs.refit && config.refitCron) {
    crons.push(
      new Cron(
        config.refitCron,
        { name: 'refit', protect: true, catch: (e) => log.error({ err: e }, 'refit job crashed') },
        jobs.refit,
      ),
    );
  }
  if (jobs.trending && config.trendingCron) {
    crons.push(
      new Cron(
        config.trendingCron,
        { name: 'trending', protect: true, catch: (e) => log.error({ err: e }, 'trending job crashed') },
        jobs.trending,
      ),
    );
  }
  if (jobs.thumbnails && config.thumbnailsCron) {
    crons.push(
      new Cron(
        config.thumbnailsCron,
        { name: 'thumbnails', protect: true, catch: (e) => log.error({ err: e }, 'thumbnails job crashed') },
        jobs.thumbnails,
      ),
    );
  }
  if (jobs.cleanup) {
    crons.push(
      new Cron(
        CLEANUP_CRON,
        { name: 'cleanup', protect: true, catch: (e) => log.error({ err: e }, 'cleanup job crashed') },
        jobs.cleanup,
      ),
    );
  }
  for (const cron of crons) log.info(`scheduled ${cron.name}: next run ${cron.nextRun()?.toISOString() ?? 'never'}`);
  return {
    stop: () => {
      for (const c of crons) c.stop();
    },
  };
}
