import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import { type Copied, countRows, refusal } from './backup-files.js';
import { backupPostgres, restorePostgres } from './backup-postgres.js';
import { backupSqlite, restoreSqlite } from './backup-sqlite.js';
import { migrations } from './migrations.js';
import { openStore } from './open.js';

/**
 * `paperboy backup` and `paperboy restore`: a whole store to one file and back. SQLite copies itself with
 * VACUUM INTO (one read transaction: a consistent copy while `serve` goes on writing); PostgreSQL with pg_dump -Fc
 * and pg_restore in one transaction. A file is written beside its final name and renamed into place, so that a
 * crash leaves the old file or the new one, never part of one.
 */

export interface BackupSummary extends Copied {
  file: string;
  bytes: number;
  seconds: number;
}

export interface RestoreSummary extends BackupSummary {
  /** The backup's schema version when the normal open path migrated it forward to `schemaVersion`. */
  migratedFrom: number | undefined;
}

type StoreConfig = Pick<Config, 'dataDir' | 'databaseUrl'>;

const sqliteFile = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'paperboy.db');

export async function backupStore(
  config: StoreConfig,
  file: string,
  opts: { force?: boolean } = {},
): Promise<BackupSummary> {
  const target = resolve(file);
  if (existsSync(target) && !opts.force)
    throw refusal(`${target} exists. Choose another file name, or pass --force to replace it.`);
  const started = performance.now();
  const copied = config.databaseUrl
    ? await backupPostgres(config.databaseUrl, target)
    : await backupSqlite(sqliteFile(config), target);
  return { ...copied, file: target, bytes: statSync(target).size, seconds: (performance.now() - started) / 1000 };
}

/**
 * Replaces the configured store with a backup: refused when the store holds data (unless `force`), when the file is
 * not a Paperboy backup for this engine, or when it comes from a newer schema. An older backup is migrated forward by
 * opening the store the normal way; the counts reported are read from the store after that.
 */
export async function restoreStore(
  config: StoreConfig,
  file: string,
  opts: { force?: boolean } = {},
): Promise<RestoreSummary> {
  const source = resolve(file);
  if (!existsSync(source) || !statSync(source).isFile()) throw refusal(`There is no backup file at ${source}.`);
  const kind = fileKind(source);
  if (config.databaseUrl && kind === 'sqlite') {
    throw refusal(
      `${source} is a backup of an SQLite store, and DATABASE_URL points at PostgreSQL. Unset DATABASE_URL to restore it into the embedded store.`,
    );
  }
  if (!config.databaseUrl && kind === 'postgres') {
    throw refusal(`${source} is a PostgreSQL backup (pg_dump). Set DATABASE_URL to the database to restore it into.`);
  }
  const started = performance.now();
  const force = opts.force ?? false;
  const restored = config.databaseUrl
    ? await restorePostgres(config.databaseUrl, source, force)
    : await restoreSqlite(sqliteFile(config), source, force);

  const { store, db } = await openStore(config);
  try {
    const counts = await countRows(async (table) => {
      const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
      return Number(rows[0]?.n ?? 0);
    });
    const schemaVersion = migrations.length;
    return {
      ...restored,
      counts,
      schemaVersion,
      migratedFrom: restored.schemaVersion < schemaVersion ? restored.schemaVersion : undefined,
      file: source,
      bytes: statSync(source).size,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await store.close();
  }
}

/** What a file's first bytes say it is. */
function fileKind(file: string): 'sqlite' | 'postgres' | 'other' {
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres';
  return 'other';
}
