import type { Kysely } from 'kysely';
import { LINK_MINUTES } from '../accounts/signin-links.js';
import type { Database } from '../store/schema.js';

/**
 * Deletes what can no longer be used: expired sign-in links (used or not) and expired sessions. A link counts
 * towards its address's limit only while it is younger than its lifetime, so an expired one is never needed again;
 * nor is an address's row (signin-links.ts) once it asked longer ago than that.
 */
export async function deleteExpired(db: Kysely<Database>, now: Date): Promise<{ links: number; sessions: number }> {
  const at = now.toISOString();
  const links = await db.deleteFrom('signin_links').where('expires_at', '<=', at).executeTakeFirst();
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', at).executeTakeFirst();
  await db
    .deleteFrom('signin_addresses')
    .where('asked_at', '<=', new Date(now.getTime() - LINK_MINUTES * 60_000).toISOString())
    .execute();
  return { links: Number(links.numDeletedRows), sessions: Number(sessions.numDeletedRows) };
}
