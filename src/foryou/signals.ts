import type { Db } from '../store/schema.js';
import { readSettings, setResetAt } from './settings.js';

/** A paper a reader acted on, and when (ISO): recent acts weigh more (profile.ts). */
export interface Signal {
  paperId: string;
  at: string;
}

/**
 * What a reader told us since their last reset: papers they upvoted (paper_votes) and papers they marked "not
 * interested". `since` is the reset (undefined: never reset): saves are left out before it too (`sinceReset`).
 */
export interface StoredSignals {
  upvoted: Signal[];
  notInterested: Signal[];
  since: string | undefined;
}

/** The signals given at or after the reset: a reset means "start from now", the votes themselves stay. */
export const sinceReset = <S extends Signal>(signals: S[], since: string | undefined): S[] =>
  since === undefined ? signals : signals.filter((s) => s.at >= since);

/** One indexed read of each table (their primary keys start with the account). */
export async function readSignals(db: Db, accountId: string): Promise<StoredSignals> {
  const [upvoted, notInterested, settings] = await Promise.all([
    db
      .selectFrom('paper_votes')
      .select(['paper_id as paperId', 'created_at as at'])
      .where('account_id', '=', accountId)
      .execute(),
    db
      .selectFrom('not_interested')
      .select(['paper_id as paperId', 'created_at as at'])
      .where('account_id', '=', accountId)
      .execute(),
    readSettings(db, accountId),
  ]);
  const since = settings.resetAt;
  return { upvoted: sinceReset(upvoted, since), notInterested: sinceReset(notInterested, since), since };
}

/** Marks a paper "not interested" (again: nothing changes); false when there is no such paper. */
export async function markNotInterested(db: Db, accountId: string, paperId: string, now: Date): Promise<boolean> {
  const exists = await db.selectFrom('papers').select('id').where('id', '=', paperId).executeTakeFirst();
  if (!exists) return false;
  await db
    .insertInto('not_interested')
    .values({ account_id: accountId, paper_id: paperId, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['account_id', 'paper_id']).doNothing())
    .execute();
  return true;
}

export async function unmarkNotInterested(db: Db, accountId: string, paperId: string): Promise<void> {
  await db.deleteFrom('not_interested').where('account_id', '=', accountId).where('paper_id', '=', paperId).execute();
}

/**
 * The reset of "For you": it starts from now. Every "not interested" mark goes, and the upvotes and saves made so far
 * stop shaping the ranking (they stay: upvotes are the community's, saves the library's).
 */
export async function resetForYou(db: Db, accountId: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('not_interested').where('account_id', '=', accountId).execute();
    await setResetAt(trx, accountId, now);
  });
}
