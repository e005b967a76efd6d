import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresStore } from '../src/store/postgres.js';
import type { Db } from '../src/store/schema.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';

export type Engine = 'sqlite' | 'postgres';
export const engines: Engine[] = ['sqlite', 'postgres'];

let counter = 0;

/** A fresh, empty PostgreSQL database for one test; dropped by the global teardown. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `paperboy_t_${inject('pgRunId')}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestStore {
  store: Store;
  /** The handle for the tables beside the papers (accounts, comments, …), as src/store/open.ts hands it out. */
  db: Db;
  /** What the CLI needs in its environment to open this same store. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A fresh, empty store on a real engine: a temporary SQLite file or a new PostgreSQL database. */
export async function freshStore(engine: Engine): Promise<TestStore> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-test-'));
    const { store, db } = openSqliteStore(join(dir, 'paperboy.db'));
    return {
      store,
      db,
      env: { PAPERBOY_DATA_DIR: dir },
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createTestDatabase();
  const { store, db } = await openPostgresStore(url);
  // A data folder of its own all the same: a CLI run on this store writes its snapshot files there, not into ./data.
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-test-'));
  return {
    store,
    db,
    env: { DATABASE_URL: url, PAPERBOY_DATA_DIR: dir },
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
