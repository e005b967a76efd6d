import { DAY_MS } from './dates.js';
import type { PaperRecord } from './record.js';
import { cleanRecord } from './text.js';

/** arXiv's first listings: no paper it knows is older. */
export const EARLIEST_DAY = '1991-08-01';
/** How far ahead of this machine's clock a source's clock may run. */
export const CLOCK_SKEW_MS = DAY_MS;

const DATES = {
  listedOn: 'listing day',
  dailyOn: 'daily day',
  submittedAt: 'submission date',
  updatedAt: 'update date',
} as const;

/**
 * A record as it may enter the store: its text cleaned (src/model/text.ts), or the reason it may not. A date in the
 * future would hold the front page, which shows the newest day, for as long as it stays; one before arXiv began is
 * just as surely a mistake.
 */
export function vetRecord(input: PaperRecord, now: Date): { record: PaperRecord } | { error: string } {
  const record = cleanRecord(input);
  if (!record.title.trim()) return { error: 'the title is empty once control characters are removed' };
  const latest = now.getTime() + CLOCK_SKEW_MS;
  for (const [field, name] of Object.entries(DATES) as [keyof typeof DATES, string][]) {
    const value = record[field];
    if (value === undefined) continue;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return { error: `the ${name} "${value}" is not a date: fix it in the source` };
    if (at > latest)
      return { error: `the ${name} ${value} is in the future: fix it in the source, or the machine's clock` };
    if (value.slice(0, 10) < EARLIEST_DAY)
      return { error: `the ${name} ${value} is before arXiv began (${EARLIEST_DAY}): fix it in the source` };
  }
  return { record };
}
