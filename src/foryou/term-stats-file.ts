import { readArraysFile, writeArraysFile } from '../search/arrays-file.js';
import { TermStats } from './term-stats.js';

/**
 * For you's term counts saved to a file, so that a start reads and counts only the papers added since, not every
 * paper (seconds of a core on a large store, in every process).
 */
const KIND = { magic: 'PBFY', version: 1, name: 'For you term counts file' };
/** Its name in the data folder. */
export const TERMS_FILE = 'for-you-terms.snapshot';

export async function saveTermStats(path: string, stats: TermStats): Promise<void> {
  const { df, ids } = stats.state();
  await writeArraysFile(path, KIND, { ids }, { df });
}

/** The saved counts; undefined when there is no file; throws, saying why, when it cannot be used. */
export async function loadTermStats(path: string): Promise<TermStats | undefined> {
  const read = await readArraysFile<{ ids: string[] }>(path, KIND);
  if (!read) return undefined;
  if (!Array.isArray(read.header.ids)) throw new Error('the For you term counts file does not hold together');
  return new TermStats({ df: read.arrays('df', Uint32Array), ids: read.header.ids });
}
