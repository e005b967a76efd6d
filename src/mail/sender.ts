import type { MailConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/schema.js';
import { claim, markFailed, markRetry, markSent, type OutboxMessage } from './outbox.js';
import { MailError, type MailTransport } from './transport.js';

export interface SenderDeps {
  db: Db;
  engine: 'sqlite' | 'postgres';
  transport: MailTransport;
  config: Pick<
    MailConfig,
    'from' | 'ratePerSecond' | 'concurrency' | 'maxAttempts' | 'retrySeconds' | 'bounceLimit' | 'leaseSeconds'
  >;
  log?: Logger | undefined;
  clock?: (() => Date) | undefined;
  /** While this says more messages are coming (digests still being composed), an empty outbox is waited on. */
  more?: (() => boolean) | undefined;
}

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
}

const MAX_BACKOFF_SECONDS = 6 * 3600;

/** Seconds to wait before attempt `attempts + 1`: the base, doubled each time, capped at 6 h. */
export function backoffSeconds(base: number, attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, base * 2 ** Math.max(0, attempts - 1));
}

/** Spaces sends at most `perSecond` apart in real time (0: no limit). */
export function rateLimiter(perSecond: number): () => Promise<void> {
  if (perSecond <= 0) return async () => {};
  const gap = 1000 / perSecond;
  let next = performance.now();
  return async () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };
}

/**
 * Sends every message of the outbox that is ready, `concurrency` at a time, until none is left. Each message is
 * claimed (its row says `sending`) before it goes on the wire and marked `sent` right after the server accepts it,
 * so a crash can at most send again the `concurrency` messages that were on the wire.
 */
export async function drainOutbox(deps: SenderDeps): Promise<DrainResult> {
  const { db, transport, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const wait = rateLimiter(config.ratePerSecond);
  const result: DrainResult = { sent: 0, retried: 0, failed: 0 };

  const sendOne = async (m: OutboxMessage) => {
    await wait();
    const attempts = m.attempts + 1;
    try {
      await transport.send({ ...m, from: config.from, date: clock() });
    } catch (error) {
      const e = error instanceof MailError ? error : new MailError(String(error), 'temporary');
      if (e.kind === 'permanent' || attempts >= config.maxAttempts) {
        await markFailed(db, m.id, attempts, e.message);
        if (e.kind === 'permanent') await bounced(deps, m);
        result.failed++;
        deps.log?.warn({ to: m.to, id: m.id, code: e.smtpCode }, `mail to ${m.to} failed for good: ${e.message}`);
      } else {
        const at = new Date(clock().getTime() + backoffSeconds(config.retrySeconds, attempts) * 1000);
        await markRetry(db, m.id, attempts, at, e.message);
        result.retried++;
        deps.log?.info(
          { to: m.to, id: m.id, code: e.smtpCode, retryAt: at.toISOString() },
          `mail to ${m.to} deferred: ${e.message}`,
        );
      }
      return;
    }
    await markSent(db, m.id, clock());
    if (m.subscriberId)
      await db
        .updateTable('subscribers')
        .set({ bounces: 0 })
        .where('id', '=', m.subscriberId)
        .where('bounces', '>', 0)
        .execute();
    result.sent++;
  };

  const worker = async () => {
    for (;;) {
      const [m] = await claim(db, deps.engine, 1, clock(), config.leaseSeconds);
      if (!m && deps.more?.()) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (!m) return;
      await sendOne(m);
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  return result;
}

/** A permanent failure counts against the address; past the limit it gets no more mail until it subscribes again. */
async function bounced(deps: SenderDeps, m: OutboxMessage): Promise<void> {
  if (!m.subscriberId) return;
  const { db } = deps;
  const row = await db
    .updateTable('subscribers')
    .set((eb) => ({ bounces: eb('bounces', '+', 1) }))
    .where('id', '=', m.subscriberId)
    .returning(['bounces', 'email'])
    .executeTakeFirst();
  if (row && row.bounces >= deps.config.bounceLimit) {
    await db
      .updateTable('subscribers')
      .set({ status: 'suppressed', updated_at: new Date().toISOString() })
      .where('id', '=', m.subscriberId)
      .where('status', '=', 'confirmed')
      .execute();
    deps.log?.warn({ to: row.email }, `${row.email} suppressed after ${row.bounces} permanent failures`);
  }
}
