import { SourceError } from '../src/ingest/errors.js';
import type { PaperRecord, ParsedEntry } from '../src/model/record.js';

/** The SourceError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

/** The SourceError a function throws. */
export function thrown(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

/** The records of parsed entries; fails the test on the first rejected entry. */
export function records(entries: ParsedEntry[]): PaperRecord[] {
  return entries.map((e) => {
    if (!e.ok) throw new Error(`${e.position}: ${e.error}`);
    return e.record;
  });
}
