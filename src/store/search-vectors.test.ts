import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStore, type TestStore } from '../../test/stores.js';
import type { PaperRecord } from '../model/record.js';
import { computeSearchVectors, recordText } from './search-vectors.js';

const paper = (n: number, extra: Partial<PaperRecord> = {}): PaperRecord => ({
  id: `2503.${String(n).padStart(5, '0')}`,
  source: 'arxiv-api',
  version: 1,
  title: `Splatting sensors number ${n}`,
  abstract: `We simulate lidar returns with gaussians, case ${n}.`,
  authors: ['Xianming Zeng', `Author ${n}`],
  categories: ['cs.CV'],
  ...extra,
});

// PostgreSQL only: SQLite's full text is its FTS5 table, kept by triggers (store.contract.test.ts searches both).
describe('PostgreSQL full-text vectors computed ahead of an import batch', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await freshStore('postgres');
  });
  afterEach(async () => {
    await t.dispose();
  });

  /** Papers whose stored vector is not the one of their stored text. */
  const wrongVectors = async () => {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM papers WHERE search IS NULL
        OR search IS DISTINCT FROM paper_search_vector(title, authors_text, abstract)`.execute(t.db);
    return rows.map((r) => r.id);
  };
  const matching = async (words: string) => {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM papers WHERE search @@ plainto_tsquery('english', ${words}) ORDER BY id`.execute(t.db);
    return rows.map((r) => r.id);
  };

  it('computes vectors only for records not already stored as they are', async () => {
    const stored = paper(1);
    await t.store.upsertPapers([stored]);
    const storedHash = await hashOf(t, stored.id);
    const ahead = [stored, paper(2), paper(1, { abstract: 'A revised abstract about radar.' })].map((r, i) => ({
      id: r.id,
      source: r.source,
      hash: i === 0 ? storedHash : `changed-${i}`,
      text: recordText(r),
    }));
    const vectors = await computeSearchVectors(t.db, ahead);
    expect([...vectors.keys()].sort()).toEqual(['2503.00001', '2503.00002']);
    expect(vectors.get('2503.00001')?.text.abstract).toBe('A revised abstract about radar.');
    const { rows } = await sql<{ v: Buffer }>`
      SELECT tsvectorsend(paper_search_vector(${ahead[1]!.text.title}, ${ahead[1]!.text.authors_text}, ${ahead[1]!.text.abstract})) AS v`.execute(
      t.db,
    );
    expect(vectors.get('2503.00002')?.vector.equals(rows[0]!.v)).toBe(true);
  });

  it('stores the vector of the text stored, whether computed ahead, by the trigger, or for a merged paper', async () => {
    const first = Array.from({ length: 300 }, (_, i) => paper(i + 1));
    t.store.prepareUpsert(first);
    expect(await t.store.upsertPapers(first)).toEqual({ new: 300, updated: 0, unchanged: 0 });
    // Without prepareUpsert (a harvest, a submission): the trigger computes them.
    await t.store.upsertPapers([paper(400, { title: 'Tokamak plasma control' })]);
    // Ahead for what the records say, but the stored text is the merge: arXiv keeps its title over Hugging Face's.
    const hf: PaperRecord = {
      id: paper(5).id,
      source: 'hf-daily',
      title: 'A title about quasars',
      abstract: 'x',
      upvotes: 5,
    };
    const revised = paper(6, { version: 2, abstract: 'Version two measures neutrino oscillations.' });
    const batch = [hf, revised];
    t.store.prepareUpsert(batch);
    expect(await t.store.upsertPapers(batch)).toEqual({ new: 0, updated: 2, unchanged: 0 });

    expect(await wrongVectors()).toEqual([]);
    expect(await matching('splatting sensors')).toHaveLength(300);
    expect(await matching('tokamak')).toEqual([paper(400).id]);
    expect(await matching('quasars')).toEqual([]);
    expect(await matching('neutrino oscillation')).toEqual([paper(6).id]);
    expect(await matching('Zeng')).toHaveLength(301);
  });

  it('keeps the vector in step when the text is changed by a plain UPDATE', async () => {
    await t.store.upsertPapers([paper(1)]);
    await sql`UPDATE papers SET abstract = 'Now about superconducting qubits.' WHERE id = ${paper(1).id}`.execute(t.db);
    await sql`UPDATE papers SET search = NULL WHERE id = ${paper(1).id}`.execute(t.db);
    expect(await wrongVectors()).toEqual([]);
    expect(await matching('qubits')).toEqual([paper(1).id]);
    expect(await matching('lidar')).toEqual([]);
  });

  it('ignores vectors prepared for another batch', async () => {
    const batch = [paper(1)];
    t.store.prepareUpsert([paper(1, { title: 'A different title entirely' })]);
    await t.store.upsertPapers(batch);
    expect(await wrongVectors()).toEqual([]);
    expect(await matching('different title entirely')).toEqual([]);
  });
});

async function hashOf(t: TestStore, id: string): Promise<string> {
  const { rows } = await sql<{ hash: string }>`SELECT hash FROM paper_sources WHERE paper_id = ${id}`.execute(t.db);
  return rows[0]!.hash;
}

describe('PostgreSQL full-text index after a bulk batch', () => {
  it('has merged its pending list by the time the store is closed', async () => {
    const t = await freshStore('postgres');
    const batch = Array.from({ length: 300 }, (_, i) => paper(i + 1));
    t.store.prepareUpsert(batch);
    await t.store.upsertPapers(batch);
    await t.dispose();
    const client = new pg.Client({ connectionString: t.env.DATABASE_URL });
    await client.connect();
    try {
      // The number of pending pages it merged: none were left (the batch's own transaction only appended to the list).
      const { rows } = await client.query<{ n: number }>(
        "SELECT gin_clean_pending_list('papers_search'::regclass) AS n",
      );
      expect(Number(rows[0]!.n)).toBe(0);
      const found = await client.query(
        "SELECT count(*)::int AS n FROM papers WHERE search @@ to_tsquery('english', 'lidar')",
      );
      expect(found.rows[0].n).toBe(300);
    } finally {
      await client.end();
    }
  });
});
