import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * Deletes what can no longer be used: expired sign-in links (used or not) and expired sessions. A link counts
 * towards its address's limit only while it is younger than its lifetime, so an expired one is never needed again.
 */
export async function deleteExpired(db: Kysely<Database>, now: Date): Promise<{ links: number; sessions: number }> {
  const at = now.toISOString();
  const links = await db.deleteFrom('signin_links').where('expires_at', '<=', at).executeTakeFirst();
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', at).executeTakeFirst();
  return { links: Number(links.numDeletedRows), sessions: Number(sessions.numDeletedRows) };
}
