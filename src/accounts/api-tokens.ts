import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { hashToken, randomId } from '../crypto/tokens.js';
import { Refusal } from '../model/refusal.js';
import { cleanName } from '../model/text.js';
import type { ApiTokensTable, Database } from '../store/schema.js';
import { type Account, accountFromRow } from './accounts.js';

/**
 * Personal API tokens: `Authorization: Bearer pb_…` acts as the account that made it, in the JSON API only. A token
 * is 32 random bytes after a prefix that says what it is (so that a token pasted into a chat or committed to a
 * repository can be recognised by secret scanners); only its SHA-256 is stored, as for sessions. `read` tokens read
 * the owner's data; `write` tokens also change it (votes, the library).
 */

export const TOKEN_PREFIX = 'pb_';
/** The prefix and 32 bytes in base64url (43 characters): every token has this length. */
export const TOKEN_LENGTH = TOKEN_PREFIX.length + 43;
/** Live tokens per account: enough for every machine and script, few enough to review on the account page. */
export const MAX_TOKENS_PER_ACCOUNT = 20;
export const TOKEN_NAME_MAX = 80;
/** last_used_at is written at most this often per token, not on every request. */
export const LAST_USED_EVERY_MS = 60_000;

export type TokenScope = 'read' | 'write';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];
export const isTokenScope = (value: unknown): value is TokenScope =>
  typeof value === 'string' && (TOKEN_SCOPES as readonly string[]).includes(value);

export interface ApiToken {
  id: string;
  accountId: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
}

type Db = Kysely<Database>;

const TOKEN_SHAPE = /^pb_[A-Za-z0-9_-]{43}$/;

const fromRow = (r: Selectable<ApiTokensTable>): ApiToken => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  scope: r.scope === 'write' ? 'write' : 'read',
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** A token's name as given, or a refusal that says what to send instead. */
export function checkTokenName(raw: unknown): string {
  const name = cleanName(typeof raw === 'string' ? raw : '')
    .replace(/\s+/g, ' ')
    .trim();
  if (name.length > TOKEN_NAME_MAX)
    throw new Refusal(
      'invalid',
      `A token's name takes at most ${TOKEN_NAME_MAX} characters; this one has ${name.length}.`,
    );
  return name || 'API token';
}

/**
 * Makes a token for the account. The token itself is in the answer only: shown once, it cannot be read back.
 * Refused past MAX_TOKENS_PER_ACCOUNT; the count and the insert are one transaction, so two at once cannot pass it.
 */
export async function createApiToken(
  db: Db,
  accountId: string,
  input: { name?: unknown; scope: TokenScope },
  now: Date,
): Promise<{ token: string; info: ApiToken }> {
  const name = checkTokenName(input.name);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = {
    id: randomId(),
    account_id: accountId,
    token_hash: hashToken(token),
    name,
    scope: input.scope,
    created_at: now.toISOString(),
    last_used_at: null,
  };
  await db.transaction().execute(async (trx) => {
    // Writing the account's row first (changing nothing) makes two creations for one account take turns on
    // PostgreSQL; SQLite writes one transaction at a time anyway.
    const held = await trx
      .updateTable('accounts')
      .set((eb) => ({ id: eb.ref('id') }))
      .where('id', '=', accountId)
      .where('banned_at', 'is', null)
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) === 0)
      throw new Refusal('not-found', 'There is no such account, or it is banned: its tokens would not work.');
    const { count } = await trx
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= MAX_TOKENS_PER_ACCOUNT)
      throw new Refusal(
        'too-many',
        `This account has ${MAX_TOKENS_PER_ACCOUNT} API tokens, as many as it may. Revoke one it no longer uses, then create another.`,
      );
    await trx.insertInto('api_tokens').values(row).execute();
  });
  return { token, info: fromRow(row) };
}

/** The account's tokens, newest first (never the tokens themselves). */
export async function listApiTokens(db: Db, accountId: string): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(fromRow);
}

/**
 * Revokes a token: it stops working with the next request. With `accountId`, only a token of that account (the account
 * page); without, any (the command line). Answers the token revoked, or undefined when there is none.
 */
export async function revokeApiToken(db: Db, id: string, accountId?: string): Promise<ApiToken | undefined> {
  let query = db.deleteFrom('api_tokens').where('id', '=', id);
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  const row = await query.returningAll().executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Revokes every token of the account (a ban). Answers how many. */
export async function revokeAllApiTokens(db: Db, accountId: string): Promise<number> {
  const done = await db.deleteFrom('api_tokens').where('account_id', '=', accountId).executeTakeFirst();
  return Number(done.numDeletedRows);
}

/** Whether a value has the shape of a token: anything else is refused before it is hashed or looked up. */
export const looksLikeToken = (value: string): boolean => value.length === TOKEN_LENGTH && TOKEN_SHAPE.test(value);

/**
 * The account a token acts for, with the token, or undefined when it is no token of ours: malformed, unknown,
 * revoked, or its account is banned. Notes when it was used, at most once a minute.
 */
export async function tokenAccount(
  db: Db,
  token: string,
  now: Date,
): Promise<{ account: Account; token: ApiToken } | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('accounts', 'accounts.id', 'api_tokens.account_id')
    .selectAll('accounts')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.name as token_name',
      'api_tokens.scope as token_scope',
      'api_tokens.created_at as token_created_at',
      'api_tokens.last_used_at as token_last_used_at',
    ])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('accounts.banned_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const info = fromRow({
    id: row.token_id,
    account_id: row.id,
    token_hash: '',
    name: row.token_name,
    scope: row.token_scope,
    created_at: row.token_created_at,
    last_used_at: row.token_last_used_at,
  });
  const due = new Date(now.getTime() - LAST_USED_EVERY_MS).toISOString();
  if (info.lastUsedAt === null || info.lastUsedAt <= due) {
    // The condition is repeated in the update, so that concurrent requests write it once.
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', info.id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', due)]))
      .execute();
    info.lastUsedAt = now.toISOString();
  }
  return { account: accountFromRow(row), token: info };
}
