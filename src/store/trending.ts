import type { Kysely, Transaction } from 'kysely';
import { paperFromRow, paperTrending } from './rows.js';
import { type Database, PAPER_COLUMNS } from './schema.js';

const BATCH = 1000;

/**
 * Stores every paper's trending score again from its counters. Votes and comments update the score as they
 * arrive; this catches what they cannot: a change of the formula's constants after an upgrade, and counters
 * changed outside this process. Walks the papers in id order, a batch per transaction, and writes only the
 * scores that differ. Returns how many papers it read and the ids whose scores changed.
 */
/** Run through `Store.recomputeTrending`, which tells the listeners. */
export async function recomputeTrending(
  db: Kysely<Database>,
  record: (trx: Transaction<Database>, ids: string[]) => Promise<void>,
): Promise<{ papers: number; ids: string[] }> {
  let after = '';
  let papers = 0;
  const ids: string[] = [];
  for (;;) {
    const rows = await db
      .selectFrom('papers')
      .select(PAPER_COLUMNS)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    papers += rows.length;
    const stale = rows
      .map((row) => ({ id: row.id, stored: row.trending, score: paperTrending(paperFromRow(row)) }))
      .filter((r) => Math.abs(r.score - r.stored) > 1e-9);
    if (stale.length === 0) continue;
    await db.transaction().execute(async (trx) => {
      for (const r of stale)
        await trx.updateTable('papers').set({ trending: r.score }).where('id', '=', r.id).execute();
      await record(
        trx,
        stale.map((r) => r.id),
      );
    });
    ids.push(...stale.map((r) => r.id));
  }
  return { papers, ids };
}
