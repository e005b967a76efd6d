import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, freshStore, type TestStore } from '../../test/stores.js';
import { migrations } from './migrations.js';
import { openPostgresStore } from './postgres.js';

const tests: TestStore[] = [];
afterEach(async () => {
  for (const t of tests.splice(0)) await t.dispose();
});

describe('the PostgreSQL store', () => {
  it('outlives the server ending a connection held by a transaction: that transaction fails, the next one works', async () => {
    const t = await freshStore('postgres');
    tests.push(t);
    const admin = new pg.Client({ connectionString: t.env.DATABASE_URL });
    await admin.connect();
    try {
      const cut = t.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // The server's "terminating connection" arrives while no query runs on this checked-out client.
        await sleep(300);
        await sql`SELECT 1`.execute(trx);
      });
      await expect(cut).rejects.toThrow();
      expect(await t.store.countPapers()).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('papers by id on PostgreSQL (a named statement)', () => {
  it('keeps the order asked, leaves out hidden and unknown ids, and still answers after a migration retypes a column', async () => {
    const t = await freshStore('postgres');
    tests.push(t);
    const ids = Array.from({ length: 30 }, (_, i) => `2601.${String(i).padStart(5, '0')}`);
    await t.store.upsertPapers(
      ids.map((id, i) => ({
        id,
        source: 'arxiv-api',
        title: `Paper ${i}`,
        abstract: 'An abstract.',
        authors: ['Ada Lovelace'],
        categories: ['cs.LG'],
      })),
    );
    await sql`UPDATE papers SET hidden_at = '2026-01-01T00:00:00Z' WHERE id = ${ids[3]!}`.execute(t.db);
    const asked = ['nope', ...[...ids].reverse(), ids[0]!];
    const wanted = asked.filter((id) => id !== 'nope' && id !== ids[3]);
    // Twelve at once: every connection of the pool (ten) prepares the statement.
    const read = () => Promise.all(Array.from({ length: 12 }, () => t.store.getPapers(asked)));
    for (const papers of await read()) expect(papers.map((p) => p.id)).toEqual(wanted);
    const prepared = async () =>
      (
        await Promise.all(
          Array.from({ length: 10 }, () =>
            sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements
              WHERE name = 'paperboy_papers_by_id'`.execute(t.db),
          ),
        )
      ).reduce((n, r) => n + r.rows[0]!.n, 0);
    expect(await prepared()).toBeGreaterThan(0);
    expect((await t.store.getPaper(ids[5]!))?.title).toBe('Paper 5');
    expect(await t.store.getPaper(ids[3]!)).toBeUndefined();
    expect((await t.store.getPaper(ids[3]!, { hidden: true }))?.id).toBe(ids[3]);
    expect(await t.store.getPapers([])).toEqual([]);
    await sql`ALTER TABLE papers ALTER COLUMN upvotes TYPE bigint`.execute(t.db);
    for (let round = 0; round < 2; round++)
      for (const papers of await read()) expect(papers.map((p) => p.id)).toEqual(wanted);
  });
});

describe('PostgreSQL migrations', () => {
  it('bring a fresh database up to date once when several processes open it at the same moment', async () => {
    const url = await createTestDatabase();
    const opened = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url)));
    try {
      for (const o of opened) expect((await o.store.stats()).schemaVersion).toBe(migrations.length);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(
        opened[0]!.db,
      );
      expect(rows[0]!.n).toBe(migrations.length);
    } finally {
      for (const o of opened) await o.store.close();
    }
  });
});
