import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, shared, startCli } from '../../test/cli.js';
import { createTestDatabase, type Engine, engines } from '../../test/stores.js';
import { toggleVote } from '../accounts/votes.js';
import { postComment } from '../community/comments.js';
import { createAccount } from '../community/moderation.js';
import { loadConfig } from '../config/config.js';
import { confirm, type Preferences, subscribe } from '../digest/subscribers.js';
import { importEntries } from '../ingest/importer.js';
import { readJsonlDump } from '../ingest/jsonl-dump.js';
import type { PaperRecord } from '../model/record.js';
import { backupStore, restoreStore } from '../store/backup.js';
import { migrations } from '../store/migrations.js';
import { openStore } from '../store/open.js';
import type { Db } from '../store/schema.js';
import type { OpenedStore } from '../store/store.js';

const NOW = new Date('2026-07-01T09:00:00Z');
const PAPERS = 300;
/** A backup from before accounts (migration 7), to restore into a store that has them. */
const OLD_VERSION = 6;
const prefs = (over: Partial<Preferences> = {}): Preferences => ({
  frequency: 'weekdays',
  hour: 8,
  timeZone: 'UTC',
  weekday: 1,
  trending: true,
  alerts: [],
  ...over,
});

let dir: string;
let slice: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-backup-'));
  // The first lines of the real corpus (the repository holds no abstracts).
  const lines: string[] = [];
  const rl = createInterface({
    input: createReadStream(join(shared, 'corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz')).pipe(createGunzip()),
  });
  for await (const line of rl) if (lines.push(line) === PAPERS) break;
  rl.close();
  slice = join(dir, 'slice.jsonl');
  writeFileSync(slice, `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An empty store, created and migrated the normal way, and closed: where a store is configured by `env`. */
async function emptyStore(engine: Engine): Promise<Record<string, string>> {
  const env: Record<string, string> =
    engine === 'sqlite'
      ? { PAPERBOY_DATA_DIR: mkdtempSync(join(dir, 'store-')) }
      : { DATABASE_URL: await createTestDatabase(), PAPERBOY_DATA_DIR: mkdtempSync(join(dir, 'store-')) };
  await (await open(env)).store.close();
  return env;
}

const open = (env: Record<string, string>): Promise<OpenedStore> => openStore(loadConfig(env));

async function withStore<T>(env: Record<string, string>, fn: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await open(env);
  try {
    return await fn(opened);
  } finally {
    await opened.store.close();
  }
}

/** Papers from the corpus, accounts (audited), votes, a comment, a confirmed and a pending subscription. */
async function fill({ store, db }: OpenedStore, engine: Engine): Promise<string> {
  const imported = await importEntries(store, readJsonlDump(slice), { batchSize: 100, clock: () => NOW });
  expect(imported.new).toBe(PAPERS);
  const m = { db, engine };
  const ada = await createAccount(m, 'cli', { email: 'ada@example.org' }, NOW);
  const bob = await createAccount(m, 'cli', { email: 'bob@example.org', role: 'curator' }, NOW);
  await createAccount(m, 'cli', { email: 'carol@example.org' }, NOW);
  const [first, second] = (await store.listPapers({ limit: 2 })).map((p) => p.id);
  await toggleVote(store, ada, first!, NOW);
  await toggleVote(store, bob, first!, NOW);
  await toggleVote(store, bob, second!, NOW);
  await postComment(store, ada, first!, { body: 'A *careful* result: $O(n \\log n)$.' }, NOW);
  const confirmed = await subscribe(
    db,
    'reader@example.org',
    prefs({ alerts: [{ kind: 'category', value: 'cs.CL' }] }),
    NOW,
  );
  if (confirmed.kind !== 'confirm') throw new Error(confirmed.kind);
  await confirm(db, confirmed.token, NOW);
  await subscribe(db, 'pending@example.org', prefs({ frequency: 'daily' }), NOW);
  return first!;
}

/** Every table's rows, in one order (SQLite's rowids of papers too: the full-text index points at them). */
async function tables(db: Db, engine: Engine): Promise<Record<string, unknown[]>> {
  const names =
    engine === 'sqlite'
      ? await sql<{
          name: string;
        }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'`.execute(
          db,
        )
      : await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`.execute(db);
  const all: Record<string, unknown[]> = {};
  for (const { name } of names.rows) {
    const rowid = engine === 'sqlite' && name === 'papers' ? sql`rowid AS _rowid, ` : sql``;
    const { rows } = await sql<Record<string, unknown>>`SELECT ${rowid}* FROM ${sql.table(name)}`.execute(db);
    all[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return all;
}

describe.each(engines)('paperboy backup and restore on %s', (engine) => {
  const ext = engine === 'sqlite' ? 'db' : 'dump';
  let source: Record<string, string>;
  let before: Record<string, unknown[]>;
  let voted: string;

  beforeAll(async () => {
    source = await emptyStore(engine);
    before = await withStore(source, async (opened) => {
      voted = await fill(opened, engine);
      return tables(opened.db, engine);
    });
  });

  it('copies the store to a file and restores it into a fresh store with every table identical', async () => {
    const file = join(dir, `${engine}-round-trip.${ext}`);
    const backup = await runCli(['backup', file], source);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`(schema version ${migrations.length}) to ${file}`);
    expect(backup.stdout).toContain(`copied: ${PAPERS} papers, 3 accounts, 2 subscribers, 3 votes, 1 comment\n`);
    expect(backup.stdout).toMatch(/^\d+\.\d MB in \d+\.\d\d s$/m);
    // It holds every address and the secret that signs links: readable by its owner only.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    if (engine === 'sqlite') {
      expect(existsSync(`${file}-wal`)).toBe(false);
      expect(backup.stdout).toContain(`the SQLite store at ${join(source.PAPERBOY_DATA_DIR!, 'paperboy.db')}`);
    }

    const target = await emptyStore(engine);
    const restore = await runCli(['restore', file], target);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restored: ${PAPERS} papers, 3 accounts, 2 subscribers, 3 votes, 1 comment\n`);
    expect(restore.stdout).toContain(`schema version ${migrations.length}\n`);

    const after = await withStore(target, ({ db }) => tables(db, engine));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const name of Object.keys(before)) expect(after[name], name).toEqual(before[name]);
    expect(before.papers).toHaveLength(PAPERS);
    expect(before.paper_votes).toHaveLength(3);
    expect(before.comments).toHaveLength(1);
    expect(before.subscribers).toHaveLength(2);
    expect(before.subscriber_alerts).toHaveLength(1);
    expect(before.audit_log).toHaveLength(3);
    expect(before.schema_migrations).toHaveLength(migrations.length);

    await withStore(target, async ({ store }) => {
      expect(await store.getPaper(voted)).toMatchObject({ communityUpvotes: 2, communityComments: 1 });
    });
    if (engine === 'sqlite') {
      const db = new BetterSqlite3(join(target.PAPERBOY_DATA_DIR!, 'paperboy.db'));
      db.exec("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)");
      db.close();
    }
  });

  it('refuses to replace a store that holds data unless --force, a file that is not a backup, and a newer schema', async () => {
    const file = join(dir, `${engine}-refusals.${ext}`);
    expect((await runCli(['backup', file], source)).code).toBe(0);
    const again = await runCli(['backup', file], source);
    expect(again).toMatchObject({
      code: 1,
      stderr: `paperboy: ${file} exists. Choose another file name, or pass --force to replace it.\n`,
    });

    const full = await runCli(['restore', file], source);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(
      /^paperboy: The store at .+ is not empty \(300 papers, 3 accounts, 2 subscribers, 3 votes, 1 comment\)\. Restoring replaces all of it: back it up first \(paperboy backup <file>\), then run restore again with --force\.\n$/,
    );
    const forced = await runCli(['restore', file, '--force'], source);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await withStore(source, ({ db }) => tables(db, engine))).toEqual(before);

    const empty = await emptyStore(engine);
    const config = loadConfig(empty);
    const random = join(dir, `${engine}-random.bin`);
    writeFileSync(random, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 251)));
    await expect(restoreStore(config, random)).rejects.toThrow(`${random} is not a Paperboy backup`);
    // A database of something else, in the engine's own backup format.
    const other = join(dir, `${engine}-other.${ext}`);
    if (engine === 'sqlite') {
      new BetterSqlite3(other).exec('CREATE TABLE notes (body TEXT)').close();
    } else {
      const url = await createTestDatabase();
      await onPostgres(url, (client) => client.query('CREATE TABLE notes (body TEXT)'));
      execFileSync('pg_dump', ['--format=custom', `--file=${other}`, `--dbname=${url}`]);
    }
    await expect(restoreStore(config, other)).rejects.toThrow(`${other} is not a Paperboy backup`);

    const newer = join(dir, `${engine}-newer.${ext}`);
    await backupOf(engine, migrations.length + 1, newer);
    await expect(restoreStore(config, newer)).rejects.toThrow(
      `${newer} comes from a newer Paperboy (schema version ${migrations.length + 1}; this one knows ${migrations.length}). Upgrade Paperboy, then restore.`,
    );
    await withStore(empty, async ({ store }) => {
      expect((await store.stats()).papers).toBe(0);
    });
  });

  it('restores a backup from an older schema and migrates it forward', async () => {
    const old = join(dir, `${engine}-old.${ext}`);
    await backupOf(engine, OLD_VERSION, old);
    const target = await emptyStore(engine);
    const restore = await runCli(['restore', old], target);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`migrated from schema version ${OLD_VERSION} to ${migrations.length}\n`);
    expect(restore.stdout).toContain('restored: 1 paper, 0 accounts, 0 subscribers, 0 votes, 0 comments\n');
    await withStore(target, async ({ store }) => {
      expect((await store.getPaper('2401.00001'))?.title).toBe('An old paper');
      expect((await store.stats()).schemaVersion).toBe(migrations.length);
    });
  });

  it('makes a consistent copy while papers are being written', async () => {
    const { PAPERBOY_DATA_DIR, DATABASE_URL } = source;
    const writer = await open(source);
    const file = join(dir, `${engine}-busy.${ext}`);
    let batches = 0;
    let writing = true;
    const writes = (async () => {
      while (writing) {
        const records: PaperRecord[] = Array.from({ length: 50 }, (_, i) => ({
          id: `2607.${String(10_000 + batches * 50 + i)}`,
          source: 'arxiv-api',
          version: 1,
          title: `Busy paper ${batches}-${i}`,
          abstract: 'Written while the backup runs. '.repeat(20),
          authors: ['Ada Lovelace'],
          categories: ['cs.LG'],
          listedOn: '2026-06-30',
        }));
        await writer.store.upsertPapers(records);
        batches++;
        // SQLite writes resolve without a turn of the event loop: give the child's output a turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const cli = startCli(['backup', file], source);
      const result = await cli.result;
      writing = false;
      await writes;
      expect(result.code, result.stderr).toBe(0);
      expect(batches).toBeGreaterThan(2);
      const reported = Number(/^copied: (\d+) papers/m.exec(result.stdout)?.[1]);
      expect(reported).toBeGreaterThanOrEqual(PAPERS);
      expect(reported).toBeLessThan(PAPERS + batches * 50);
      // Whole batches only: each upsert is one transaction.
      expect((reported - PAPERS) % 50).toBe(0);

      if (engine === 'sqlite') {
        expect(PAPERBOY_DATA_DIR).toBeDefined();
        const copy = new BetterSqlite3(file, { readonly: true });
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect((copy.prepare('SELECT count(*) AS n FROM papers').get() as { n: number }).n).toBe(reported);
        copy.close();
        expect(existsSync(`${file}-wal`)).toBe(false);
      } else {
        expect(DATABASE_URL).toBeDefined();
        const target = await emptyStore(engine);
        const restored = await restoreStore(loadConfig(target), file);
        expect(restored.counts.papers).toBe(reported);
      }
    } finally {
      writing = false;
      await writes;
      await writer.store.close();
    }
  });
});

describe('paperboy restore on sqlite while the store is open', () => {
  it('refuses, and leaves the store as it was', async () => {
    const env = await emptyStore('sqlite');
    const file = join(dir, 'open.db');
    await backupOf('sqlite', migrations.length, file);
    const running = await open(env);
    try {
      const refused = await runCli(['restore', file, '--force'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'is open in another process (is `paperboy serve`, `worker` or an import running?)',
      );
      expect((await running.store.stats()).papers).toBe(0);
      expect(readdirSync(env.PAPERBOY_DATA_DIR!).filter((f) => f.includes('partial'))).toEqual([]);
    } finally {
      await running.store.close();
    }
    const restored = await runCli(['restore', file], env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('restored: 1 paper,');
  });
});

/**
 * A backup of a store at any schema version, made by applying that many migrations (or more rows in schema_migrations
 * than there are migrations, as a newer Paperboy would leave) and adding one paper.
 */
async function backupOf(engine: Engine, version: number, file: string): Promise<void> {
  const applied = migrations.slice(0, version);
  const rows = Array.from(
    { length: version },
    (_, i) => [i + 1, applied[i]?.name ?? `from the future ${i + 1}`, NOW.toISOString()] as const,
  );
  const paper =
    "INSERT INTO papers (id, title, title_key, abstract, created_at, modified_at) VALUES ('2401.00001', 'An old paper', 'an old paper', 'Old.', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')";
  const create =
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';
  if (engine === 'sqlite') {
    const storeDir = mkdtempSync(join(dir, 'old-'));
    const db = new BetterSqlite3(join(storeDir, 'paperboy.db'));
    db.exec(create);
    for (const m of applied) db.exec(m.sqlite);
    for (const row of rows) db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(...row);
    db.exec(paper);
    db.close();
    await backupStore(loadConfig({ PAPERBOY_DATA_DIR: storeDir }), file);
    return;
  }
  const url = await createTestDatabase();
  await onPostgres(url, async (client) => {
    await client.query(create);
    for (const m of applied) await client.query(m.postgres);
    for (const row of rows) await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [...row]);
    await client.query(paper);
  });
  await backupStore(loadConfig({ DATABASE_URL: url }), file);
}

async function onPostgres(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
