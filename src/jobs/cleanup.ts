import { deleteExpired } from '../community/cleanup.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/schema.js';

/** The nightly clean-up: expired sign-in links and sessions go. */
export function createCleanupJob(db: Db, log: Logger, clock: () => Date = () => new Date()): () => Promise<void> {
  return async () => {
    const { links, sessions } = await deleteExpired(db, clock());
    log.info(`cleanup: deleted ${links} expired sign-in links and ${sessions} expired sessions`);
  };
}
