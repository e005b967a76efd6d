import type { Kysely, Selectable } from 'kysely';
import { type Account, accountFromRow, handleForAddress, insertAccount, type Role } from '../accounts/accounts.js';
import { revokeAllApiTokens } from '../accounts/api-tokens.js';
import { checkEmail, checkHandle } from '../accounts/profile.js';
import { Refusal } from '../model/refusal.js';
import { recordAudit } from '../store/audit.js';
import type { AccountsTable, Database } from '../store/schema.js';
import { type Actor, actorId, requireCan } from './curation.js';

/** The database, and its engine: PostgreSQL needs row locks where SQLite runs one transaction at a time. */
export interface ModerationDb {
  db: Kysely<Database>;
  engine: 'sqlite' | 'postgres';
}

export type ManagedAccount = Account & { origin: string };

const managed = (row: Selectable<AccountsTable>): ManagedAccount => ({ ...accountFromRow(row), origin: row.origin });

/** The account with this handle (`@` optional) or email address. */
export async function findAccount(db: Kysely<Database>, who: string): Promise<ManagedAccount | undefined> {
  const key = who.trim().toLowerCase();
  const row =
    key.includes('@') && !key.startsWith('@')
      ? await db.selectFrom('accounts').selectAll().where('email', '=', key).executeTakeFirst()
      : await db.selectFrom('accounts').selectAll().where('handle', '=', key.replace(/^@/, '')).executeTakeFirst();
  return row ? managed(row) : undefined;
}

/** Accounts, newest first. */
export async function listAccounts(db: Kysely<Database>, opts: { limit?: number } = {}): Promise<ManagedAccount[]> {
  const rows = await db
    .selectFrom('accounts')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(Math.min(opts.limit ?? 200, 1000))
    .execute();
  return rows.map(managed);
}

/**
 * Creates an account from the command line (or by an admin): no sign-in needed, the owner signs in later with a
 * link to the address. Without a role, the first account the command line creates is an admin, later ones members.
 */
export async function createAccount(
  m: ModerationDb,
  actor: Actor,
  input: { email: string; handle?: string | undefined; role?: Role | undefined },
  now: Date,
): Promise<ManagedAccount> {
  requireCan(actor, 'set-role', 'create accounts');
  const email = checkEmail(input.email);
  if (!email.ok) throw new Refusal('invalid', email.error);
  const given = input.handle === undefined ? undefined : checkHandle(input.handle);
  if (given && !given.ok) throw new Refusal('invalid', given.error);
  return m.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('accounts')
      .select('handle')
      .where('email', '=', email.value)
      .executeTakeFirst();
    if (existing) {
      throw new Refusal(
        'exists',
        `${email.value} already has an account, @${existing.handle}. Change its role with \`paperboy accounts role ${existing.handle} <role>\`.`,
      );
    }
    const handle = given?.value ?? (await handleForAddress(trx, email.value));
    if (await trx.selectFrom('accounts').select('id').where('handle', '=', handle).executeTakeFirst()) {
      throw new Refusal('exists', `The handle @${handle} is taken. Choose another with --handle.`);
    }
    const origin = actor === 'cli' ? 'cli' : 'signin';
    const firstFromCli =
      actor === 'cli' &&
      !(await trx.selectFrom('accounts').select('id').where('origin', '=', 'cli').limit(1).executeTakeFirst());
    const role: Role = input.role ?? (firstFromCli ? 'admin' : 'member');
    const id = await insertAccount(trx, { email: email.value, handle, role, origin }, now);
    if (!id)
      throw new Refusal(
        'exists',
        `${email.value} was given an account a moment ago. \`paperboy accounts list\` shows it.`,
      );
    await recordAudit(
      trx,
      {
        actorId: actorId(actor),
        action: 'account.create',
        targetType: 'account',
        targetId: id,
        detail: { handle, role },
      },
      now,
    );
    return managed(await trx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  });
}

/**
 * Gives an account a role (admins only). The last admin cannot be made anything else, so the site always has
 * someone to manage roles; a banned account cannot be made admin before it is unbanned.
 */
export async function setRole(
  m: ModerationDb,
  actor: Actor,
  targetId: string,
  role: Role,
  now: Date,
): Promise<{ account: ManagedAccount; changed: boolean }> {
  requireCan(actor, 'set-role', 'change roles');
  return m.db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('accounts').selectAll().where('id', '=', targetId).executeTakeFirst();
    if (!target) throw new Refusal('not-found', 'There is no such account. `paperboy accounts list` shows them all.');
    if (target.role === role) return { account: managed(target), changed: false };
    if (role === 'admin' && target.banned_at)
      throw new Refusal('invalid', `@${target.handle} is banned: unban them first.`);
    if (target.role === 'admin') {
      // Locking every admin row makes two demotions at once take turns, so they cannot both leave "another admin".
      let admins = trx.selectFrom('accounts').select('id').where('role', '=', 'admin');
      if (m.engine === 'postgres') admins = admins.forUpdate();
      if ((await admins.execute()).length <= 1) {
        throw new Refusal(
          'last-admin',
          `@${target.handle} is the last admin. Make another account admin first, so that someone can still manage roles.`,
        );
      }
    }
    const row = await trx
      .updateTable('accounts')
      .set({ role, updated_at: now.toISOString() })
      .where('id', '=', targetId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      {
        actorId: actorId(actor),
        action: 'account.role',
        targetType: 'account',
        targetId,
        detail: { from: target.role, to: role },
      },
      now,
    );
    return { account: managed(row), changed: true };
  });
}

/**
 * Bans an account (admins only): it is signed out everywhere at once, its API tokens are revoked, and it cannot sign
 * in again; or lifts the ban.
 * An admin cannot be banned: demote them first.
 */
export async function setBanned(
  m: ModerationDb,
  actor: Actor,
  targetId: string,
  banned: boolean,
  now: Date,
): Promise<{ account: ManagedAccount; changed: boolean; sessionsEnded: number }> {
  requireCan(actor, 'ban', 'ban accounts');
  return m.db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('accounts').selectAll().where('id', '=', targetId).executeTakeFirst();
    if (!target) throw new Refusal('not-found', 'There is no such account. `paperboy accounts list` shows them all.');
    if (banned && target.role === 'admin') {
      throw new Refusal(
        'is-admin',
        `@${target.handle} is an admin. Change their role first (\`paperboy accounts role ${target.handle} member\`), then ban them.`,
      );
    }
    if (banned === (target.banned_at !== null)) return { account: managed(target), changed: false, sessionsEnded: 0 };
    const row = await trx
      .updateTable('accounts')
      .set({ banned_at: banned ? now.toISOString() : null, updated_at: now.toISOString() })
      .where('id', '=', targetId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const ended = banned
      ? Number((await trx.deleteFrom('sessions').where('account_id', '=', targetId).executeTakeFirst()).numDeletedRows)
      : 0;
    // Its API tokens go with its sessions: an unban does not bring either back.
    const tokensRevoked = banned ? await revokeAllApiTokens(trx, targetId) : 0;
    await recordAudit(
      trx,
      {
        actorId: actorId(actor),
        action: banned ? 'account.ban' : 'account.unban',
        targetType: 'account',
        targetId,
        detail: banned ? { sessionsEnded: ended, tokensRevoked } : {},
      },
      now,
    );
    return { account: managed(row), changed: true, sessionsEnded: ended };
  });
}
