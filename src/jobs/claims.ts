import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Logger } from '../log.js';
import type { Db } from '../store/schema.js';

/**
 * Scheduled runs claimed in the database (table job_runs), so that each job runs once per period across every
 * process and machine on one store. The claimant renews its heartbeat while the run lasts; a claim whose heartbeat is
 * older than the lease belonged to a process that died, and another takes it over with one atomic UPDATE.
 * Processes compare their own clocks with the heartbeats: keep the machines' clocks in step (NTP) within the lease.
 */
export interface JobClaims {
  readonly leaseMs: number;
  /** This process, as claims name it: host, pid and a random part. */
  readonly owner: string;
  /**
   * Runs `work` here if this process claims (or takes over) the job's period; otherwise says who has it. The signal
   * aborts when another process took the claim over (this one missed its heartbeats): `work` stops at its next step.
   */
  run(job: string, period: string, work: (signal: AbortSignal) => Promise<void>): Promise<ClaimOutcome>;
  /** Forgets the finished run of a period, so that it can be claimed again (a job keyed by what it does, not when). */
  reopen(job: string, period: string): Promise<void>;
}

export type ClaimOutcome =
  | { state: 'ran' | 'took over' }
  | { state: 'finished' }
  /** Another process is running it; its claim may be taken over once `heartbeatAt` is older than the lease. */
  | { state: 'held'; by: string; heartbeatAt: string };

export function createJobClaims(
  db: Db,
  opts: { leaseMs: number; log?: Logger | undefined; owner?: string; now?: () => Date },
): JobClaims {
  if (!(opts.leaseMs >= 100)) throw new RangeError(`the job lease must be at least 100 ms, got ${opts.leaseMs}`);
  const { leaseMs, log } = opts;
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const now = opts.now ?? (() => new Date());
  const mine = (job: string, period: string) =>
    db.updateTable('job_runs').where('job', '=', job).where('period', '=', period).where('claimed_by', '=', owner);

  async function claim(job: string, period: string): Promise<ClaimOutcome | 'claimed' | 'taken'> {
    const at = now();
    const stamp = at.toISOString();
    const inserted = await db
      .insertInto('job_runs')
      .values({
        job,
        period,
        claimed_by: owner,
        claimed_at: stamp,
        heartbeat_at: stamp,
        finished_at: null,
        error: null,
      })
      .onConflict((oc) => oc.columns(['job', 'period']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return 'claimed';
    const stale = new Date(at.getTime() - leaseMs).toISOString();
    const taken = await db
      .updateTable('job_runs')
      .set({ claimed_by: owner, claimed_at: stamp, heartbeat_at: stamp, attempts: sql<number>`attempts + 1` })
      .where('job', '=', job)
      .where('period', '=', period)
      .where('finished_at', 'is', null)
      .where('heartbeat_at', '<', stale)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return 'taken';
    const row = await db
      .selectFrom('job_runs')
      .select(['claimed_by', 'heartbeat_at', 'finished_at'])
      .where('job', '=', job)
      .where('period', '=', period)
      .executeTakeFirstOrThrow();
    if (row.finished_at) return { state: 'finished' };
    return { state: 'held', by: row.claimed_by, heartbeatAt: row.heartbeat_at };
  }

  return {
    leaseMs,
    owner,
    async run(job, period, work) {
      const got = await claim(job, period);
      if (typeof got === 'object') return got;
      if (got === 'taken') log?.warn(`${job}: took over the run for ${period} from a process that stopped answering`);
      const lost = new AbortController();
      const beat = setInterval(() => {
        mine(job, period)
          .set({ heartbeat_at: now().toISOString() })
          .executeTakeFirst()
          .then((r) => {
            if (Number(r.numUpdatedRows) === 0 && !lost.signal.aborted) {
              const message = `${job}: another process took over the run for ${period} (this one missed its heartbeats for longer than the ${leaseMs} ms lease: raise PAPERBOY_JOB_LEASE_SECONDS if runs pause that long); this one stops`;
              log?.warn(message);
              lost.abort(new Error(message));
            }
          })
          .catch((error: unknown) => log?.error({ err: error }, `${job}: could not renew the claim on ${period}`));
      }, leaseMs / 4);
      let failure: unknown;
      try {
        await work(lost.signal);
      } catch (error) {
        failure = error ?? new Error('unknown failure');
      } finally {
        clearInterval(beat);
      }
      const error = failure === undefined ? null : failure instanceof Error ? failure.message : String(failure);
      await mine(job, period).set({ finished_at: now().toISOString(), error }).execute();
      if (failure !== undefined) throw failure;
      return { state: got === 'taken' ? 'took over' : 'ran' };
    },
    async reopen(job, period) {
      await db
        .deleteFrom('job_runs')
        .where('job', '=', job)
        .where('period', '=', period)
        .where('finished_at', 'is not', null)
        .execute();
    },
  };
}

/** How long a finished run's row is kept (it says when each job last ran, and how); the nightly clean-up drops older. */
export const JOB_RUNS_KEPT_DAYS = 30;

/** Deletes the rows of runs that finished before `before`; answers how many. */
export async function deleteFinishedRuns(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('job_runs')
    .where('finished_at', 'is not', null)
    .where('finished_at', '<', before.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
