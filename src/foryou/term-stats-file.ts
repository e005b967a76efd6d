import { readArraysFile, writeArraysFile } from '../search/arrays-file.js';
import { TERM_BITS } from './paper-terms.js';
import { TermStats } from './term-stats.js';

/**
 * For you's term counts saved to a file, so that a start reads and counts only the papers added since, not every
 * paper (seconds of a core on a large store, in every process). Counts only grow (a paper hidden, deleted or revised
 * since keeps its first count): a file whose counting began more than RECOUNT_DAYS ago is not used, and every paper
 * is counted afresh.
 */
export const RECOUNT_DAYS = 7;
const KIND = { magic: 'PBFY', version: 1, name: 'For you term counts file' };
/** Its name in the data folder. */
export const TERMS_FILE = 'for-you-terms.snapshot';

interface Header {
  ids: string[];
  /** When the counting began (ISO 8601): the first paper counted of these. */
  countedSince: string;
  /** The bits of a term's hash (paper-terms.ts): counts of another hashing are not these. */
  termBits: number;
}

export async function saveTermStats(path: string, stats: TermStats, countedSince: string): Promise<void> {
  const { df, ids } = stats.state();
  await writeArraysFile(path, KIND, { ids, countedSince, termBits: TERM_BITS } satisfies Header, { df });
}

/**
 * The saved counts and when their counting began; undefined when there is no file or it is older than RECOUNT_DAYS;
 * throws, saying why, when it cannot be used.
 */
export async function loadTermStats(
  path: string,
  now = new Date(),
): Promise<{ stats: TermStats; countedSince: string } | undefined> {
  const read = await readArraysFile<Header>(path, KIND);
  if (!read) return undefined;
  const { ids, countedSince, termBits } = read.header;
  if (!Array.isArray(ids) || typeof countedSince !== 'string' || Number.isNaN(Date.parse(countedSince)))
    throw new Error('the For you term counts file does not hold together');
  if (termBits !== TERM_BITS)
    throw new Error(`its terms are hashed to ${termBits} bits, this Paperboy's to ${TERM_BITS}`);
  if (now.getTime() - Date.parse(countedSince) > RECOUNT_DAYS * 86_400_000) return undefined;
  return { stats: new TermStats({ df: read.arrays('df', Uint32Array), ids }), countedSince };
}
