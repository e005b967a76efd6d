import { deleteExpired } from '../community/cleanup.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/schema.js';
import { deleteFinishedRuns, JOB_RUNS_KEPT_DAYS } from './claims.js';

/** The nightly clean-up: expired sign-in links and sessions go, and the records of scheduled runs a month old. */
export function createCleanupJob(db: Db, log: Logger, clock: () => Date = () => new Date()): () => Promise<void> {
  return async () => {
    const { links, sessions } = await deleteExpired(db, clock());
    const now = clock();
    const runs = await deleteFinishedRuns(db, new Date(now.getTime() - JOB_RUNS_KEPT_DAYS * 86_400_000));
    log.info(
      `cleanup: deleted ${links} expired sign-in links, ${sessions} expired sessions and ${runs} records of scheduled runs`,
    );
  };
}
