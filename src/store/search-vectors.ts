import { type Kysely, sql } from 'kysely';
import type { PaperRecord } from '../model/record.js';
import { pgArray } from './bulk.js';
import type { Database } from './schema.js';

/**
 * PostgreSQL's full-text vectors of papers, computed ahead on a connection of their own. to_tsvector is the larger
 * half of a paper's insert (bench/ingest.ts); computed while the batch before is written, it runs beside that
 * batch on the other core. The transaction then passes each vector in with its row; a paper whose text is not
 * the one computed ahead gets NULL, which the trigger of migration 21 fills in from the row itself.
 */

export interface SearchText {
  title: string;
  authors_text: string;
  abstract: string;
}

/** Vectors in PostgreSQL's binary form (tsvectorsend), by paper id, with the text each was computed from. */
export type SearchVectors = Map<string, { text: SearchText; vector: Buffer }>;

/** The text a record's paper is stored with when the record is the first about it (mergeRecord, rowFromPaper). */
export function recordText(record: PaperRecord): SearchText {
  return { title: record.title, authors_text: (record.authors ?? []).join(', '), abstract: record.abstract };
}

/** The vector computed ahead for a row's text, or null for the trigger to compute. */
export function vectorFor(vectors: SearchVectors, row: SearchText & { id: string }): Buffer | null {
  const ahead = vectors.get(row.id);
  if (!ahead) return null;
  const { title, authors_text, abstract } = ahead.text;
  return title === row.title && authors_text === row.authors_text && abstract === row.abstract ? ahead.vector : null;
}

/** A record an import writes next: its paper, its source and its hash (paper_sources), and its text. */
export interface AheadRecord {
  id: string;
  source: string;
  hash: string;
  text: SearchText;
}

/**
 * Computes the vectors of the records whose hash paper_sources does not hold already (a re-import computes none),
 * with paper_search_vector(), outside any transaction. Never fails: without its vectors a write only computes them
 * itself, and reports a broken connection on its own.
 */
export async function computeSearchVectors(db: Kysely<Database>, records: AheadRecord[]): Promise<SearchVectors> {
  const vectors: SearchVectors = new Map();
  if (records.length === 0) return vectors;
  try {
    // First which records are new (a re-import stops here), then only their text goes to the server. By id, through
    // the key's index: an anti-join of the batch against paper_sources read the whole table, every batch.
    const known = new Set<string>();
    const ids = [...new Set(records.map((r) => r.id))];
    const { rows: stored } = await sql<{ paper_id: string; source: string; hash: string }>`
      SELECT paper_id, source, hash FROM paper_sources WHERE paper_id = ANY(${pgArray('text', ids)})`.execute(db);
    for (const row of stored) known.add(`${row.paper_id}\u0000${row.source}\u0000${row.hash}`);
    const wanted = records.filter((r) => !known.has(`${r.id}\u0000${r.source}\u0000${r.hash}`));
    if (wanted.length === 0) return vectors;
    const { rows } = await sql<{ n: string; v: Buffer }>`
      SELECT n, tsvectorsend(paper_search_vector(t, a, b)) AS v
      FROM unnest(${sql.join([
        pgArray(
          'text',
          wanted.map((r) => r.text.title),
        ),
        pgArray(
          'text',
          wanted.map((r) => r.text.authors_text),
        ),
        pgArray(
          'text',
          wanted.map((r) => r.text.abstract),
        ),
      ])}) WITH ORDINALITY AS u(t, a, b, n)`.execute(db);
    for (const row of rows) {
      const record = wanted[Number(row.n) - 1]!;
      vectors.set(record.id, { text: record.text, vector: row.v });
    }
  } catch {
    vectors.clear();
  }
  return vectors;
}

/**
 * Moves the entries that writes left in the full-text index's pending list into the index proper, on a connection of
 * its own: after each bulk batch, so that the merge runs beside the next batch instead of inside one (the writes
 * themselves allow the list more room, GIN_PENDING_KB, only to make room for this). Without the privilege (not the
 * index's owner) or on any failure the writes merge as they did, when the list is full.
 */
export async function mergePendingIndex(db: Kysely<Database>): Promise<void> {
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`SELECT set_config('maintenance_work_mem', ${String(MERGE_MEMORY_KB)}, true)`.execute(trx);
      await sql`SELECT gin_clean_pending_list('papers_search'::regclass)`.execute(trx);
    })
    .catch(() => undefined);
}

/** The pending list a bulk write may grow to before it merges it itself (PostgreSQL's default is 4 MB). */
export const GIN_PENDING_KB = 65_536;
/** Memory for one merge of the pending list. */
const MERGE_MEMORY_KB = 262_144;
