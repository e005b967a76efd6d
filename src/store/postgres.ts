import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { listenPostgres } from './change-feed.js';
import { KyselyStore } from './kysely-store.js';
import { migrations } from './migrations.js';
import type { PaperRow } from './rows.js';
import { type Database, PAPER_COLUMNS } from './schema.js';
import type { OpenedStore } from './store.js';

/** Any number for pg_advisory_xact_lock, so that two processes starting together migrate one after the other. */
const MIGRATION_LOCK = 7_302_114;

export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    // Under the lock too: processes creating the table at once on a fresh database collide in PostgreSQL's catalog.
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    for (;;) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
        const applied = Number(rows[0]?.n ?? 0);
        if (applied > migrations.length) {
          throw new Error(
            `The database has schema version ${applied}, newer than this Paperboy (${migrations.length}). Upgrade Paperboy.`,
          );
        }
        const next = migrations[applied];
        if (!next) {
          await client.query('COMMIT');
          return migrations.length;
        }
        await client.query(next.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          applied + 1,
          next.name,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    client.release();
  }
}

const PAPERS_BY_ID = {
  name: 'paperboy_papers_by_id',
  text: `SELECT ${PAPER_COLUMNS.map((c) => `"${c}"`).join(', ')} FROM papers WHERE id = ANY($1::text[]) AND hidden_at IS NULL`,
};

/**
 * Whole papers by id (every search page, paper page, feed and digest reads them) as a named statement: PostgreSQL
 * parses it once per connection instead of at each call, about a third of its time for 20 papers.
 */
function papersById(pool: pg.Pool): (ids: string[]) => Promise<PaperRow[]> {
  return async (ids) => {
    const client = await pool.connect();
    try {
      const rows = (await client.query<PaperRow>({ ...PAPERS_BY_ID, values: [ids] })).rows;
      client.release();
      return rows;
    } catch (error) {
      // A migration (a newer Paperboy beside this one) changed a selected column's type: the connection's prepared
      // statement answers "cached plan must not change result type" from then on. That connection is closed (its
      // statement with it; each other one that prepared it is closed at its own first failure) and the query runs
      // unprepared.
      client.release(true);
      if ((error as { code?: string }).code !== '0A000') throw error;
      return (await pool.query<PaperRow>(PAPERS_BY_ID.text, [ids])).rows;
    }
  };
}

export async function openPostgresStore(url: string): Promise<OpenedStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client's connection can drop (server restart, database dropped after close): pg reports it on the pool,
  // and an unhandled 'error' event would end the process. The next query reconnects or fails on its own.
  pool.on('error', () => {});
  // The pool listens only to idle clients: a checked-out one (in a transaction, between a cursor's reads) whose
  // connection is ended by a server restart would end the process the same way. Its next query fails instead.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const version = await migratePostgres(pool);
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const store = new KyselyStore('postgres', kysely, version, {
      listen: listenPostgres(url),
      papersById: papersById(pool),
    });
    return { store, db: kysely };
  } catch (error) {
    await pool.end();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not open the PostgreSQL store at ${redact(url)}: ${reason}. Check DATABASE_URL and that the server is running.`,
      { cause: error },
    );
  }
}

/** The URL with its password replaced by ***, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
