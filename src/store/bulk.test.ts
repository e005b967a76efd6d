import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStore, type TestStore } from '../../test/stores.js';
import { pgArray } from './bulk.js';

// PostgreSQL only: SQLite takes multi-row VALUES.
describe('array parameters in PostgreSQL binary format', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore('postgres');
  });
  afterAll(async () => {
    await t.dispose();
  });
  const unnest = async (array: ReturnType<typeof pgArray>) =>
    (
      await sql<{ x: unknown }>`SELECT x FROM unnest(${array}) WITH ORDINALITY AS u(x, n) ORDER BY n`.execute(t.db)
    ).rows.map((r) => r.x);

  it('arrive as sent: nulls, quotes, braces, backslashes, accents, a lone surrogate as U+FFFD, none at all', async () => {
    expect(await unnest(pgArray('text', ['a', null, 'é"\\{},', '\uD800x', undefined, '']))).toEqual([
      'a',
      null,
      'é"\\{},',
      '\uFFFDx',
      null,
      '',
    ]);
    expect(await unnest(pgArray('integer', [1, null, -5, 2_147_483_647]))).toEqual([1, null, -5, 2_147_483_647]);
    expect(await unnest(pgArray('double precision', [1.5, -0.25]))).toEqual([1.5, -0.25]);
    expect(await unnest(pgArray('text', []))).toEqual([]);
  });

  it('refuse what the column could not hold', async () => {
    expect(() => pgArray('integer', [1.5])).toThrow(/Not an integer/);
    await expect(unnest(pgArray('text', ['a\u0000b']))).rejects.toThrow(/0x00/);
  });
});
