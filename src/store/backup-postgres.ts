import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
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
} from './backup-files.js';
import { migrations } from './migrations.js';
import { redact } from './postgres.js';

/**
 * The PostgreSQL store's backup is PostgreSQL's own: pg_dump in its custom format (-Fc), read back by pg_restore.
 * The command runs them with the configured URL; the password goes to them in PGPASSWORD, never on the command line
 * (which other users of the machine can read) and never in a message.
 */

interface Target {
  /** The URL without its password, for --dbname. */
  dbname: string;
  /** The URL with its password as ***, for messages. */
  shown: string;
  password: string;
}

function target(url: string): Target {
  const parsed = new URL(url);
  let password: string;
  try {
    password = decodeURIComponent(parsed.password) || (parsed.searchParams.get('password') ?? '');
  } catch {
    throw refusal('The password in DATABASE_URL has a malformed %-escape. Write it percent-encoded (e.g. %40 for @).');
  }
  parsed.password = '';
  parsed.searchParams.delete('password');
  return { dbname: parsed.toString(), shown: redact(url), password };
}

/**
 * Dumps the database with pg_dump in the snapshot of a transaction of ours, so the counts reported are those of the
 * rows in the file, however much `serve` writes meanwhile.
 */
export async function backupPostgres(url: string, file: string): Promise<Copied> {
  const db = target(url);
  const client = await connect(url, db);
  const partial = partialName(file);
  try {
    const major = await serverMajor(client);
    await checkTool('pg_dump', major);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const { rows } = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    const version = await schemaVersion(client);
    if (version === undefined)
      throw refusal(
        `The database at ${db.shown} holds no Paperboy store (it has no schema_migrations table). Check DATABASE_URL.`,
      );
    const counts = await countRows((table) => countTable(client, table));
    mkdirSync(dirname(file), { recursive: true });
    rmSync(partial, { force: true });
    privateEmptyFile(partial);
    await run(
      'pg_dump',
      ['--format=custom', `--snapshot=${rows[0]!.id}`, `--file=${partial}`, `--dbname=${db.dbname}`],
      db,
      major,
    );
    await client.query('COMMIT');
    moveIntoPlace(partial, file);
    return { engine: 'postgres', store: db.shown, schemaVersion: version, counts };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Restores a pg_dump archive with pg_restore --clean --if-exists --no-owner in a single transaction: a failure leaves
 * the database as it was. Tables that migrations newer than the backup create are dropped first, so that opening the
 * store afterwards can migrate it forward (pg_restore drops only the tables in the archive).
 */
export async function restorePostgres(url: string, file: string, force: boolean): Promise<Restored> {
  const db = target(url);
  const client = await connect(url, db);
  try {
    const major = await serverMajor(client);
    await checkTool('pg_restore', major);
    const list = await run('pg_restore', ['--list', file], db, major).catch((error: unknown) => {
      throw refusal(`${file} is not a Paperboy backup: pg_restore cannot read it (${(error as Error).message}).`);
    });
    if (!/^\d+; \d+ \d+ TABLE DATA \S+ schema_migrations /m.test(list)) {
      throw refusal(`${file} is not a Paperboy backup: a pg_dump archive without Paperboy's schema_migrations table.`);
    }
    const version = migrationsIn(
      await run('pg_restore', ['--data-only', '--table=schema_migrations', '--file=-', file], db, major),
    );
    if (version > migrations.length) throw newerSchema(file, version, migrations.length);

    const counts = await countRows((table) => countTable(client, table));
    if (holdsData(counts) && !force) throw notEmpty(db.shown, counts);
    const later = [];
    for (const table of tablesCreatedAfter(version)) if (await exists(client, table)) later.push(table);
    if (later.length > 0) {
      // With the record of their migrations, so that should pg_restore then fail, opening the store creates them again.
      await client.query('BEGIN');
      await client.query(`DROP TABLE IF EXISTS ${later.map((t) => `"${t}"`).join(', ')} CASCADE`);
      await client.query('DELETE FROM schema_migrations WHERE version > $1', [version]);
      await client.query('COMMIT');
    }

    await run(
      'pg_restore',
      ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${db.dbname}`, file],
      db,
      major,
    );
    return { engine: 'postgres', store: db.shown, schemaVersion: version };
  } finally {
    await client.end();
  }
}

async function connect(url: string, db: Target): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    throw refusal(
      `Could not connect to PostgreSQL at ${db.shown}: ${(error as Error).message}. Check DATABASE_URL and that the server is running.`,
    );
  }
}

async function serverMajor(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
  return Math.floor(Number(rows[0]?.server_version_num) / 10_000);
}

async function exists(client: pg.Client, table: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
  return rows[0]?.t != null;
}

async function countTable(client: pg.Client, table: string): Promise<number | undefined> {
  if (!(await exists(client, table))) return undefined;
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
  return Number(rows[0]?.n ?? 0);
}

async function schemaVersion(client: pg.Client): Promise<number | undefined> {
  return countTable(client, 'schema_migrations');
}

/** The number of rows in the COPY block of schema_migrations in pg_restore's plain-text output. */
function migrationsIn(script: string): number {
  const lines = script.split('\n');
  const start = lines.findIndex((l) => /^COPY \S*schema_migrations\b.* FROM stdin;$/.test(l));
  if (start < 0) return 0;
  const end = lines.indexOf('\\.', start);
  return (end < 0 ? lines.length : end) - start - 1;
}

/** The tables the migrations after `version` create. */
function tablesCreatedAfter(version: number): string[] {
  return migrations
    .slice(version)
    .flatMap((m) =>
      [...m.postgres.matchAll(/CREATE (?:UNLOGGED )?TABLE (?:IF NOT EXISTS )?(\w+)/gi)].map((x) => x[1]!),
    );
}

/** What to install when a PostgreSQL client program is missing. */
function missing(tool: string, major: number): Error {
  return refusal(
    `${tool} is not on PATH. Install the PostgreSQL client programs of version ${major} (the server's) or newer: ` +
      `Debian/Ubuntu \`apt-get install postgresql-client\` (postgresql-client-${major} from apt.postgresql.org when the distribution's is older), ` +
      `Alpine \`apk add postgresql${major}-client\`, macOS \`brew install libpq\`; then run this command again.`,
  );
}

async function checkTool(tool: string, major: number): Promise<void> {
  await run(tool, ['--version'], undefined, major);
}

/** Runs a PostgreSQL client program; resolves to its standard output, rejects with its error output (redacted). */
function run(tool: string, args: string[], db: Target | undefined, major: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // The child needs the rest of the environment too (PATH, PGSSLMODE, locale…).
    const env = db?.password ? { ...process.env, PGPASSWORD: db.password } : process.env;
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? missing(tool, major) : error));
    child.on('close', (code) => {
      if (code === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
        return;
      }
      let message = `${tool} failed: ${Buffer.concat(err).toString('utf8').trim() || `exit code ${code}`}`;
      if (db?.password) message = message.split(db.password).join('***');
      reject(refusal(redact(message)));
    });
  });
}
