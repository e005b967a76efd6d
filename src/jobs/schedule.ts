import { Cron } from 'croner';
import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';
import type { JobClaims } from './claims.js';

/** A scheduled job; the signal aborts when another process took its run over (claims.ts): stop at the next step. */
export type Job = (signal: AbortSignal) => Promise<void>;

/** Every recurring job of the deployment, in one place. */
export interface Jobs {
  harvest?: Job | undefined;
  /** Compose the digests that are due and send the outbox (PAPERBOY_DIGEST_CRON). */
  digest?: Job | undefined;
  /** Fit the semantic search model again on every paper (PAPERBOY_REFIT_CRON). */
  refit?: Job | undefined;
  /** Store every paper's trending score again (PAPERBOY_TRENDING_CRON). */
  trending?: Job | undefined;
  /** Make the thumbnails of the last week's papers from their PDFs (PAPERBOY_THUMBNAILS_CRON). */
  thumbnails?: Job | undefined;
  /** Delete expired sign-in links and sessions (src/community/cleanup.ts), nightly at CLEANUP_CRON. */
  cleanup?: Job | undefined;
}

/** 03:23 every night: a quiet hour, away from the harvests at minute 17. */
export const CLEANUP_CRON = '23 3 * * *';

/** What `startSchedules` answers: `runLatest` runs a job now for its current period, unless that ran already. */
export interface Schedules {
  runLatest(name: keyof Jobs): Promise<void>;
  stop(): void;
}

/**
 * Starts every job on its schedule. Each run is claimed in the store for its period (src/jobs/claims.ts), so that
 * however many processes schedule the same jobs, each period runs once; a process that finds a period claimed by
 * another watches the claim and takes it over if that process stops renewing it. A job still running here skips
 * its next period here (another process may take it).
 */
export function startSchedules(
  config: Pick<Config, 'harvestCron' | 'refitCron' | 'trendingCron' | 'thumbnailsCron' | 'mail'>,
  jobs: Jobs,
  log: Logger,
  claims: JobClaims,
): Schedules {
  // Each job with when it runs; a job left out, or a schedule set to "off" (undefined), is not scheduled.
  const when: [keyof Jobs, string | undefined][] = [
    ['harvest', config.harvestCron],
    ['digest', config.mail.digestCron],
    ['refit', config.refitCron],
    ['trending', config.trendingCron],
    ['thumbnails', config.thumbnailsCron],
    ['cleanup', CLEANUP_CRON],
  ];
  const running = new Set<keyof Jobs>();
  /** Claims of other processes this one watches, by job and period, to take over if their heartbeats stop. */
  const watches = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  async function runFor(name: keyof Jobs, period: string, job: Job, watching = false): Promise<void> {
    if (stopped) return;
    if (running.has(name)) {
      // A claim watched while this process runs another period of the job: looked at again later, not dropped.
      if (watching) watch(name, period, job, new Date().toISOString());
      else log.warn(`the previous ${name} run is still going; this process leaves the run for ${period} to the others`);
      return;
    }
    running.add(name);
    try {
      const outcome = await claims.run(name, period, job);
      if (outcome.state === 'held') watch(name, period, job, outcome.heartbeatAt);
      else if (outcome.state === 'finished') log.debug(`${name}: the run for ${period} was done by another process`);
    } catch (error) {
      log.error({ err: error }, `${name} job crashed`);
    } finally {
      running.delete(name);
    }
  }

  /**
   * Tries the claim again once its heartbeat may have gone stale. Every period held by another process is watched
   * until it is finished (a newer period does not end the watch of an older one whose claimant may have died).
   */
  function watch(name: keyof Jobs, period: string, job: Job, heartbeatAt: string): void {
    const key = `${name} ${period}`;
    clearTimeout(watches.get(key));
    const wait = Math.max(0, Date.parse(heartbeatAt) + claims.leaseMs - Date.now()) + Math.random() * 250;
    const timer = setTimeout(() => {
      watches.delete(key);
      void runFor(name, period, job, true);
    }, wait);
    watches.set(key, timer);
  }

  const crons = new Map<keyof Jobs, Cron>();
  for (const [name, pattern] of when) {
    const job = jobs[name];
    if (!job || !pattern) continue;
    const cron = new Cron(pattern, { name }, (self: Cron) => runFor(name, periodKey(self, new Date()), job));
    crons.set(name, cron);
  }
  for (const cron of crons.values())
    log.info(`scheduled ${cron.name}: next run ${cron.nextRun()?.toISOString() ?? 'never'}`);
  return {
    runLatest: async (name) => {
      const scheduled = crons.get(name);
      const job = jobs[name];
      if (!job) return;
      await runFor(name, scheduled ? periodKey(scheduled, new Date()) : `start:${minute(new Date())}`, job);
    },
    stop: () => {
      stopped = true;
      for (const cron of crons.values()) cron.stop();
      for (const timer of watches.values()) clearTimeout(timer);
    },
  };
}

/**
 * The period a run at `now` belongs to: the latest time the schedule names at or before `now`, the same in every
 * process whenever its timer fires. Looks back from a second to a year, doubling.
 */
export function periodKey(cron: Cron, now: Date): string {
  const t = now.getTime();
  for (let back = 1000; back <= 366 * 86_400_000; back *= 2) {
    let at = cron.nextRun(new Date(t - back));
    if (!at || at.getTime() > t) continue;
    for (let next = cron.nextRun(at); next && next.getTime() <= t; next = cron.nextRun(at)) at = next;
    return at.toISOString();
  }
  return `start:${minute(now)}`;
}

/** A run outside any schedule, keyed by its minute: processes started together run it once. */
function minute(at: Date): string {
  return `${at.toISOString().slice(0, 16)}Z`;
}
