import type { Kysely } from 'kysely';
import { NEW_ACCOUNT_HOURS, NEW_ACCOUNT_VOTE_POINTS, POINTS_PER_UPVOTE } from '../model/trending.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Account } from './accounts.js';

type Db = Kysely<Database>;

export interface VoteResult {
  upvoted: boolean;
  /** What readers see: the source's upvotes plus this site's. */
  upvotes: number;
}

/** The trending weight of a vote from this account now (see src/model/trending.ts). */
export function votePoints(account: Pick<Account, 'createdAt'>, now: Date): number {
  const ageMs = now.getTime() - Date.parse(account.createdAt);
  return ageMs < NEW_ACCOUNT_HOURS * 3_600_000 ? NEW_ACCOUNT_VOTE_POINTS : POINTS_PER_UPVOTE;
}

/**
 * Upvotes the paper, or takes the account's upvote back (the site's button). The vote row, the paper's counters and
 * its trending score change in one transaction (src/store/kysely-store.ts keeps concurrent votes from losing one
 * another). Undefined when there is no such paper, or it is hidden.
 */
export function toggleVote(
  store: Store,
  account: Pick<Account, 'id' | 'createdAt'>,
  paperId: string,
  now: Date,
): Promise<VoteResult | undefined> {
  return changeVote(store, account, paperId, 'toggle', now);
}

/**
 * Makes the account's vote on the paper what is asked, whatever it was (the API: sending it twice changes nothing the
 * second time). The same rules and the same transaction as toggleVote.
 */
export function setVote(
  store: Store,
  account: Pick<Account, 'id' | 'createdAt'>,
  paperId: string,
  upvoted: boolean,
  now: Date,
): Promise<VoteResult | undefined> {
  return changeVote(store, account, paperId, upvoted, now);
}

async function changeVote(
  store: Store,
  account: Pick<Account, 'id' | 'createdAt'>,
  paperId: string,
  want: boolean | 'toggle',
  now: Date,
): Promise<VoteResult | undefined> {
  return store.transaction(async (trx, papers) => {
    // A paper a curator hid (spam) takes no votes: to readers it is not there.
    const exists = await trx
      .selectFrom('papers')
      .select('id')
      .where('id', '=', paperId)
      .where('hidden_at', 'is', null)
      .executeTakeFirst();
    if (!exists) return undefined;
    let delta = { votes: 0, points: 0 };
    if (want !== false) {
      const points = votePoints(account, now);
      const inserted = await trx
        .insertInto('paper_votes')
        .values({ account_id: account.id, paper_id: paperId, points, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['account_id', 'paper_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) delta = { votes: 1, points };
    }
    if (want === false || (want === 'toggle' && delta.votes === 0)) {
      const removed = await trx
        .deleteFrom('paper_votes')
        .where('account_id', '=', account.id)
        .where('paper_id', '=', paperId)
        .returning('points')
        .executeTakeFirst();
      if (removed) delta = { votes: -1, points: -removed.points };
    }
    const upvoted = want === true || delta.votes > 0;
    if (delta.votes === 0) {
      // Nothing changed (the vote was already as asked): the paper's counters and caches stay as they are.
      const row = await trx
        .selectFrom('papers')
        .select(['upvotes', 'community_upvotes'])
        .where('id', '=', paperId)
        .executeTakeFirstOrThrow();
      return { upvoted, upvotes: row.upvotes + row.community_upvotes };
    }
    const paper = await papers.addVotes(paperId, delta.votes, delta.points);
    return { upvoted, upvotes: paper.upvotes + paper.communityUpvotes };
  });
}

/** Which of these papers the account has upvoted. */
export async function upvotedAmong(db: Db, accountId: string, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('paper_votes')
    .select('paper_id')
    .where('account_id', '=', accountId)
    .where('paper_id', 'in', paperIds.slice(0, 500))
    .execute();
  return new Set(rows.map((r) => r.paper_id));
}
