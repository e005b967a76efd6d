import type { Kysely } from 'kysely';
import type { Account } from '../accounts/accounts.js';
import { randomId } from '../crypto/tokens.js';
import { isArxivCategory } from '../model/arxiv-id.js';
import { authorKey } from '../model/record.js';
import { Refusal } from '../model/refusal.js';
import { cleanName } from '../model/text.js';
import type { Database } from '../store/schema.js';
import { fromRow, MAX_ALERTS, normalizeEmail, type Subscriber } from './subscribers.js';

/**
 * Following an author or a category is one notion with an email alert: a follow is an alert of the reader's
 * subscription, made for their account when they first follow something (status `following`: no mail until they ask
 * for the digest, which needs no confirmation link since signing in proved the address). An address that subscribed
 * before signing in is the same subscription: its alerts are the account's follows, and its follows its alerts.
 */
export type FollowKind = 'author' | 'category';
export const FOLLOW_KINDS: readonly FollowKind[] = ['author', 'category'];

export interface Follow {
  kind: FollowKind;
  value: string;
}

/** The subscription of this account, linked or made on first use (`create`); undefined when none and not asked to. */
export async function accountSubscriber(
  db: Kysely<Database>,
  account: Account,
  now: Date,
  create = false,
): Promise<Subscriber | undefined> {
  const linked = await db.selectFrom('subscribers').selectAll().where('account_id', '=', account.id).executeTakeFirst();
  if (linked) return fromRow(linked);
  const email = normalizeEmail(account.email);
  const byEmail = await db.selectFrom('subscribers').selectAll().where('email', '=', email).executeTakeFirst();
  // The address's owner confirmed this subscription: it is the reader's, alerts and all.
  if (byEmail && byEmail.status !== 'pending') {
    await db.updateTable('subscribers').set({ account_id: account.id }).where('id', '=', byEmail.id).execute();
    return fromRow({ ...byEmail, account_id: account.id });
  }
  if (!create) return undefined;
  if (byEmail) {
    // Asked for by someone at the form and never confirmed: its alerts are nobody's yet. The reader, who proved the
    // address by signing in, takes it over empty; its confirmation link stops working.
    await db.deleteFrom('subscriber_alerts').where('subscriber_id', '=', byEmail.id).execute();
    await db
      .updateTable('subscribers')
      .set({
        account_id: account.id,
        status: 'following',
        confirm_hash: null,
        confirm_expires_at: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', byEmail.id)
      .execute();
    const row = await db.selectFrom('subscribers').selectAll().where('id', '=', byEmail.id).executeTakeFirstOrThrow();
    return fromRow(row);
  }
  const at = now.toISOString();
  const row = {
    id: randomId(),
    email,
    account_id: account.id,
    status: 'following',
    confirm_hash: null,
    confirm_expires_at: null,
    frequency: 'weekdays',
    weekday: 1,
    hour: 8,
    time_zone: 'UTC',
    trending: 1,
    bounces: 0,
    last_period: null,
    digest_watermark: null,
    last_notice_at: null,
    created_at: at,
    confirmed_at: null,
    updated_at: at,
  };
  await db
    .insertInto('subscribers')
    .values(row)
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  const made = await db.selectFrom('subscribers').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  return fromRow(made);
}

/** The authors and categories this account follows (its subscription's author and category alerts). */
export async function listFollows(db: Kysely<Database>, account: Account, now: Date): Promise<Follow[]> {
  const s = await accountSubscriber(db, account, now);
  if (!s) return [];
  const rows = await db
    .selectFrom('subscriber_alerts')
    .select(['kind', 'value'])
    .where('subscriber_id', '=', s.id)
    .where('kind', 'in', FOLLOW_KINDS)
    .orderBy('kind')
    .orderBy('value')
    .execute();
  return rows.map((r) => ({ kind: r.kind as FollowKind, value: r.value }));
}

/** The same follow written two ways (an author's name in other case or accents) is one. */
export function followKey(f: Follow): string {
  return `${f.kind}:${f.kind === 'author' ? authorKey(f.value) : f.value}`;
}

/** A follow as the reader gave it, checked: an author's name or an arXiv category. */
export function checkFollow(kind: unknown, value: unknown): Follow {
  const text = typeof value === 'string' ? cleanName(value).trim() : '';
  if (kind === 'category') {
    if (!isArxivCategory(text) || text.length > 40)
      throw new Refusal('invalid', `“${text.slice(0, 40)}” is not an arXiv category: follow one such as cs.CL.`);
    return { kind, value: text };
  }
  if (kind === 'author') {
    if (!authorKey(text) || text.length > 200)
      throw new Refusal('invalid', 'An author to follow is a name with at least one letter, at most 200 characters.');
    return { kind, value: text };
  }
  throw new Refusal('invalid', 'Follow an author or a category.');
}

/**
 * Follows (or stops following) an author or a category; answers whether the account follows it now. At most
 * MAX_ALERTS alerts and follows in all, as for any subscription.
 */
export async function setFollow(
  db: Kysely<Database>,
  account: Account,
  follow: Follow,
  on: boolean,
  now: Date,
): Promise<boolean> {
  const s = await accountSubscriber(db, account, now, on);
  if (!s) return false;
  return db.transaction().execute(async (trx) => {
    // The subscriber's row first: on PostgreSQL this waits for another follow of the same account to commit, so that
    // the count below includes it (two different follows at once could otherwise both pass the limit).
    await trx.updateTable('subscribers').set({ updated_at: now.toISOString() }).where('id', '=', s.id).execute();
    const alerts = await trx
      .selectFrom('subscriber_alerts')
      .select(['kind', 'value'])
      .where('subscriber_id', '=', s.id)
      .execute();
    const key = followKey(follow);
    const same = alerts.filter((a) => (a.kind === 'author' || a.kind === 'category') && followKey(a as Follow) === key);
    if (!on) {
      for (const a of same)
        await trx
          .deleteFrom('subscriber_alerts')
          .where('subscriber_id', '=', s.id)
          .where('kind', '=', a.kind)
          .where('value', '=', a.value)
          .execute();
      return false;
    }
    if (same.length) return true;
    if (alerts.length >= MAX_ALERTS)
      throw new Refusal(
        'too-many',
        `You follow or get alerts for ${MAX_ALERTS} things already: stop following one (on your account page) first.`,
      );
    // Another request may have just added the same follow (a double click): it is followed either way.
    await trx
      .insertInto('subscriber_alerts')
      .values({ subscriber_id: s.id, kind: follow.kind, value: follow.value })
      .onConflict((oc) => oc.columns(['subscriber_id', 'kind', 'value']).doNothing())
      .execute();
    return true;
  });
}

/** The follows among these (by key) that the account has: to show each Follow button as pressed or not. */
export async function followedAmong(
  db: Kysely<Database>,
  account: Account,
  keys: string[],
  now: Date,
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const mine = new Set((await listFollows(db, account, now)).map(followKey));
  return new Set(keys.filter((k) => mine.has(k)));
}

/** Starts the digest of the account's follows: its address is proved by signing in, so no confirmation link. */
export async function startFollowDigest(db: Kysely<Database>, account: Account, now: Date): Promise<Subscriber> {
  const s = (await accountSubscriber(db, account, now, true))!;
  if (s.status === 'confirmed') return s;
  if (s.status === 'suppressed')
    throw new Refusal(
      'unavailable',
      `Mail to ${s.email} was refused by its server several times, so none is sent to it. Subscribe again at /subscribe once the address works: the confirmation mail will tell.`,
    );
  const at = now.toISOString();
  await db
    .updateTable('subscribers')
    .set({
      status: 'confirmed',
      confirm_hash: null,
      confirm_expires_at: null,
      confirmed_at: at,
      updated_at: at,
      bounces: 0,
    })
    .where('id', '=', s.id)
    .execute();
  return { ...s, status: 'confirmed' };
}
