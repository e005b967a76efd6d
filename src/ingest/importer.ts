import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { vetRecord } from '../model/record-check.js';
import type { Store, UpsertResult } from '../store/store.js';
import { SourceError } from './errors.js';

export interface ImportCounts extends UpsertResult {
  rejected: number;
}

/** Told about each committed batch; the CLI draws a progress bar or prints progress lines from it. */
export interface ImportProgress {
  update(done: number, counts: ImportCounts): void;
}

export interface ImportOptions {
  /** Where to save progress, so that a killed import resumes after its last committed batch. */
  checkpointKey?: string | undefined;
  /** Stop at the first rejected entry instead of reporting and skipping it. */
  strict?: boolean | undefined;
  batchSize?: number | undefined;
  progress?: ImportProgress | undefined;
  onReject?: ((entry: { position: string; error: string }) => void) | undefined;
  /** Told when an import resumes from a checkpoint. */
  onResume?: ((position: number, counts: ImportCounts) => void) | undefined;
  /** The clock that dates in the future are refused by. */
  clock?: (() => Date) | undefined;
}

/**
 * Papers per transaction (and checkpoint) unless told otherwise. 2,000 rather than 1,000: PostgreSQL spent 8% less CPU
 * on the corpus (fewer statements, larger merges of the full-text index's pending list), SQLite 5% less.
 */
export const IMPORT_BATCH = 2000;

/**
 * Batches read ahead of the one being written. Two: PostgreSQL then computes a batch's full-text vectors (its largest
 * cost) while the batch before it waits, instead of starting on them only once that one is written.
 */
const IMPORT_AHEAD = 2;

export const zeroCounts = (): ImportCounts => ({ new: 0, updated: 0, unchanged: 0, rejected: 0 });

export function formatCounts(c: ImportCounts): string {
  return `imported: ${c.new} new, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`;
}

/**
 * Streams entries into the store in batches, one transaction each. With a checkpoint key, the position and the
 * running counts are committed with every batch; a run that finds a checkpoint skips the entries already
 * committed and carries their counts forward, and a finished import removes its checkpoint.
 */
export async function importEntries(
  store: Store,
  entries: AsyncIterable<ParsedEntry> | Iterable<ParsedEntry>,
  options: ImportOptions = {},
): Promise<ImportCounts> {
  const batchSize = options.batchSize ?? IMPORT_BATCH;
  const key = options.checkpointKey;
  const saved = key ? await store.getCheckpoint(key) : undefined;
  const counts = saved ? { ...saved.counts } : zeroCounts();
  const skip = saved?.position ?? 0;
  if (saved) options.onResume?.(skip, { ...counts });

  let position = 0;
  let batch: PaperRecord[] = [];
  let rejectedInBatch = 0;
  const write = async (records: PaperRecord[], rejected: number, at: number) => {
    const before = { ...counts, rejected: counts.rejected + rejected };
    const result = await store.upsertPapers(records, key ? { key, position: at, counts: before } : undefined);
    counts.new += result.new;
    counts.updated += result.updated;
    counts.unchanged += result.unchanged;
    counts.rejected += rejected;
    options.progress?.update(at, { ...counts });
  };
  // The next batches are read and checked while the one before is written (the database works while this process
  // parses, and computes a batch's full-text vectors before its turn comes): IMPORT_AHEAD batches wait at most, and
  // they are written in order, one at a time, so each checkpoint still follows the one before.
  let writing: Promise<void> = Promise.resolve();
  const queued: Promise<void>[] = [];
  const flush = async () => {
    const records = batch;
    const rejected = rejectedInBatch;
    const at = position;
    batch = [];
    rejectedInBatch = 0;
    store.prepareUpsert(records);
    writing = writing.then(() => write(records, rejected, at));
    // Awaited below or at the end; marked handled so that a failure waits for that instead of ending the process.
    writing.catch(() => {});
    queued.push(writing);
    if (queued.length > IMPORT_AHEAD) await queued.shift();
  };
  const drain = async () => {
    await flush();
    await writing;
  };

  try {
    for await (const parsed of entries) {
      position++;
      if (position <= skip) continue;
      const entry = vet(parsed, (options.clock ?? (() => new Date()))());
      if (!entry.ok) {
        if (options.strict) {
          position--; // not consumed: a later run without --strict resumes at this entry and reports it
          throw new SourceError('parse', `${entry.error} (stopped: --strict)`);
        }
        options.onReject?.(entry);
        rejectedInBatch++;
        continue;
      }
      batch.push(entry.record);
      if (batch.length >= batchSize) await flush();
    }
  } catch (error) {
    // What was read before a damaged part of the input is complete: keep it, then say what went wrong.
    await drain();
    if (!(error instanceof SourceError)) throw error;
    throw new SourceError(error.code, `${error.message}\nBefore it: ${formatCounts(counts)}.`, { cause: error });
  }
  await drain();
  if (key) await store.clearCheckpoint(key);
  return counts;
}

/** Every parser's record passes here: cleaned, or rejected at its position like an entry its parser refused. */
function vet(entry: ParsedEntry, now: Date): ParsedEntry {
  if (!entry.ok) return entry;
  const vetted = vetRecord(entry.record, now);
  return 'record' in vetted
    ? { ...entry, record: vetted.record }
    : { ok: false, error: `${entry.position}: ${vetted.error}`, position: entry.position };
}
