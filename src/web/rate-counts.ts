import { sql } from 'kysely';
import type { Logger } from '../log.js';
import type { Db } from '../store/schema.js';

/**
 * Rate-limit counts shared by every process on one store (table rate_counts): a row per limit and client, holding the
 * requests of its current window, which the client's first request opens. Each add is one atomic upsert that opens
 * a new window when the old one is over, so processes never lose each other's counts.
 */
export interface RateCounts {
  /**
   * Counts one request of `client` under the limit `bucket` and answers the count of its window across processes,
   * with the window's start (ms). `exact` writes it through now; otherwise (the API's read limit) it is counted here
   * and written within a second, or at once when the client nears the limit (see `LOCAL_SHARE`).
   */
  hit(bucket: string, client: string, at: number, windowMs: number, limit: number, exact: boolean): Promise<Hit>;
  /** Writes what is counted here and stops the timer. */
  close(): Promise<void>;
}

export interface Hit {
  count: number;
  windowStart: number;
}

/**
 * A batched limit counts here at most this share of what the client has left before writing the count through: far
 * from the limit most requests cost no database write, near it every one does. N processes together can let at most
 * N times this share of what is left pass in one flush interval.
 */
const LOCAL_SHARE = 1 / 8;
const FLUSH_MS = 1000;
/** How often the rows of windows that are over are deleted. */
const SWEEP_MS = 60_000;

interface Local {
  bucket: string;
  client: string;
  windowMs: number;
  /** The window as last seen in the store, or opened here since. */
  windowStart: number;
  /** The count the store answered last, for this window. */
  shared: number;
  /** Requests counted here and not yet written. */
  pending: number;
}

export function createRateCounts(db: Db, opts: { log?: Logger | undefined; now?: () => number } = {}): RateCounts {
  const now = opts.now ?? Date.now;
  const local = new Map<string, Local>();
  let timer: NodeJS.Timeout | undefined;
  let lastSweep = now();

  async function add(e: Pick<Local, 'bucket' | 'client' | 'windowMs'>, n: number, at: number): Promise<Hit> {
    const start = new Date(at).toISOString();
    const expires = new Date(at + e.windowMs).toISOString();
    const over = sql<boolean>`rate_counts.expires_at <= ${start}`;
    const row = await db
      .insertInto('rate_counts')
      .values({ bucket: e.bucket, client: e.client, window_start: start, expires_at: expires, n })
      .onConflict((oc) =>
        oc.columns(['bucket', 'client']).doUpdateSet({
          n: sql<number>`CASE WHEN ${over} THEN excluded.n ELSE rate_counts.n + excluded.n END`,
          window_start: sql<string>`CASE WHEN ${over} THEN excluded.window_start ELSE rate_counts.window_start END`,
          expires_at: sql<string>`CASE WHEN ${over} THEN excluded.expires_at ELSE rate_counts.expires_at END`,
        }),
      )
      .returning(['n', 'window_start'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.n), windowStart: Date.parse(row.window_start) };
  }

  async function flush(e: Local, at: number): Promise<Hit> {
    const taken = e.pending;
    e.pending = 0;
    const hit = await add(e, taken, at);
    if (hit.windowStart !== e.windowStart || hit.count > e.shared) {
      e.windowStart = hit.windowStart;
      e.shared = hit.count;
    }
    return { count: hit.count + e.pending, windowStart: hit.windowStart };
  }

  async function flushAll(): Promise<void> {
    const t = now();
    const sweep = t - lastSweep >= SWEEP_MS;
    if (sweep) lastSweep = t;
    for (const [key, e] of local) {
      if (e.pending > 0) await flush(e, t);
      else if (t >= e.windowStart + e.windowMs) local.delete(key);
    }
    if (local.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
    if (sweep) {
      await db.deleteFrom('rate_counts').where('expires_at', '<=', new Date(t).toISOString()).execute();
    }
  }

  return {
    async hit(bucket, client, at, windowMs, limit, exact) {
      if (exact) {
        const hit = await add({ bucket, client, windowMs }, 1, at);
        if (at - lastSweep >= SWEEP_MS) void flushAll().catch(report);
        return hit;
      }
      const key = `${bucket}\n${client}`;
      let e = local.get(key);
      if (!e) {
        e = { bucket, client, windowMs, windowStart: at, shared: 0, pending: 0 };
        local.set(key, e);
      } else if (at >= e.windowStart + windowMs && e.pending === 0) {
        e.windowStart = at;
        e.shared = 0;
      }
      e.pending++;
      if (e.pending > Math.floor((limit - e.shared) * LOCAL_SHARE)) return flush(e, at);
      timer ??= setInterval(() => void flushAll().catch(report), FLUSH_MS).unref();
      return { count: e.shared + e.pending, windowStart: e.windowStart };
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      await flushAll();
    },
  };

  function report(error: unknown): void {
    if (opts.log) opts.log.error({ err: error }, 'could not write the rate-limit counts');
    else console.error('could not write the rate-limit counts', error);
  }
}
