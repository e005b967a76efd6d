import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { randomId } from '../crypto/tokens.js';
import { Refusal } from '../model/refusal.js';
import { cleanLine, cleanName } from '../model/text.js';
import type { AccountsTable, Database } from '../store/schema.js';
import { checkHandle, HANDLE_MAX } from './profile.js';

export interface Account {
  id: string;
  email: string;
  handle: string;
  displayName: string;
  createdAt: string;
  role: Role;
  bannedAt: string | null;
}

/** What an account may do: see src/community/roles.ts. */
export type Role = 'member' | 'curator' | 'admin';
const ROLES: readonly string[] = ['member', 'curator', 'admin'] satisfies Role[];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLES.includes(value);
}

type Db = Kysely<Database>;

export function accountFromRow(r: Selectable<AccountsTable>): Account {
  return {
    id: r.id,
    email: r.email,
    handle: cleanLine(r.handle),
    displayName: cleanName(r.display_name),
    createdAt: r.created_at,
    role: isRole(r.role) ? r.role : 'member',
    bannedAt: r.banned_at,
  };
}

export async function getAccount(db: Db, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? accountFromRow(row) : undefined;
}

/** A handle when the address gives none (they can change it). */
export const generatedHandle = () => `reader-${randomBytes(5).toString('hex')}`;

/**
 * The handle of a new account, from its address, however it is made (a first sign-in, `paperboy accounts create`,
 * an admin): the address's name part without its `+tag`, accents dropped (josé is jose), other characters made "-";
 * then that with -2, -3… -9 when it is taken, reserved or too short ("me" is me-2). A generated `reader-…` only
 * when none of these is free or the name part has no letter or digit of a-z. The owner can change it at /account.
 */
export async function handleForAddress(db: Db, email: string): Promise<string> {
  const candidates = handlesOfAddress(email);
  if (candidates.length === 0) return generatedHandle();
  const rows = await db.selectFrom('accounts').select('handle').where('handle', 'in', candidates).execute();
  const taken = new Set(rows.map((r) => r.handle));
  return candidates.find((h) => !taken.has(h)) ?? generatedHandle();
}

/** The handles an address suggests, best first: valid ones only. */
export function handlesOfAddress(email: string): string[] {
  const name = email.slice(0, Math.max(0, email.lastIndexOf('@'))).split('+')[0]!;
  const base = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+/, '')
    // Room for a "-9".
    .slice(0, HANDLE_MAX - 2)
    .replace(/[-_]+$/, '');
  if (!base) return [];
  const numbered = Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`);
  return [base, ...numbered].filter((h) => checkHandle(h).ok);
}

/**
 * Writes a new account: the one place accounts are made, on a first sign-in (accountForEmail) or by an admin or the
 * command line (src/community/moderation.ts). Nothing is written when the address has an account already;
 * answers the new account's id, or undefined then.
 */
export async function insertAccount(
  db: Db,
  input: { email: string; handle: string; role?: Role; origin?: 'signin' | 'cli' },
  now: Date,
): Promise<string | undefined> {
  const at = now.toISOString();
  const row = {
    id: randomId(),
    email: input.email,
    handle: input.handle,
    display_name: input.email.split('@')[0]!.slice(0, 80),
    created_at: at,
    updated_at: at,
    ...(input.role ? { role: input.role } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  };
  const done = await db
    .insertInto('accounts')
    .values(row)
    .onConflict((oc) => oc.column('email').doNothing())
    .executeTakeFirst();
  return Number(done.numInsertedOrUpdatedRows ?? 0) > 0 ? row.id : undefined;
}

/** The account of an address, created on its first sign-in with a generated handle the owner can change. */
export async function accountForEmail(
  db: Db,
  email: string,
  now: Date,
): Promise<{ account: Account; created: boolean }> {
  const existing = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
  if (existing) return { account: accountFromRow(existing), created: false };
  // Two first sign-ins of one address at once: the loser reads the winner's account. Two of addresses that suggest
  // one handle (ann@a.org and ann@b.org): the loser takes a generated one.
  const id = await insertAccount(db, { email, handle: await handleForAddress(db, email) }, now).catch((error) => {
    if (!isUniqueViolation(error)) throw error;
    return insertAccount(db, { email, handle: generatedHandle() }, now);
  });
  const stored = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  return { account: accountFromRow(stored), created: stored.id === id };
}

/** Saves a checked profile; refused ('taken') when another account holds the handle. */
export async function updateProfile(
  db: Db,
  id: string,
  profile: { handle: string; displayName: string },
  now: Date,
): Promise<void> {
  const taken = () => new Refusal('taken', `The handle "${profile.handle}" is taken. Choose another.`);
  const holder = await db.selectFrom('accounts').select('id').where('handle', '=', profile.handle).executeTakeFirst();
  if (holder && holder.id !== id) throw taken();
  try {
    await db
      .updateTable('accounts')
      .set({ handle: profile.handle, display_name: profile.displayName, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  } catch (error) {
    // The unique index decides between two accounts taking a free handle at the same moment.
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

const isUniqueViolation = (error: unknown) => /unique|duplicate/i.test(error instanceof Error ? error.message : '');
