import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Dialect, Kysely, SqliteDialect, SqliteDriver } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';
import type { OpenedStore } from './store.js';

/**
 * Applies the migrations not yet applied, each in its own transaction; returns the schema version. Each transaction
 * takes the write lock first and counts again, so that processes opening one file together migrate one after another.
 */
export function migrateSqlite(db: BetterSqlite3.Database): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const next = db.transaction((): boolean => {
    const applied = (db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n;
    if (applied > migrations.length) {
      throw new Error(
        `The database at ${db.name} has schema version ${applied}, newer than this Paperboy (${migrations.length}). Upgrade Paperboy.`,
      );
    }
    const migration = migrations[applied];
    if (!migration) return false;
    db.exec(migration.sqlite);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      applied + 1,
      migration.name,
      new Date().toISOString(),
    );
    return true;
  });
  while (next.immediate());
  return migrations.length;
}

/**
 * Kysely's SQLite dialect, but with transactions that take the write lock when they begin (BEGIN IMMEDIATE). A plain
 * BEGIN reads first and asks for the lock at its first write: when another process (an import beside serve) wrote
 * meanwhile, SQLite answers "database is locked" at once instead of waiting busy_timeout, since the transaction's
 * snapshot is stale.
 */
function immediateTransactions(db: BetterSqlite3.Database): Dialect {
  const base = new SqliteDialect({ database: db });
  class ImmediateDriver extends SqliteDriver {
    override async beginTransaction(connection: DatabaseConnection): Promise<void> {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    }
  }
  return {
    createAdapter: () => base.createAdapter(),
    createDriver: () => new ImmediateDriver({ database: db }),
    createIntrospector: (k) => base.createIntrospector(k),
    createQueryCompiler: () => base.createQueryCompiler(),
  };
}

export function openSqliteStore(file: string): OpenedStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  // First, so that the other settings wait for a process that opens the same file at the same moment.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const version = migrateSqlite(db);
  const kysely = new Kysely<Database>({ dialect: immediateTransactions(db) });
  // Kysely opens its side of the connection at the first query, and closes `db` only if it did: a store closed before
  // any query would keep the file open (and locked for `restore`) until the process ends.
  const closeUnused = async () => {
    if (db.open) db.close();
  };
  return { store: new KyselyStore('sqlite', kysely, version, { onClose: closeUnused }), db: kysely };
}
