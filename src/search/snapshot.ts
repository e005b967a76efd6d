import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Bm25Index } from './bm25.js';
import { Lexicon } from './lexicon.js';
import type { MemoryIndex } from './memory-index.js';
import { PaperIndex } from './paper-index.js';

/**
 * The in-memory index saved to a file, with the vectors of the model named in it, so that a start loads it instead of
 * reading, tokenizing and decoding every paper again, then reads only the papers whose modified_at differs from the
 * one indexed (index-store.ts). Layout: "PBIX", the format version (u32 LE), the length of a JSON header (u32 LE),
 * the header (strings and small fields), then the typed arrays it lists, each padded to 8 bytes, then the SHA-256 of
 * all that. A file of another version, or one that does not hold together, is refused: the index is built afresh.
 */
export const SNAPSHOT_VERSION = 2;
const MAGIC = 'PBIX';
const DIGEST_BYTES = 32;

type Part = Int32Array | Float32Array | Float64Array | Uint16Array | Uint8Array;
const TYPES = { i32: Int32Array, f32: Float32Array, f64: Float64Array, u16: Uint16Array, u8: Uint8Array } as const;
type TypeName = keyof typeof TYPES;

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
  parts: { name: string; type: TypeName; length: number }[];
}

export interface Snapshot {
  memory: MemoryIndex;
  /** The model whose vectors the papers hold; undefined when they hold none. */
  vectorModel: string | undefined;
}

/** Saves the index and its vectors, of `vectorModel` (undefined when there are none). */
export async function saveSnapshot(path: string, m: MemoryIndex, vectorModel: string | undefined): Promise<void> {
  const bm25 = m.bm25.state();
  const papers = m.papers.state();
  const lexicon = m.lexicon.state();
  const signatures = new Float64Array(papers.ids.length).fill(Number.NaN);
  papers.ids.forEach((id, s) => {
    const sig = m.signatures.get(id);
    if (sig !== undefined && m.papers.slotOf(id) === s) signatures[s] = sig;
  });
  const parts: [string, TypeName, Part][] = [
    ['offsets', 'i32', bm25.offsets],
    ['docs', 'i32', bm25.docs],
    ['impacts', 'f32', bm25.impacts],
    ['maxImpacts', 'f32', bm25.maxImpacts],
    ['lengths', 'u16', bm25.lengths],
    ['days', 'i32', papers.days],
    ['code', 'u8', papers.code],
    ['alive', 'u8', papers.alive],
    ['catOffsets', 'i32', papers.catOffsets],
    ['catIds', 'i32', papers.catIds],
    ['counts', 'i32', lexicon.counts],
    ['signatures', 'f64', signatures],
    ['vectors', 'f32', vectorModel ? papers.vectors : new Float32Array(0)],
    ['hasVector', 'u8', vectorModel ? papers.hasVector : new Uint8Array(papers.ids.length)],
  ];
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
    parts: parts.map(([name, type, a]) => ({ name, type, length: a.length })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const lead = Buffer.alloc(12);
  lead.write(MAGIC, 0, 'latin1');
  lead.writeUInt32LE(SNAPSHOT_VERSION, 4);
  lead.writeUInt32LE(json.length, 8);
  const chunks: Uint8Array[] = [lead, json, Buffer.alloc(pad(12 + json.length))];
  for (const [, , a] of parts) {
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), Buffer.alloc(pad(a.byteLength)));
  }
  const digest = createHash('sha256');
  for (const c of chunks) digest.update(c);
  chunks.push(digest.digest());
  // Written beside and renamed over: a reader never sees half a file, and a crash leaves the last whole one.
  // The name is random: processes of several machines may share the folder, with the same pids.
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, chunks);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The saved index and how far it reaches; undefined when there is no file; throws when the file is unusable. */
export async function loadSnapshot(path: string): Promise<Snapshot | undefined> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (file.length < 12 || file.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a search index snapshot');
  const version = file.readUInt32LE(4);
  if (version !== SNAPSHOT_VERSION)
    throw new Error(`snapshot format ${version}, this Paperboy reads ${SNAPSHOT_VERSION}`);
  if (file.length < 12 + DIGEST_BYTES) throw new Error('the snapshot is cut short');
  const end = file.length - DIGEST_BYTES;
  const digest = createHash('sha256').update(file.subarray(0, end)).digest();
  if (!digest.equals(file.subarray(end))) throw new Error('the snapshot is damaged (its checksum does not match)');
  const jsonLength = file.readUInt32LE(8);
  if (12 + jsonLength > end) throw new Error('the snapshot is cut short');
  const header = JSON.parse(file.toString('utf8', 12, 12 + jsonLength)) as Header;
  if (!Array.isArray(header.ids) || !Array.isArray(header.modified) || header.modified.length !== header.ids.length)
    throw new Error('the snapshot header does not hold together');
  let at = 12 + jsonLength + pad(12 + jsonLength);
  const arrays = new Map<string, Part>();
  for (const { name, type, length } of header.parts) {
    const Type = TYPES[type];
    if (!Type) throw new Error(`the snapshot has an array of unknown type ${type}`);
    const bytes = length * Type.BYTES_PER_ELEMENT;
    if (at + bytes > end) throw new Error('the snapshot is cut short');
    arrays.set(name, new Type((file.buffer as ArrayBuffer).slice(file.byteOffset + at, file.byteOffset + at + bytes)));
    at += bytes + pad(bytes);
  }
  if (at !== end) throw new Error('the snapshot has bytes past its end');
  const get = <T extends Part>(name: string, type: new (n: number) => T): T => {
    const a = arrays.get(name);
    if (!(a instanceof type)) throw new Error(`the snapshot has no ${name}`);
    return a;
  };
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

const pad = (n: number) => (8 - (n % 8)) % 8;
