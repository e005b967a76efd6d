import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, OutboxTable } from '../store/schema.js';
import type { OutgoingMail } from './transport.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxMessage extends Omit<OutgoingMail, 'date' | 'from'> {
  id: string;
  idempotencyKey: string;
  subscriberId: string | null;
  kind: 'digest' | 'confirm' | 'notice';
  attempts: number;
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records a composed message, due now. Returns false when a message with the same idempotency key exists (the
 * digest for that period was already composed), in which case nothing is written.
 */
export async function enqueue(db: Db, m: Omit<OutboxMessage, 'attempts'>, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const result = await db
    .insertInto('outbox')
    .values({
      id: m.id,
      idempotency_key: m.idempotencyKey,
      subscriber_id: m.subscriberId,
      kind: m.kind,
      recipient: m.to,
      subject: m.subject,
      html: m.html ?? '',
      text: m.text,
      headers: JSON.stringify(m.headers ?? {}),
      message_id: m.messageId,
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      lease_until: null,
      last_error: null,
      created_at: at,
      sent_at: null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Claims up to `limit` messages ready to go: pending and due, or left `sending` by a sender whose lease ran out
 * (it died with the message on the wire; sending it again is the only way not to lose it). Claimed messages are
 * `sending` until `lease_until`, so other processes on the same store leave them alone.
 */
export async function claim(
  db: Kysely<Database>,
  engine: 'sqlite' | 'postgres',
  limit: number,
  now: Date,
  leaseSeconds: number,
): Promise<OutboxMessage[]> {
  const at = now.toISOString();
  const lease = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
  return db.transaction().execute(async (trx) => {
    // Two reads that each walk an index in order (outbox_ready: status, next_attempt_at), not one OR that sorts every
    // pending message to find the first: that sort made each claim linear in the outbox during a large digest run.
    let stale = trx
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'sending')
      .where('lease_until', '<', at)
      .limit(limit);
    if (engine === 'postgres') stale = stale.forUpdate().skipLocked();
    const ids = (await stale.execute()).map((r) => r.id);
    if (ids.length < limit) {
      let due = trx
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .orderBy('next_attempt_at')
        .limit(limit - ids.length);
      if (engine === 'postgres') due = due.forUpdate().skipLocked();
      ids.push(...(await due.execute()).map((r) => r.id));
    }
    if (ids.length === 0) return [];
    const rows = await trx
      .updateTable('outbox')
      .set({ status: 'sending', lease_until: lease })
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    return rows.map(fromRow);
  });
}

export async function markSent(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  // The bodies are not needed once sent; the row stays as the record that it was.
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now.toISOString(), lease_until: null, html: '', text: '', last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markRetry(
  db: Kysely<Database>,
  id: string,
  attempts: number,
  at: Date,
  error: string,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'pending',
      attempts,
      next_attempt_at: at.toISOString(),
      lease_until: null,
      last_error: error.slice(0, 1000),
    })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: Kysely<Database>, id: string, attempts: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'failed', attempts, lease_until: null, last_error: error.slice(0, 1000) })
    .where('id', '=', id)
    .execute();
}

export async function outboxCounts(db: Kysely<Database>): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', sql<number>`count(*)`.as('n')])
    .groupBy('status')
    .execute();
  const counts: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
  return counts;
}

function fromRow(r: OutboxTable): OutboxMessage {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    subscriberId: r.subscriber_id,
    kind: r.kind as OutboxMessage['kind'],
    to: r.recipient,
    subject: r.subject,
    html: r.html || undefined,
    text: r.text,
    headers: JSON.parse(r.headers) as Record<string, string>,
    messageId: r.message_id,
    attempts: r.attempts,
  };
}
