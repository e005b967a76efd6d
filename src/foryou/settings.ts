import { randomId } from '../crypto/tokens.js';
import type { Db } from '../store/schema.js';

/** A reader's For you settings: no row until they rotate their feed's address or reset their ranking. */
export interface ForYouSettings {
  /** Mixed into the private feed's token (src/web/for-you.ts feedToken); undefined: the first address. */
  feedKey: string | undefined;
  /** ISO: upvotes, saves and marks before it no longer shape the ranking; undefined: never reset. */
  resetAt: string | undefined;
}

export async function readSettings(db: Db, accountId: string): Promise<ForYouSettings> {
  const row = await db
    .selectFrom('for_you_settings')
    .select(['feed_key', 'reset_at'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return { feedKey: row?.feed_key ?? undefined, resetAt: row?.reset_at ?? undefined };
}

/** A new key for the private feed: its address changes and the old one stops working. */
export async function rotateFeedKey(db: Db, accountId: string): Promise<string> {
  const key = randomId();
  await db
    .insertInto('for_you_settings')
    .values({ account_id: accountId, feed_key: key, reset_at: null })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ feed_key: key }))
    .execute();
  return key;
}

/** Marks the reset: what the reader did before `now` no longer shapes their ranking. */
export async function setResetAt(db: Db, accountId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('for_you_settings')
    .values({ account_id: accountId, feed_key: null, reset_at: at })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ reset_at: at }))
    .execute();
}
