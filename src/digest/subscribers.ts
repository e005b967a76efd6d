import type { Kysely } from 'kysely';
import { hashToken, randomId, randomToken } from '../crypto/tokens.js';
import { parseSearchForm, searchFormQuery } from '../search/search-form.js';
import type { Database, SubscribersTable } from '../store/schema.js';
import type { Frequency, Schedule } from './due.js';

/** `following`: made for an account's follows (src/digest/follows.ts), not mailed until its reader asks. */
export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'suppressed' | 'following';
export type AlertKind = 'search' | 'category' | 'author';

export interface Alert {
  kind: AlertKind;
  /** search: the search's query string (as on /search?...); category: e.g. cs.CL; author: a name. */
  value: string;
}

export interface Preferences extends Schedule {
  trending: boolean;
  alerts: Alert[];
}

export interface Subscriber extends Schedule {
  id: string;
  email: string;
  /** The account whose follows these alerts are (src/digest/follows.ts), if the reader signed in. */
  accountId: string | null;
  status: SubscriberStatus;
  trending: boolean;
  lastPeriod: string | null;
  /** Papers that entered their feed day after this (ISO time) are new to the subscriber; null before a first digest. */
  digestWatermark: string | null;
}

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 48;
/** At most one confirmation or reminder mail per address in this many minutes, whatever is posted. */
export const NOTICE_MINUTES = 10;
export const MAX_ALERTS = 30;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Any search URL (or its query string, or plain words) as the canonical query string of that search. */
export function searchAlertValue(input: string): string | undefined {
  const text = input.trim();
  if (!text) return undefined;
  // An address (or path) of a search page; not a question typed as words ("what is known about X?").
  const query = /^(https?:\/\/|\/)\S*\?/i.test(text)
    ? text.slice(text.indexOf('?') + 1)
    : /^[a-z_]+=/.test(text)
      ? text
      : `q=${encodeURIComponent(text)}`;
  const form = parseSearchForm(new URLSearchParams(query));
  if (!form.q.trim() && form.categories.length === 0) return undefined;
  return searchFormQuery({ ...form, from: undefined, to: undefined, sort: 'relevance' });
}

export function fromRow(r: SubscribersTable): Subscriber {
  return {
    id: r.id,
    email: r.email,
    accountId: r.account_id,
    status: r.status as SubscriberStatus,
    trending: r.trending === 1,
    lastPeriod: r.last_period,
    digestWatermark: r.digest_watermark,
    frequency: r.frequency as Frequency,
    hour: r.hour,
    timeZone: r.time_zone,
    weekday: r.weekday,
  };
}

export type SubscribeOutcome =
  | { kind: 'confirm'; subscriber: Subscriber; token: string }
  | { kind: 'remind'; subscriber: Subscriber }
  | { kind: 'quiet' };

/**
 * A subscription form was posted. A new (or unsubscribed, or suppressed) address gets a confirmation link and the
 * chosen preferences; a pending one a fresh link; a confirmed one a reminder with its preferences link (its
 * preferences are not changed by a stranger). Mail to one address goes out at most once per NOTICE_MINUTES. The
 * caller answers the same page whatever the outcome, so the form does not tell who is subscribed.
 */
export async function subscribe(
  db: Kysely<Database>,
  emailInput: string,
  prefs: Preferences,
  now: Date,
): Promise<SubscribeOutcome> {
  const email = normalizeEmail(emailInput);
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('subscribers').selectAll().where('email', '=', email).executeTakeFirst();
    if (existing?.last_notice_at && now.getTime() - Date.parse(existing.last_notice_at) < NOTICE_MINUTES * 60_000)
      return { kind: 'quiet' };
    if (existing?.status === 'confirmed') {
      await trx.updateTable('subscribers').set({ last_notice_at: at }).where('id', '=', existing.id).execute();
      return { kind: 'remind', subscriber: fromRow(existing) };
    }
    const { token, hash } = randomToken();
    const expires = new Date(now.getTime() + CONFIRM_HOURS * 3_600_000).toISOString();
    const values = {
      status: 'pending',
      confirm_hash: hash,
      confirm_expires_at: expires,
      frequency: prefs.frequency,
      weekday: prefs.weekday,
      hour: prefs.hour,
      time_zone: prefs.timeZone,
      trending: prefs.trending ? 1 : 0,
      bounces: 0,
      last_notice_at: at,
      updated_at: at,
    };
    const id = existing?.id ?? randomId();
    if (existing) await trx.updateTable('subscribers').set(values).where('id', '=', id).execute();
    else
      await trx
        .insertInto('subscribers')
        .values({
          id,
          email,
          account_id: null,
          last_period: null,
          digest_watermark: null,
          created_at: at,
          confirmed_at: null,
          ...values,
        })
        .execute();
    // An account's subscription holds its follows: a form posted for its address (by anyone) changes none of them;
    // its reader manages them signed in, or on the preferences page the confirmation leads to.
    if (!existing?.account_id) await replaceAlerts(trx, id, prefs.alerts);
    const row = await trx.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { kind: 'confirm', subscriber: fromRow(row), token };
  });
}

/** The subscriber a confirmation link belongs to, now confirmed; undefined for an unknown, used or expired link. */
export async function confirm(db: Kysely<Database>, token: string, now: Date): Promise<Subscriber | undefined> {
  const row = await db
    .selectFrom('subscribers')
    .selectAll()
    .where('confirm_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row?.status !== 'pending' || !row.confirm_expires_at || Date.parse(row.confirm_expires_at) < now.getTime())
    return undefined;
  const at = now.toISOString();
  await db
    .updateTable('subscribers')
    .set({ status: 'confirmed', confirm_hash: null, confirm_expires_at: null, confirmed_at: at, updated_at: at })
    .where('id', '=', row.id)
    .execute();
  return { ...fromRow(row), status: 'confirmed' };
}

/** Whether a confirmation link is one we would accept (to show its page before the button is pressed). */
export async function confirmable(db: Kysely<Database>, token: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('subscribers')
    .select(['status', 'confirm_expires_at'])
    .where('confirm_hash', '=', hashToken(token))
    .executeTakeFirst();
  return (
    !!row && row.status === 'pending' && !!row.confirm_expires_at && Date.parse(row.confirm_expires_at) >= now.getTime()
  );
}

export async function getSubscriber(db: Kysely<Database>, id: string): Promise<Subscriber | undefined> {
  const row = await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function getAlerts(db: Kysely<Database>, ids: string[]): Promise<Map<string, Alert[]>> {
  const out = new Map<string, Alert[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('subscriber_alerts')
    .selectAll()
    .where('subscriber_id', 'in', ids)
    .orderBy('subscriber_id')
    .orderBy('kind')
    .orderBy('value')
    .execute();
  for (const r of rows) out.get(r.subscriber_id)?.push({ kind: r.kind as AlertKind, value: r.value });
  return out;
}

export async function updatePreferences(
  db: Kysely<Database>,
  id: string,
  prefs: Preferences,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('subscribers')
      .set({
        frequency: prefs.frequency,
        weekday: prefs.weekday,
        hour: prefs.hour,
        time_zone: prefs.timeZone,
        trending: prefs.trending ? 1 : 0,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await replaceAlerts(trx, id, prefs.alerts);
  });
}

export async function unsubscribe(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('subscribers')
    .set({ status: 'unsubscribed', confirm_hash: null, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', 'in', ['confirmed', 'pending', 'suppressed'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

async function replaceAlerts(db: Kysely<Database>, id: string, alerts: Alert[]): Promise<void> {
  await db.deleteFrom('subscriber_alerts').where('subscriber_id', '=', id).execute();
  const unique = [...new Map(alerts.map((a) => [`${a.kind}\u0000${a.value}`, a])).values()].slice(0, MAX_ALERTS);
  if (unique.length)
    await db
      .insertInto('subscriber_alerts')
      .values(unique.map((a) => ({ subscriber_id: id, ...a })))
      .execute();
}
