import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  type Copied,
  countRows,
  holdsData,
  moveIntoPlace,
  newerSchema,
  notEmpty,
  partialName,
  privateEmptyFile,
  type Restored,
  refusal,
  type StoreCounts,
} from './backup-files.js';
import { migrations } from './migrations.js';

/**
 * The SQLite store's backup is a copy made by VACUUM INTO: one statement in one read transaction, so the copy is the
 * store as of one moment however much `serve` writes meanwhile (in WAL mode a reader neither waits for writers nor
 * holds them up). The online backup API (better-sqlite3's `db.backup`) copies 100 pages at a time and starts over
 * whenever another connection writes, so under a steady stream of writes from `serve` it may never finish. The copy
 * is a complete, compacted database file in rollback-journal mode: it needs no -wal beside it.
 */
export async function backupSqlite(storeFile: string, target: string): Promise<Copied> {
  if (!existsSync(storeFile)) {
    throw refusal(
      `There is no store at ${storeFile} to back up. Set PAPERBOY_DATA_DIR to the folder that holds paperboy.db (or DATABASE_URL for PostgreSQL).`,
    );
  }
  if (target === storeFile) throw refusal(`${target} is the store itself. Back it up to another file.`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = partialName(target);
  rmSync(partial, { force: true });
  privateEmptyFile(partial);
  try {
    // Read-only: a backup never writes to the store it copies.
    const live = new BetterSqlite3(storeFile, { readonly: true, fileMustExist: true });
    try {
      live.pragma('busy_timeout = 5000');
      live.prepare('VACUUM INTO ?').run(partial);
    } finally {
      live.close();
    }
    const copy = await readBackup(partial, target);
    moveIntoPlace(partial, target);
    return { engine: 'sqlite', store: storeFile, schemaVersion: copy.version, counts: copy.counts };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Puts a backup in the store's place. The copy is written beside the store and renamed over it, so a crash leaves
 * the old store or the new one. The old store leaves WAL mode first (which moves everything in its -wal into the
 * file, and which SQLite allows only when no other connection has it open: a running `serve` is refused), so that no
 * -wal or -shm of the old database is left to be read with the new one.
 */
export async function restoreSqlite(storeFile: string, source: string, force: boolean): Promise<Restored> {
  if (source === storeFile) throw refusal(`${source} is the store itself. Restore from a backup file.`);
  const backup = await readBackup(source, source);
  if (backup.version > migrations.length) throw newerSchema(source, backup.version, migrations.length);
  mkdirSync(dirname(storeFile), { recursive: true });

  const current = existsSync(storeFile) ? await openCurrent(storeFile, force) : undefined;
  const partial = partialName(storeFile);
  rmSync(partial, { force: true });
  try {
    if (current) leaveWal(current, storeFile);
    const from = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
    try {
      from.prepare('VACUUM INTO ?').run(partial);
    } finally {
      from.close();
    }
    // Again, just before the swap: a process may have opened the store while the copy was written.
    if (current) leaveWal(current, storeFile);
    current?.close();
    for (const leftover of [`${storeFile}-wal`, `${storeFile}-shm`, `${storeFile}-journal`])
      rmSync(leftover, { force: true });
    moveIntoPlace(partial, storeFile);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    if (current?.open) current.close();
  }
  return { engine: 'sqlite', store: storeFile, schemaVersion: backup.version };
}

/** Opens a file that should be a Paperboy backup, read-only, and says what it holds; refuses anything else. */
async function readBackup(file: string, name: string): Promise<{ version: number; counts: StoreCounts }> {
  let db: BetterSqlite3.Database;
  let tables: Set<string>;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    tables = tablesOf(db);
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_NOTADB')
      throw refusal(`${name} is not a Paperboy backup: it is not an SQLite database.`);
    throw error;
  }
  try {
    if (!tables.has('schema_migrations'))
      throw refusal(
        `${name} is not a Paperboy backup: it is an SQLite database without Paperboy's schema_migrations table.`,
      );
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw refusal(`${name} is damaged (SQLite quick_check: ${String(check)}). Use another backup.`);
    const version = (db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n;
    return { version, counts: await countTables(db, tables) };
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_CORRUPT')
      throw refusal(`${name} is damaged (${(error as Error).message}). Use another backup.`);
    throw error;
  } finally {
    db.close();
  }
}

/** The store about to be replaced: refused when it holds data, unless `force`. */
async function openCurrent(storeFile: string, force: boolean): Promise<BetterSqlite3.Database | undefined> {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(storeFile, { fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const counts = await countTables(db, tablesOf(db));
    if (holdsData(counts) && !force) throw notEmpty(storeFile, counts);
    return db;
  } catch (error) {
    db?.close();
    if (sqliteCode(error) !== 'SQLITE_NOTADB') throw error;
    if (!force) throw refusal(`${storeFile} is not an SQLite database. Move it away, or pass --force to replace it.`);
    return undefined;
  }
}

function leaveWal(db: BetterSqlite3.Database, storeFile: string): void {
  const inUse = refusal(
    `The store at ${storeFile} is open in another process (is \`paperboy serve\`, \`worker\` or an import running?). ` +
      'Stop it, restore, then start it again (README: "Restore into a running site").',
  );
  try {
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw inUse;
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_BUSY') throw inUse;
    throw error;
  }
}

function tablesOf(db: BetterSqlite3.Database): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

function countTables(db: BetterSqlite3.Database, tables: Set<string>): Promise<StoreCounts> {
  return countRows((table) =>
    tables.has(table) ? (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n : undefined,
  );
}

/** The SQLite result code of an error, without its extended part: SQLITE_CORRUPT_INDEX is SQLITE_CORRUPT. */
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? /^SQLITE_[A-Z]+/.exec(code)?.[0] : undefined;
}
