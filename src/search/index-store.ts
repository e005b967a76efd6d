import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import { titleKey } from '../model/record.js';
import type { Db } from '../store/schema.js';
import { Bm25Index } from './bm25.js';
import type { Embedder } from './embedder.js';
import { Lexicon } from './lexicon.js';
import type { MemoryIndex } from './memory-index.js';
import { PaperIndex, type PaperMeta } from './paper-index.js';
import { loadSnapshot, type SnapshotFile, saveSnapshot } from './snapshot.js';

export type { MemoryIndex } from './memory-index.js';

/** Rows read or written per statement when loading or saving the index. */
const PAGE = 5000;
/** Papers indexed between two turns of the event loop at start (about 50 ms of work on a busy 2-core machine). */
const BUILD_SLICE = 250;
const WRITE_CHUNK = 500;

/** Vectors are stored as float32 little-endian (the byte order of every machine Node runs on). */
export function encodeVector(v: Float32Array): Uint8Array {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function decodeVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export interface MetaRow {
  id: string;
  feed_day: string | null;
  has_code: number;
  categories: string;
  title: string;
  authors_text: string;
  abstract?: string;
  modified_at?: string;
}

export function metaFromRow(r: MetaRow): PaperMeta {
  return { id: r.id, feedDay: r.feed_day, hasCode: r.has_code === 1, categories: JSON.parse(r.categories) as string[] };
}

/** FNV-1a of title, authors and abstract, with their length: equal for the same text, almost never otherwise. */
export function textSignature(r: Pick<MetaRow, 'title' | 'authors_text' | 'abstract'>): number {
  const text = `${r.title}\u0000${r.authors_text}\u0000${r.abstract ?? ''}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) + (text.length % 2 ** 20) * 2 ** 32;
}

function addTitle(m: MemoryIndex, r: MetaRow): void {
  const key = titleKey(r.title);
  const list = m.titles.get(key);
  if (!list) m.titles.set(key, [r.id]);
  else if (!list.includes(r.id)) list.push(r.id);
}

const fieldsOf = (r: MetaRow) => ({ title: r.title, authors: r.authors_text, abstract: r.abstract ?? '' });

/**
 * A paper added or changed after the start. When its text changed, it moves to a new slot so that its old postings
 * stop counting; when only its other fields did (a vote, a curator's change), they are updated in place. Returns
 * whether its text is new to the index (and so needs embedding).
 */
export function addToMemory(m: MemoryIndex, r: MetaRow): boolean {
  if (r.modified_at) m.modified.set(r.id, r.modified_at);
  const signature = textSignature(r);
  if (m.papers.has(r.id) && m.signatures.get(r.id) === signature) {
    m.papers.upsert(metaFromRow(r));
    return false;
  }
  const old = m.papers.slotOf(r.id);
  if (old !== undefined && m.papers.has(r.id)) m.bm25.remove(old);
  const slot = m.papers.upsert(metaFromRow(r), true);
  m.lexicon.add(r.title);
  m.lexicon.add(r.authors_text);
  m.bm25.add(slot, fieldsOf(r));
  addTitle(m, r);
  m.signatures.set(r.id, signature);
  return true;
}

export function removeFromMemory(m: MemoryIndex, id: string): void {
  const slot = m.papers.slotOf(id);
  if (slot === undefined || !m.papers.has(id)) return;
  m.bm25.remove(slot);
  m.papers.remove(id);
  m.signatures.delete(id);
  m.modified.delete(id);
}

/**
 * Reads papers (and, with `withAbstract`, their abstracts) page by page in id order. Papers a curator hid are not
 * read: they leave the index when hidden (the change names them, and they are not found) and come back when unhidden.
 */
export async function* readPapers(db: Db, withAbstract: boolean, ids?: string[]): AsyncGenerator<MetaRow[]> {
  const columns = ['id', 'feed_day', 'has_code', 'categories', 'title', 'authors_text', 'modified_at'] as const;
  if (ids) {
    for (let i = 0; i < ids.length; i += WRITE_CHUNK) {
      const part = ids.slice(i, i + WRITE_CHUNK);
      const q = db.selectFrom('papers').select(columns).where('id', 'in', part).where('hidden_at', 'is', null);
      yield withAbstract ? await q.select('abstract').execute() : await q.execute();
    }
    return;
  }
  let after = '';
  for (;;) {
    const q = db
      .selectFrom('papers')
      .select(columns)
      .where('id', '>', after)
      .where('hidden_at', 'is', null)
      .orderBy('id')
      .limit(PAGE);
    const rows: MetaRow[] = withAbstract ? await q.select('abstract').execute() : await q.execute();
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
  }
}

/** The search model of this embedder kind last fitted, if any. */
export async function loadModel(
  db: Db,
  kind: string,
): Promise<{ model: string; data: Uint8Array; documents: number } | undefined> {
  const row = await db.selectFrom('search_models').selectAll().where('name', '=', kind).executeTakeFirst();
  return row ? { model: `${kind}@${row.fitted_at}`, data: row.data, documents: row.documents } : undefined;
}

export async function saveModel(
  db: Db,
  kind: string,
  fittedAt: string,
  documents: number,
  data: Uint8Array,
): Promise<void> {
  const row = { name: kind, fitted_at: fittedAt, documents, data };
  await db
    .insertInto('search_models')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ fitted_at: fittedAt, documents, data }))
    .execute();
}

/**
 * Loads the stored vectors of `model` into the index (with `ids`, only those papers'); vectors of other models are
 * ignored. Returns how many were loaded.
 */
export async function loadVectors(db: Db, model: string, index: PaperIndex, ids?: string[]): Promise<number> {
  let n = 0;
  const take = (rows: { paper_id: string; vector: Uint8Array }[]) => {
    for (const r of rows) {
      const v = decodeVector(r.vector);
      if (index.dimensions === 0) index.resetVectors(v.length);
      index.setVector(r.paper_id, v);
      n++;
    }
  };
  if (ids) {
    for (let i = 0; i < ids.length; i += WRITE_CHUNK) {
      take(
        await db
          .selectFrom('paper_vectors')
          .select(['paper_id', 'vector'])
          .where('model', '=', model)
          .where('paper_id', 'in', ids.slice(i, i + WRITE_CHUNK))
          .execute(),
      );
    }
    return n;
  }
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('paper_vectors')
      .select(['paper_id', 'vector'])
      .where('model', '=', model)
      .where('paper_id', '>', after)
      .orderBy('paper_id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return n;
    take(rows);
    after = rows[rows.length - 1]!.paper_id;
    await setImmediate();
  }
}

/**
 * Saves vectors of `model` beside those of other models (a switch of embedders under way: reembed.ts); with
 * `replaceAll`, in one transaction that first drops every vector of other models.
 */
export async function saveVectors(
  db: Db,
  model: string,
  entries: [string, Float32Array][],
  replaceAll = false,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (replaceAll) await trx.deleteFrom('paper_vectors').where('model', '!=', model).execute();
    for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
      const values = entries
        .slice(i, i + WRITE_CHUNK)
        .map(([paper_id, v]) => ({ paper_id, model, vector: encodeVector(v) }));
      // A paper removed since it was read would fail the foreign key: insert only the papers still there.
      const ids = values.map((v) => v.paper_id);
      const present = new Set(
        (await trx.selectFrom('papers').select('id').where('id', 'in', ids).execute()).map((r) => r.id),
      );
      const kept = values.filter((v) => present.has(v.paper_id));
      if (kept.length === 0) continue;
      await trx
        .insertInto('paper_vectors')
        .values(kept)
        .onConflict((oc) => oc.columns(['paper_id', 'model']).doUpdateSet({ vector: sql.ref('excluded.vector') }))
        .execute();
    }
  });
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * The in-memory index with the vectors of the embedder's model: from the snapshot file when there is a usable one
 * (then the papers changed, added, hidden or deleted since are applied, and the vectors of those and of the papers it
 * had none for are read), else built from every paper; either way saved to the snapshot file for the next start.
 */
export async function newMemoryIndex(
  db: Db,
  embedder: Embedder,
  opts: { snapshot?: SnapshotFile | undefined; log?: Log | undefined } = {},
): Promise<MemoryIndex> {
  const log = opts.log ?? (() => {});
  const restored = opts.snapshot ? await fromSnapshot(db, opts.snapshot.path, log) : undefined;
  const m = restored?.memory ?? (await buildMemoryIndex(db));
  m.lexicon.prepare();
  const model = embedder.model();
  let vectorsRead = 0;
  if (model && restored?.vectorModel === model) {
    const ids = new Set([...restored.changed, ...m.papers.missingVectors()]);
    vectorsRead = await loadVectors(db, model, m.papers, [...ids]);
    log('info', `search: vectors of ${model} from the snapshot; ${vectorsRead} read again from the store`);
  } else {
    if (restored?.vectorModel) m.papers.resetVectors(0);
    if (model) vectorsRead = await loadVectors(db, model, m.papers);
  }
  const stale = !restored || restored.changed.length > 0 || restored.vectorModel !== model || vectorsRead > 0;
  if (opts.snapshot?.save && stale) saveSnapshotInBackground(opts.snapshot.path, m, model, log);
  return m;
}

/** Saves the index for the next start, without waiting; a failure is logged, and the next start builds it again. */
export function saveSnapshotInBackground(path: string, m: MemoryIndex, model: string | undefined, log: Log): void {
  saveSnapshot(path, m, model).catch((error: unknown) =>
    log('warn', `search: could not save the index snapshot ${path}: ${String(error)}; the next start builds it again`),
  );
}

async function fromSnapshot(
  db: Db,
  path: string,
  log: Log,
): Promise<{ memory: MemoryIndex; vectorModel: string | undefined; changed: string[] } | undefined> {
  let loaded: Awaited<ReturnType<typeof loadSnapshot>>;
  try {
    loaded = await loadSnapshot(path);
  } catch (error) {
    log('warn', `search: the index snapshot ${path} cannot be used (${String(error)}): building the index afresh`);
    return undefined;
  }
  if (!loaded) return undefined;
  const m = loaded.memory;
  const visible = new Set<string>();
  const changed: string[] = [];
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('papers')
      .select(['id', 'modified_at'])
      .where('id', '>', after)
      .where('hidden_at', 'is', null)
      .orderBy('id')
      .limit(PAGE * 4)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      visible.add(r.id);
      if (!m.papers.has(r.id) || m.modified.get(r.id) !== r.modified_at) changed.push(r.id);
    }
    after = rows[rows.length - 1]!.id;
  }
  const gone = [...m.signatures.keys()].filter((id) => !visible.has(id));
  for (const id of gone) removeFromMemory(m, id);
  for await (const rows of readPapers(db, true, changed)) {
    for (const r of rows) addToMemory(m, r);
    await setImmediate();
  }
  log('info', `search: index loaded from ${path}; ${changed.length} papers read again, ${gone.length} gone since`);
  return { memory: m, vectorModel: loaded.vectorModel, changed: [...changed, ...gone] };
}

async function buildMemoryIndex(db: Db): Promise<MemoryIndex> {
  const m: MemoryIndex = {
    papers: new PaperIndex(),
    lexicon: new Lexicon(),
    bm25: new Bm25Index(),
    titles: new Map(),
    signatures: new Map(),
    modified: new Map(),
  };
  // Built while a server already answers (src/cli/serve.ts): a slice of papers at a time, letting requests in between.
  const bm25 = m.bm25.builder();
  for await (const rows of readPapers(db, true)) {
    for (let i = 0; i < rows.length; i += BUILD_SLICE) {
      const texts: { slot: number; fields: ReturnType<typeof fieldsOf> }[] = [];
      for (const r of rows.slice(i, i + BUILD_SLICE)) {
        texts.push({ slot: m.papers.upsert(metaFromRow(r)), fields: fieldsOf(r) });
        m.lexicon.add(r.title);
        m.lexicon.add(r.authors_text);
        addTitle(m, r);
        m.signatures.set(r.id, textSignature(r));
        if (r.modified_at) m.modified.set(r.id, r.modified_at);
      }
      bm25.add(texts);
      await setImmediate();
    }
  }
  bm25.finish();
  return m;
}
