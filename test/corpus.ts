import { readJsonlDump } from '../src/ingest/jsonl-dump.js';
import type { PaperRecord } from '../src/model/record.js';

export const CORPUS = new URL('../../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz', import.meta.url)
  .pathname;

/** The first `n` papers of the real corpus, read at test time. */
export async function corpusSlice(n: number): Promise<PaperRecord[]> {
  const out: PaperRecord[] = [];
  for await (const e of readJsonlDump(CORPUS)) {
    if (out.length >= n) break;
    if (e.ok) out.push(e.record);
  }
  return out;
}
