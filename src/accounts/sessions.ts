import type { Kysely } from 'kysely';
import { hashToken, randomToken } from '../crypto/tokens.js';
import type { Database } from '../store/schema.js';
import { type Account, accountFromRow } from './accounts.js';

/** How long a session lasts without signing in again. */
export const SESSION_DAYS = 30;

type Db = Kysely<Database>;

/** Opens a session; the token goes in the cookie, only its hash in the store. */
export async function createSession(db: Db, accountId: string, now: Date): Promise<string> {
  const { token, hash } = randomToken();
  const expires = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await db
    .insertInto('sessions')
    .values({
      token_hash: hash,
      account_id: accountId,
      created_at: now.toISOString(),
      expires_at: expires.toISOString(),
    })
    .execute();
  return token;
}

export async function sessionAccount(db: Db, token: string, now: Date): Promise<Account | undefined> {
  if (!token || token.length > 100) return undefined;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .selectAll('accounts')
    .where('sessions.token_hash', '=', hashToken(token))
    .where('sessions.expires_at', '>', now.toISOString())
    .where('accounts.banned_at', 'is', null)
    .executeTakeFirst();
  return row ? accountFromRow(row) : undefined;
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** Signs the account out on every browser. Returns how many sessions ended. */
export async function endAllSessions(db: Db, accountId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
