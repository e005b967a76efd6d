// Fresh stores for the search benchmarks: a temporary SQLite file or a new PostgreSQL database, dropped after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { importEntries } from '../src/ingest/importer.js';
import { readJsonlDump } from '../src/ingest/jsonl-dump.js';
import { openPostgresStore } from '../src/store/postgres.js';
import type { Db } from '../src/store/schema.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';

export const CORPUS = new URL('../../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz', import.meta.url)
  .pathname;
const adminUrl = process.env.PAPERBOY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function benchStore(
  engine: 'sqlite' | 'postgres',
): Promise<{ store: Store; db: Db; dispose: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-search-bench-'));
    const { store, db } = openSqliteStore(join(dir, 'paperboy.db'));
    return {
      store,
      db,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `paperboy_search_bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const { store, db } = await openPostgresStore(url.toString());
  return {
    store,
    db,
    dispose: async () => {
      await store.close();
      // pg's pool.end() resolves before its sockets are closed; a forced drop meanwhile errors on them.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function loadCorpus(store: Store, limit = Infinity): Promise<number> {
  async function* entries() {
    let n = 0;
    for await (const e of readJsonlDump(CORPUS)) {
      if (n++ >= limit) return;
      yield e;
    }
  }
  const counts = await importEntries(store, entries(), { batchSize: 2000 });
  return counts.new + counts.updated + counts.unchanged;
}
