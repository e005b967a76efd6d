import {
  type Expression,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type RawBuilder,
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
const PG_TYPES: Record<string, PgType> = {
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
 * (pgArray) and spread by unnest(): a 1,000-paper batch is then a handful of statements with a few dozen parameters,
 * instead of dozens of statements of thousands of parameters that PostgreSQL parses and plans one by one
 * (bench/ingest.ts).
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
  const arrays = columns.map((c) =>
    pgArray(
      PG_TYPES[c] ?? 'text',
      rows.map((r) => (r as Record<string, unknown>)[c]),
    ),
  );
  const select = sql<Insertable<Database[T]>>`SELECT * FROM unnest(${sql.join(arrays)})`;
  type Column = Parameters<ReturnType<typeof db.insertInto<T>>['columns']>[0][number];
  const insert = db.insertInto(table).columns(columns as Column[]);
  return [insert.expression(select as unknown as Parameters<typeof insert.expression>[0])];
}

export type PgType = keyof typeof BINARY;

/** Each element type's oid and binary form (its typsend), for pgArray. */
const BINARY = {
  text: {
    oid: 25,
    size: (v: unknown) => Buffer.byteLength(String(v)),
    write: (out: Buffer, v: unknown, at: number) => out.write(String(v), at),
  },
  integer: {
    oid: 23,
    size: () => 4,
    write: (out: Buffer, v: unknown, at: number) => out.writeInt32BE(integer(v), at) - at,
  },
  'double precision': {
    oid: 701,
    size: () => 8,
    write: (out: Buffer, v: unknown, at: number) => out.writeDoubleBE(Number(v), at) - at,
  },
  /** Read with tsvectorsend() (src/store/search-vectors.ts). */
  tsvector: {
    oid: 3614,
    size: (v: unknown) => (v as Buffer).length,
    write: (out: Buffer, v: unknown, at: number) => (v as Buffer).copy(out, at),
  },
};

function integer(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TypeError(`Not an integer for an integer column: ${String(v)}`);
  return n;
}

/**
 * A PostgreSQL array parameter (`$n::type[]`; undefined is NULL), sent in the binary format (array_recv), which
 * node-postgres uses for a Buffer: PostgreSQL then neither scans the text for quotes and escapes (array_in) nor parses
 * each element (a tsvector's text form is parsed and sorted again by tsvectorin: a quarter of a bulk insert's time).
 */
export function pgArray(type: PgType, values: unknown[]): RawBuilder<unknown> {
  const { oid, size, write } = BINARY[type];
  let length = 20;
  let nulls = 0;
  for (const v of values) {
    length += 4;
    if (v === null || v === undefined) nulls++;
    else length += size(v);
  }
  const out = Buffer.allocUnsafe(length);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(nulls ? 1 : 0, 4);
  out.writeUInt32BE(oid, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const v of values) {
    if (v === null || v === undefined) {
      out.writeInt32BE(-1, at);
      at += 4;
    } else {
      const n = write(out, v, at + 4);
      out.writeInt32BE(n, at);
      at += 4 + n;
    }
  }
  return sql`${sql.val(out)}::${sql.raw(type)}[]`;
}

/** `column IN (ids)`, for a list of any length: one array parameter on PostgreSQL, chunked by the caller on SQLite. */
export function idGroups(engine: Engine, ids: string[]): string[][] {
  if (ids.length === 0) return [];
  return engine === 'postgres' ? [ids] : chunks(ids);
}

/** The condition that `column` is one of `ids` (a group from idGroups). */
export function isAnyOf(engine: Engine, column: string, ids: string[]): Expression<SqlBool> {
  return engine === 'postgres'
    ? sql<SqlBool>`${sql.ref(column)} = ANY(${pgArray('text', ids)})`
    : sql<SqlBool>`${sql.ref(column)} IN (${sql.join(ids)})`;
}
