import {
  type Expression,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type SqlBool,
  sql,
} from 'kysely';
import type { Database, Db } from './schema.js';

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const CHUNK = 500;

export type Engine = 'sqlite' | 'postgres';

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The PostgreSQL type of each non-text column the bulk writes fill (by name: the same name has one type everywhere). */
const PG_TYPES: Record<string, string> = {
  version: 'integer',
  position: 'integer',
  is_primary: 'integer',
  has_code: 'integer',
  upvotes: 'integer',
  num_comments: 'integer',
  github_stars: 'integer',
  trending: 'double precision',
  search: 'tsvector',
};

/**
 * Inserts for many rows, to be given their ON CONFLICT clause and executed in order. SQLite takes multi-row VALUES in
 * chunks; PostgreSQL takes one statement per table whatever the count, each column passed as one array parameter
 * and spread by unnest(): a 1,000-paper batch is then a handful of statements with a few dozen parameters, instead of
 * dozens of statements of thousands of parameters that PostgreSQL parses and plans one by one (bench/ingest.ts).
 */
export function insertRows<T extends keyof Database & string>(
  db: Db,
  engine: Engine,
  table: T,
  rows: Insertable<Database[T]>[],
): InsertQueryBuilder<Database, T, InsertResult>[] {
  if (rows.length === 0) return [];
  if (engine === 'sqlite') return chunks(rows).map((part) => db.insertInto(table).values(part));
  const columns = Object.keys(rows[0]!);
  const arrays = columns.map((c) => {
    const values = rows.map((r) => (r as Record<string, unknown>)[c] ?? null);
    const type = PG_TYPES[c] ?? 'text';
    if (type === 'tsvector') return sql`${sql.val(binaryArray(TSVECTOR_OID, values as (Buffer | null)[]))}::tsvector[]`;
    return sql`${sql.val(values)}::${sql.raw(type)}[]`;
  });
  const select = sql<Insertable<Database[T]>>`SELECT * FROM unnest(${sql.join(arrays)})`;
  type Column = Parameters<ReturnType<typeof db.insertInto<T>>['columns']>[0][number];
  const insert = db.insertInto(table).columns(columns as Column[]);
  return [insert.expression(select as unknown as Parameters<typeof insert.expression>[0])];
}

/** The type oid of tsvector, fixed since PostgreSQL 8.3. */
const TSVECTOR_OID = 3614;

/**
 * A one-dimensional array in PostgreSQL's binary format (array_recv) of elements already in their binary form, as
 * node-postgres sends a Buffer parameter: a tsvector read with tsvectorsend() goes back in without the text form's
 * parsing and sorting (tsvectorin), which took a quarter of a bulk insert's time.
 */
export function binaryArray(elementOid: number, items: (Buffer | null)[]): Buffer {
  let size = 20;
  for (const item of items) size += 4 + (item?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(items.includes(null) ? 1 : 0, 4); // has nulls
  out.writeUInt32BE(elementOid, 8);
  out.writeInt32BE(items.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const item of items) {
    out.writeInt32BE(item ? item.length : -1, at);
    at += 4;
    if (item) at += item.copy(out, at);
  }
  return out;
}

/** `column IN (ids)`, for a list of any length: one array parameter on PostgreSQL, chunked by the caller on SQLite. */
export function idGroups(engine: Engine, ids: string[]): string[][] {
  if (ids.length === 0) return [];
  return engine === 'postgres' ? [ids] : chunks(ids);
}

/** The condition that `column` is one of `ids` (a group from idGroups). */
export function isAnyOf(engine: Engine, column: string, ids: string[]): Expression<SqlBool> {
  return engine === 'postgres'
    ? sql<SqlBool>`${sql.ref(column)} = ANY(${sql.val(ids)}::text[])`
    : sql<SqlBool>`${sql.ref(column)} IN (${sql.join(ids)})`;
}
