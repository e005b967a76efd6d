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
    return sql`${sql.val(values)}::${sql.raw(PG_TYPES[c] ?? 'text')}[]`;
  });
  const select = sql<Insertable<Database[T]>>`SELECT * FROM unnest(${sql.join(arrays)})`;
  type Column = Parameters<ReturnType<typeof db.insertInto<T>>['columns']>[0][number];
  const insert = db.insertInto(table).columns(columns as Column[]);
  return [insert.expression(select as unknown as Parameters<typeof insert.expression>[0])];
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
