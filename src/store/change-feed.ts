import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import type { PapersChange } from './store.js';

/**
 * The change feed: every committed change to papers (counters, curation, text, thumbnails) and every refit of the
 * search model is a row of `changes`, written in the change's own transaction. Each process follows the rows the
 * others wrote and announces them to its own listeners, as it announces its own writes at commit: several processes
 * (`serve` twice, `worker`, an import) share one database and keep their indexes and caches in step.
 */

/** The PostgreSQL channel a committed change is notified on, so that followers read at once instead of at their poll. */
export const CHANGES_CHANNEL = 'paperboy_changes';
/** Ids per row: a large import writes a row per 500 papers. */
const IDS_PER_ROW = 500;
/** Rows kept; a follower that fell further behind (stopped, its database connection gone) reads every paper again. */
export const KEEP_ROWS = 50_000;
/** Old rows go every this many changes, in the transaction that writes the multiple. */
const PRUNE_EVERY = 1_000;
/** Rows a follower reads at once (each announced change then names at most 100,000 papers). */
const READ_ROWS = 200;
/** The least time between two NOTIFYs of one process (the first of a burst goes at once). */
const NOTIFY_SPACING_MS = 20;
/** At start, numbers this far below the newest may belong to transactions still committing: they are waited for. */
const START_WINDOW = 1_000;

export type Engine = 'sqlite' | 'postgres';

/**
 * Writes the rows of one change inside its transaction, as its last statement; the commit publishes it (the store
 * then NOTIFYs, on PostgreSQL). Papers' ids, or a model's name. No lock: on PostgreSQL numbers can commit out of
 * order, which the follower allows for (below), so that votes commit side by side as before.
 */
export async function recordChange(
  trx: Transaction<Database>,
  change: { kind: 'papers' | 'model'; ids: string[]; text: boolean; origin: string; at: Date },
): Promise<void> {
  const ids = [...new Set(change.ids)];
  if (ids.length === 0) return;
  const rows = [];
  for (let i = 0; i < ids.length; i += IDS_PER_ROW) {
    rows.push({
      kind: change.kind,
      ids: JSON.stringify(ids.slice(i, i + IDS_PER_ROW)),
      text_changed: change.text ? 1 : 0,
      origin: change.origin,
      at: change.at.toISOString(),
    });
  }
  const written = await trx.insertInto('changes').values(rows).returning('seq').execute();
  const last = Math.max(...written.map((r) => r.seq));
  if (Math.floor(last / PRUNE_EVERY) > Math.floor((last - written.length) / PRUNE_EVERY))
    await trx
      .deleteFrom('changes')
      .where('seq', '<=', last - KEEP_ROWS)
      .execute();
}

/** A store's side of the feed: writes its changes' rows, wakes the other processes, follows theirs. */
export class ChangeFeed {
  /** Names this store's changes, so that its follower does not announce them a second time. */
  private readonly origin = randomUUID();
  private follower: ChangeFollower | undefined;
  private notifying: Promise<void> | undefined;
  private notifyAgain = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
    private readonly listen: Listen | undefined,
  ) {}

  record(
    trx: Transaction<Database>,
    change: { kind: 'papers' | 'model'; ids: string[]; text: boolean; at: Date },
  ): Promise<void> {
    return recordChange(trx, { ...change, origin: this.origin });
  }

  /**
   * Wakes the followers of other processes once a change has committed, with a NOTIFY of its own: inside the change's
   * transaction it would take PostgreSQL's global notify lock until the commit ends, so that votes could no longer
   * commit side by side (bench/change-feed.ts: 8 at once fell from 735 to 351 votes/s). The first at once, then at
   * most one per NOTIFY_SPACING_MS for all the commits meanwhile, so that a burst of votes costs a few. A NOTIFY that
   * fails or never leaves (the process ended) costs followers one poll.
   */
  published(): void {
    if (this.engine !== 'postgres') return;
    this.notifyAgain = true;
    if (this.notifying) return;
    this.notifying = (async () => {
      while (this.notifyAgain) {
        this.notifyAgain = false;
        const sent = Date.now();
        // Committed without waiting for its WAL flush: it carries nothing to lose, and must not queue with the votes.
        await this.db
          .transaction()
          .execute((trx) =>
            sql`SELECT set_config('synchronous_commit', 'off', true), pg_notify(${CHANGES_CHANNEL}, '')`.execute(trx),
          )
          .catch(() => undefined);
        const wait = NOTIFY_SPACING_MS - (Date.now() - sent);
        if (this.notifyAgain && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })().finally(() => {
      this.notifying = undefined;
    });
  }

  /** Starts following the other processes' changes (once; later calls do nothing). */
  async follow(handlers: ConstructorParameters<typeof ChangeFollower>[3], opts: FollowOptions): Promise<void> {
    if (this.follower) return;
    const follower = new ChangeFollower(this.db, this.engine, this.origin, handlers);
    this.follower = follower;
    try {
      await follower.start(this.listen, opts);
    } catch (error) {
      // Not following: a later call starts again instead of finding a follower that never started.
      this.follower = undefined;
      await follower.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.follower?.stop();
    while (this.notifying) await this.notifying;
  }
}

/** Where a follower hears that it should read: a LISTEN connection on PostgreSQL. */
export type Listen = (wake: () => void) => { ready: Promise<void>; close(): Promise<void> };

export interface FollowOptions {
  /** How often to read the feed without being woken: the only way on SQLite, a safety net on PostgreSQL. */
  pollMs?: number;
}

/** Poll intervals: SQLite has nothing to wake a follower; on PostgreSQL NOTIFY does, and a reconnect reads too. */
export const POLL_MS = { sqlite: 250, postgres: 2_000 } as const;

interface Row {
  seq: number;
  kind: string;
  ids: string;
  text_changed: number;
  origin: string;
}

/**
 * Follows the rows other processes write and hands them on: papers changes merged per read, model changes one each.
 * Reads one at a time; a wake during a read reads again after it.
 *
 * On PostgreSQL a number can become visible after a larger one (two transactions took them in one order and committed
 * in the other). Each change is handed on as soon as it is visible, whatever its order (listeners read the papers'
 * current state, so order does not matter); a missing number is a gap that the follower asks for again at every read,
 * until its row shows or its transaction has ended without it: once no transaction that was running when the gap was
 * seen is still running (the snapshot's xmin has passed the xmax of then), a number still missing was rolled back.
 * SQLite writes one transaction at a time and takes a rolled-back number back: a gap there is never waited for.
 */
export class ChangeFollower {
  /** The highest number handed on. */
  private seen = 0;
  /** Numbers below `seen` not handed on yet, each with the snapshot's xmax when it was found missing. */
  private readonly gaps = new Map<number, number>();
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private listening: ReturnType<Listen> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
    private readonly origin: string,
    private readonly handlers: {
      papers: (change: PapersChange) => void;
      model: () => void;
      error: (error: unknown) => void;
    },
  ) {}

  /** Every change up to this number has been handed on (or was rolled back). */
  get position(): number {
    return this.gaps.size ? Math.min(...this.gaps.keys()) - 1 : this.seen;
  }

  /**
   * Starts after the newest change committed now (what came before is in what this process has read already), but
   * waits for numbers just below it that may still be committing.
   */
  async start(listen: Listen | undefined, opts: FollowOptions = {}): Promise<void> {
    await this.startAtNewest();
    if (this.stopped) return;
    const pollMs = opts.pollMs ?? POLL_MS[this.engine];
    this.timer = setInterval(() => this.wake(), pollMs);
    this.timer.unref();
    if (listen) {
      this.listening = listen(() => this.wake());
      await this.listening.ready;
    }
  }

  /** Reads what was committed since the last read (now, or after the read under way). */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll()
      .catch((error: unknown) => {
        if (!this.stopped) this.handlers.error(error);
      })
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves when the reads asked for so far are done. */
  async idle(): Promise<void> {
    while (this.reading) await this.reading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.listening?.close();
    await this.idle();
  }

  /**
   * Goes on from the newest change committed now, waiting for the numbers just below it that are missing: they may
   * belong to transactions still committing. The snapshot is taken after the numbers are read, so that every such
   * transaction is running in it (below its xmax) and its gap is kept until it has ended.
   */
  private async startAtNewest(): Promise<void> {
    const newest = Number(
      (
        await this.db
          .selectFrom('changes')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .executeTakeFirst()
      )?.seq ?? 0,
    );
    const present = new Set(
      (
        await this.db
          .selectFrom('changes')
          .select('seq')
          .where('seq', '>', newest - START_WINDOW)
          .execute()
      ).map((r) => Number(r.seq)),
    );
    const snapshot = await this.snapshot();
    this.seen = newest;
    this.gaps.clear();
    for (let seq = Math.max(1, newest - START_WINDOW + 1); seq < newest; seq++)
      if (!present.has(seq)) this.gaps.set(seq, snapshot.xmax);
  }

  /** PostgreSQL's current snapshot bounds; on SQLite nothing is ever running but the reader. */
  private async snapshot(): Promise<{ xmin: number; xmax: number }> {
    if (this.engine === 'sqlite') return { xmin: Number.POSITIVE_INFINITY, xmax: 0 };
    const { rows } = await sql<{ xmin: string; xmax: string }>`
      SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
             pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`.execute(this.db);
    return { xmin: Number(rows[0]!.xmin), xmax: Number(rows[0]!.xmax) };
  }

  /**
   * The rows after the highest handed on, and those of the gaps. `xmax`: of the snapshot that read them (a number
   * missing below a row read belongs to a transaction below it). `xmin`: of a snapshot taken before the read, so that a
   * gap whose transactions had all ended by then, and which the read did not return, was rolled back.
   */
  private async read(): Promise<{ rows: Row[]; xmin: number; xmax: number }> {
    const gaps = [...this.gaps.keys()];
    let q = this.db
      .selectFrom('changes')
      .select(['seq', 'kind', 'ids', 'text_changed', 'origin'])
      .where((eb) =>
        gaps.length ? eb.or([eb('seq', '>', this.seen), eb('seq', 'in', gaps)]) : eb('seq', '>', this.seen),
      )
      .orderBy('seq')
      .limit(READ_ROWS);
    if (this.engine === 'sqlite') return { rows: await q.execute(), xmin: Number.POSITIVE_INFINITY, xmax: 0 };
    const before = await this.snapshot();
    // In the same statement, so in the same snapshot as the rows.
    q = q.select([
      sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text`.as('xmin'),
      sql<string>`pg_snapshot_xmax(pg_current_snapshot())::text`.as('xmax'),
    ]) as unknown as typeof q;
    const rows = (await q.execute()) as (Row & { xmin: string; xmax: string })[];
    return { rows, xmin: before.xmin, xmax: rows[0] ? Number(rows[0].xmax) : before.xmax };
  }

  private async readAll(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const { rows, xmin, xmax } = await this.read();
      const first = rows.find((r) => r.seq > this.seen);
      if (first && first.seq > this.seen + 1 && (await this.missed())) {
        await this.everything();
        continue;
      }
      const ids = new Set<string>();
      let text = false;
      let model = false;
      for (const row of rows) {
        if (row.seq > this.seen) {
          for (let seq = this.seen + 1; seq < row.seq; seq++) this.gaps.set(seq, xmax);
          this.seen = row.seq;
        } else this.gaps.delete(row.seq);
        if (row.origin === this.origin) continue;
        if (row.kind === 'model') model = true;
        else {
          for (const id of JSON.parse(row.ids) as string[]) ids.add(id);
          text ||= row.text_changed === 1;
        }
      }
      // A full read may have left gap rows unread: let gaps go only after a read that returned everything asked for.
      if (rows.length < READ_ROWS) for (const [seq, seenAt] of this.gaps) if (seenAt <= xmin) this.gaps.delete(seq);
      if (ids.size) this.handlers.papers({ ids: [...ids], text });
      if (model) this.handlers.model();
      if (rows.length < READ_ROWS) return;
    }
  }

  /**
   * Whether changes after the highest handed on were pruned before this process read them (a gap can also be a number
   * a transaction still committing or rolled back took: then older rows are still there).
   */
  private async missed(): Promise<boolean> {
    const row = await this.db
      .selectFrom('changes')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0) > this.seen + 1;
  }

  /** Fell behind the rows kept: every paper may have changed, and so may the model. */
  private async everything(): Promise<void> {
    await this.startAtNewest();
    const ids = (await this.db.selectFrom('papers').select('id').execute()).map((r) => r.id);
    this.handlers.error(new Error(`fell behind the change feed: reading all ${ids.length} papers again`));
    if (ids.length) this.handlers.papers({ ids, text: true });
    this.handlers.model();
  }
}

/**
 * A LISTEN connection of its own (a pooled one would be handed to queries). When it drops (PostgreSQL restarted, the
 * backend was ended) it connects again, 0.25 s later then doubling up to 5 s, and wakes the follower once listening,
 * which reads every change committed meanwhile: a notification missed is caught up by sequence.
 */
export function listenPostgres(connectionString: string): Listen {
  return (wake) => {
    let closed = false;
    let client: pg.Client | undefined;
    let delay = 250;
    let retry: NodeJS.Timeout | undefined;
    let first: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      first = resolve;
    });
    const again = () => {
      if (closed || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, delay);
      retry.unref();
      delay = Math.min(delay * 2, 5_000);
    };
    const connect = async () => {
      const c = new pg.Client({ connectionString });
      let gone = false;
      const lost = () => {
        if (gone) return;
        gone = true;
        if (client === c) client = undefined;
        again();
      };
      // An 'error' is followed by 'end'; both mean the same here: connect again.
      c.on('error', lost);
      c.on('end', lost);
      c.on('notification', () => wake());
      try {
        await c.connect();
        await c.query(`LISTEN ${CHANGES_CHANNEL}`);
      } catch {
        lost();
        first();
        await c.end().catch(() => {});
        return;
      }
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
      delay = 250;
      first();
      wake();
    };
    void connect();
    return {
      ready,
      async close() {
        closed = true;
        clearTimeout(retry);
        const c = client;
        client = undefined;
        await c?.end().catch(() => {});
      },
    };
  };
}
