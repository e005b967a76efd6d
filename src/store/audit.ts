import type { Kysely, Transaction } from 'kysely';
import { randomId } from '../crypto/tokens.js';
import type { Database } from './schema.js';

export type AuditTarget = 'paper' | 'comment' | 'account';

export interface AuditEntry {
  id: string;
  at: string;
  /** The account that acted; null when it was the command line. */
  actorId: string | null;
  action: string;
  targetType: AuditTarget;
  targetId: string;
  detail: Record<string, unknown>;
}

/**
 * Writes one line of the audit log. Pass the transaction that makes the change, so that an action and its
 * record are committed together or not at all.
 */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  entry: {
    actorId: string | null;
    action: string;
    targetType: AuditTarget;
    targetId: string;
    detail?: Record<string, unknown>;
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomId(),
      at: now.toISOString(),
      actor_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

/** The newest entries first, optionally about one target. */
export async function auditEntries(
  db: Kysely<Database>,
  opts: { limit?: number; targetType?: AuditTarget; targetId?: string } = {},
): Promise<AuditEntry[]> {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(opts.limit ?? 100, 500));
  if (opts.targetType) q = q.where('target_type', '=', opts.targetType);
  if (opts.targetId) q = q.where('target_id', '=', opts.targetId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    action: r.action,
    targetType: r.target_type as AuditTarget,
    targetId: r.target_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
