import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStore, type TestStore } from '../../test/stores.js';

/** The advisory lock every writer of papers holds from its feed stamp to its commit (feedStamp in kysely-store.ts). */
const FEED_LOCK = 4_181_733_202;

// PostgreSQL only: SQLite's write transaction holds the lock from its start, so what it reads first stays true.
describe('a PostgreSQL import batch racing another writer of the same paper', () => {
  let t: TestStore;
  let other: pg.Client;
  beforeEach(async () => {
    t = await freshStore('postgres');
    other = new pg.Client({ connectionString: t.env.DATABASE_URL });
    await other.connect();
  });
  afterEach(async () => {
    await other.end();
    await t.dispose();
  });

  it('replaces the authors and categories of a paper stored after the batch found it missing', async () => {
    const id = '2503.00001';
    await other.query('BEGIN');
    await other.query('SELECT pg_advisory_xact_lock($1)', [FEED_LOCK]);
    await other.query(
      `INSERT INTO papers (id, title, title_key, abstract, created_at, modified_at)
       VALUES ($1, 'Stored meanwhile', 'stored meanwhile', 'x', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z')`,
      [id],
    );
    await other.query(
      `INSERT INTO paper_authors (paper_id, position, name, name_key) VALUES ($1, 0, 'Old Author', 'old author')`,
      [id],
    );
    await other.query(`INSERT INTO paper_categories (paper_id, category, is_primary) VALUES ($1, 'cs.RO', 1)`, [id]);

    // The batch reads the papers (this one is not committed yet), then waits for the lock to write.
    const write = t.store.upsertPapers([
      {
        id,
        source: 'arxiv-api',
        title: 'Lidar splatting',
        abstract: 'y',
        authors: ['New Author'],
        categories: ['cs.CV'],
      },
    ]);
    for (let i = 0; i < 200; i++) {
      const { rows } = await other.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
      if (rows.length) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await other.query('COMMIT');

    expect(await write).toEqual({ new: 1, updated: 0, unchanged: 0 });
    const authors = await sql<{ name: string }>`SELECT name FROM paper_authors WHERE paper_id = ${id}`.execute(t.db);
    expect(authors.rows.map((r) => r.name)).toEqual(['New Author']);
    const categories = await sql<{ category: string }>`
      SELECT category FROM paper_categories WHERE paper_id = ${id}`.execute(t.db);
    expect(categories.rows.map((r) => r.category)).toEqual(['cs.CV']);
    expect((await t.store.getPaper(id))?.title).toBe('Lidar splatting');
  });
});
