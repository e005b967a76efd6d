import { readArraysFile, writeArraysFile } from './arrays-file.js';
import { Bm25Index } from './bm25.js';
import { Lexicon } from './lexicon.js';
import type { MemoryIndex } from './memory-index.js';
import { PaperIndex } from './paper-index.js';

/**
 * The in-memory index saved to a file (arrays-file.ts), with the vectors of the model named in it, so that a start
 * loads it instead of reading, tokenizing and decoding every paper again, then reads only the papers whose
 * modified_at differs from the one indexed (index-store.ts). A file that cannot be used is refused: the index is
 * built afresh.
 */
export const SNAPSHOT_VERSION = 2;
const KIND = { magic: 'PBIX', version: SNAPSHOT_VERSION, name: 'search index snapshot' };

interface Header {
  /** Each paper's modified_at as indexed, by slot ('' for none): what the state reflects. */
  modified: string[];
  terms: string[];
  totals: number[];
  documents: number;
  ordered: boolean;
  ids: string[];
  categories: string[];
  words: string[];
  titles: [string, string[]][];
  /** The model of the vectors saved ('' when none); the dimension of each. */
  vectorModel: string;
  dimensions: number;
}

/** Where the index's snapshot file lives, and whether this process writes it (one per data folder does). */
export interface SnapshotFile {
  path: string;
  save: boolean;
}

export interface Snapshot {
  memory: MemoryIndex;
  /** The model whose vectors the papers hold; undefined when they hold none. */
  vectorModel: string | undefined;
}

/**
 * Saves the index and its vectors, of `vectorModel` (undefined when there are none); the papers in `staleVectors` are
 * saved without theirs (their text changed and their vector is the old text's: a start reads theirs from the store).
 */
export async function saveSnapshot(
  path: string,
  m: MemoryIndex,
  vectorModel: string | undefined,
  opts: { staleVectors?: ReadonlySet<string> } = {},
): Promise<void> {
  const bm25 = m.bm25.state();
  const papers = m.papers.state();
  for (const id of opts.staleVectors ?? []) {
    const s = m.papers.slotOf(id);
    if (s !== undefined) papers.hasVector[s] = 0;
  }
  const lexicon = m.lexicon.state();
  const signatures = new Float64Array(papers.ids.length).fill(Number.NaN);
  papers.ids.forEach((id, s) => {
    const sig = m.signatures.get(id);
    if (sig !== undefined && m.papers.slotOf(id) === s) signatures[s] = sig;
  });
  const header: Header = {
    modified: papers.ids.map((id, s) => (m.papers.slotOf(id) === s ? (m.modified.get(id) ?? '') : '')),
    terms: bm25.terms,
    totals: bm25.totals,
    documents: bm25.documents,
    ordered: bm25.ordered,
    ids: papers.ids,
    categories: papers.categories,
    words: lexicon.words,
    titles: [...m.titles],
    vectorModel: vectorModel ?? '',
    dimensions: vectorModel ? papers.dimensions : 0,
  };
  await writeArraysFile(path, KIND, header, {
    offsets: bm25.offsets,
    docs: bm25.docs,
    impacts: bm25.impacts,
    maxImpacts: bm25.maxImpacts,
    lengths: bm25.lengths,
    days: papers.days,
    code: papers.code,
    alive: papers.alive,
    catOffsets: papers.catOffsets,
    catIds: papers.catIds,
    counts: lexicon.counts,
    signatures,
    vectors: vectorModel ? papers.vectors : new Float32Array(0),
    hasVector: vectorModel ? papers.hasVector : new Uint8Array(papers.ids.length),
  });
}

/** The saved index and how far it reaches; undefined when there is no file; throws when the file is unusable. */
export async function loadSnapshot(path: string): Promise<Snapshot | undefined> {
  const read = await readArraysFile<Header>(path, KIND);
  if (!read) return undefined;
  const { header, arrays: get } = read;
  if (!Array.isArray(header.ids) || !Array.isArray(header.modified) || header.modified.length !== header.ids.length)
    throw new Error('the snapshot header does not hold together');
  const bm25 = Bm25Index.fromState({
    terms: header.terms,
    offsets: get('offsets', Int32Array),
    docs: get('docs', Int32Array),
    impacts: get('impacts', Float32Array),
    maxImpacts: get('maxImpacts', Float32Array),
    lengths: get('lengths', Uint16Array),
    totals: header.totals,
    documents: header.documents,
    ordered: header.ordered,
  });
  const papers = PaperIndex.fromState({
    ids: header.ids,
    days: get('days', Int32Array),
    code: get('code', Uint8Array),
    alive: get('alive', Uint8Array),
    catOffsets: get('catOffsets', Int32Array),
    catIds: get('catIds', Int32Array),
    categories: header.categories,
    dimensions: header.dimensions,
    vectors: get('vectors', Float32Array),
    hasVector: get('hasVector', Uint8Array),
  });
  const lexicon = Lexicon.fromState({ words: header.words, counts: get('counts', Int32Array) });
  const signatures = new Map<string, number>();
  const sigs = get('signatures', Float64Array);
  header.ids.forEach((id, s) => {
    if (!Number.isNaN(sigs[s]!)) signatures.set(id, sigs[s]!);
  });
  const modified = new Map<string, string>();
  header.ids.forEach((id, s) => {
    if (header.modified[s]) modified.set(id, header.modified[s]);
  });
  return {
    memory: { papers, lexicon, bm25, titles: new Map(header.titles), signatures, modified },
    vectorModel: header.vectorModel || undefined,
  };
}
