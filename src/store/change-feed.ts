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
/**
 * Taken just before a change's row is written and held to commit, so that `seq` increases in commit order on
 * PostgreSQL (its sequences hand out numbers in the order asked, not committed): a follower reading `seq > last` then
 * never skips a change committed late under a smaller number. Taken last, so it is held only for the commit.
 */
const CHANGES_LOCK = 4_181_733_203;
/** Ids per row: a large import writes a row per 500 papers. */
const IDS_PER_ROW = 500;
/** Rows kept; a follower that fell further behind (stopped, its database connection gone) reads every paper again. */
export const KEEP_ROWS = 50_000;
/** Old rows go every this many changes, in the transaction that writes the multiple. */
const PRUNE_EVERY = 1_000;
/** Rows a follower reads at once (each announced change then names at most 100,000 papers). */
const READ_ROWS = 200;

export type Engine = 'sqlite' | 'postgres';

/** Writes the rows of one change inside its transaction; the commit publishes it. Papers' ids, or a model's name. */
export async function recordChange(
  trx: Transaction<Database>,
  engine: Engine,
  change: { kind: 'papers' | 'model'; ids: string[]; text: boolean; origin: string; at: Date },
): Promise<void> {
  const ids = [...new Set(change.ids)];
  if (ids.length === 0) return;
  if (engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(${CHANGES_LOCK})`.execute(trx);
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
  if (engine === 'postgres') await sql`SELECT pg_notify(${CHANGES_CHANNEL}, ${String(last)})`.execute(trx);
}

/** Where a follower hears that it should read: a LISTEN connection on PostgreSQL. */
export type Listen = (wake: () => void) => { ready: Promise<void>; close(): Promise<void> };

export interface FollowOptions {
  /** How often to read the feed without being woken: the only way on SQLite, a safety net on PostgreSQL. */
  pollMs?: number;
}

/** Poll intervals: SQLite has nothing to wake a follower; on PostgreSQL NOTIFY does, and a reconnect reads too. */
export const POLL_MS = { sqlite: 250, postgres: 2_000 } as const;

/**
 * Follows the rows other processes write and hands them on: papers changes merged per read, model changes one each.
 * Reads one at a time; a wake during a read reads again after it.
 */
export class ChangeFollower {
  private last = 0;
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private listening: ReturnType<Listen> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly origin: string,
    private readonly handlers: {
      papers: (change: PapersChange) => void;
      model: () => void;
      error: (error: unknown) => void;
    },
  ) {}

  /** Starts after the newest change committed now: what came before is in what this process has read already. */
  async start(engine: Engine, listen: Listen | undefined, opts: FollowOptions = {}): Promise<void> {
    const row = await this.db
      .selectFrom('changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    this.last = Number(row?.seq ?? 0);
    if (this.stopped) return;
    const pollMs = opts.pollMs ?? POLL_MS[engine];
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

  private async readAll(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const rows = await this.db
        .selectFrom('changes')
        .select(['seq', 'kind', 'ids', 'text_changed', 'origin'])
        .where('seq', '>', this.last)
        .orderBy('seq')
        .limit(READ_ROWS)
        .execute();
      if (rows.length === 0) return;
      if (rows[0]!.seq !== this.last + 1 && (await this.missed())) {
        await this.everything();
        continue;
      }
      const ids = new Set<string>();
      let text = false;
      let model = false;
      for (const row of rows) {
        if (row.origin === this.origin) continue;
        if (row.kind === 'model') model = true;
        else {
          for (const id of JSON.parse(row.ids) as string[]) ids.add(id);
          text ||= row.text_changed === 1;
        }
      }
      this.last = rows[rows.length - 1]!.seq;
      if (ids.size) this.handlers.papers({ ids: [...ids], text });
      if (model) this.handlers.model();
      if (rows.length < READ_ROWS) return;
    }
  }

  /**
   * Whether changes after the last one read were pruned before this process read them (a gap can also be a number a
   * failed commit took, which lost nothing: then the oldest row kept is older than the gap).
   */
  private async missed(): Promise<boolean> {
    const row = await this.db
      .selectFrom('changes')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0) > this.last + 1;
  }

  /** Fell behind the rows kept: every paper may have changed, and so may the model. */
  private async everything(): Promise<void> {
    const newest = await this.db
      .selectFrom('changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    const ids = (await this.db.selectFrom('papers').select('id').execute()).map((r) => r.id);
    this.last = Number(newest?.seq ?? this.last);
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
