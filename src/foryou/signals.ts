import type { Db } from '../store/schema.js';

/** A paper a reader acted on, and when (ISO): recent acts weigh more (profile.ts). */
export interface Signal {
  paperId: string;
  at: string;
}

/** What a reader told us: papers they upvoted (paper_votes) and papers they marked "not interested". */
export interface StoredSignals {
  upvoted: Signal[];
  notInterested: Signal[];
}

/** One indexed read of each table (their primary keys start with the account). */
export async function readSignals(db: Db, accountId: string): Promise<StoredSignals> {
  const [upvoted, notInterested] = await Promise.all([
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
  ]);
  return { upvoted, notInterested };
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

/** The reset of "For you": every "not interested" mark goes (upvotes are the community's and stay). */
export async function clearNotInterested(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('not_interested').where('account_id', '=', accountId).execute();
}
