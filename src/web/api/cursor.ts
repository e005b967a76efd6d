import { z } from 'zod';
import type { Paper } from '../../model/paper.js';
import { feedDay } from '../../store/rows.js';
import type { Store } from '../../store/store.js';
import { ApiError } from './errors.js';

/**
 * Cursor paging over every dated paper, newest feed day first. The cursor names the last paper returned: its feed
 * day `d`, its id `i`, and `n`, how many papers of that day the listing held up to and including it. The next
 * page starts at that day (so papers added on newer days never shift it) and continues right after `i`, found
 * among the rows around position `n` (so papers added to that same day do not repeat or skip a paper either).
 * Papers without any date (no daily, listing or submission day) are not part of this listing.
 */
const Position = z.object({
  d: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  n: z.number().int().min(0),
  i: z.string().min(1),
});
type Position = z.infer<typeof Position>;

/** How far around position `n` the last paper is looked for (papers added to or removed from its day since). */
const SLACK = 50;
const LAST_DAY = '9999-12-31';

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    return Position.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError(
      400,
      'invalid_request',
      'query.cursor: not a cursor this API gave out; start again without one and follow the Link header',
      [{ field: 'query.cursor', message: 'not a cursor this API gave out' }],
    );
  }
}

/** Where the page after `pos` starts in the listing of papers up to day `pos.d`. */
async function resumeAt(store: Store, pos: Position): Promise<number> {
  const windowStart = Math.max(0, pos.n - 1 - SLACK);
  const window = await store.listPapers({ sort: 'date', to: pos.d, offset: windowStart, limit: 2 * SLACK + 1 });
  const at = window.findIndex((r) => r.id === pos.i);
  return at >= 0 ? windowStart + at + 1 : pos.n;
}

export async function pageAfter(
  store: Store,
  cursor: string | undefined,
  limit: number,
): Promise<{ papers: Paper[]; next: string | null }> {
  const pos = cursor === undefined ? undefined : decodeCursor(cursor);
  const offset = pos ? await resumeAt(store, pos) : 0;
  const rows = await store.listPapers({ sort: 'date', to: pos?.d ?? LAST_DAY, offset, limit: limit + 1 });
  const papers = rows.slice(0, limit);
  const last = papers.at(-1);
  if (!last || rows.length <= limit) return { papers, next: null };
  const day = feedDay(last)!;
  const before = pos && day === pos.d ? offset : 0;
  const n = before + papers.filter((r) => feedDay(r) === day).length;
  return { papers, next: encodeCursor({ d: day, n, i: last.id }) };
}
