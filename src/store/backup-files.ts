import { chmodSync, closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Refusal } from '../model/refusal.js';

/** What both engines' backup and restore share: the rows they report, refusals, and writing a file atomically. */

/** The rows a backup or a restore reports, by table. */
export const COUNTED = {
  papers: 'papers',
  accounts: 'accounts',
  subscribers: 'subscribers',
  votes: 'paper_votes',
  comments: 'comments',
} as const;
export type StoreCounts = Record<keyof typeof COUNTED, number>;

/** What one engine's backup or restore found, before the file's size and the time taken are added. */
export interface Copied {
  engine: 'sqlite' | 'postgres';
  /** The store: the SQLite file, or the PostgreSQL URL without its password. */
  store: string;
  schemaVersion: number;
  counts: StoreCounts;
}

/** What one engine's restore put in place: the counts are read once the store has been opened the normal way. */
export type Restored = Omit<Copied, 'counts'>;

/**
 * Backups and stores are readable by their owner only: they hold every address and the secret that signs links.
 */
const PRIVATE = 0o600;

/** An empty file only its owner can read, for a copy to be written into (VACUUM INTO and pg_dump keep its mode). */
export function privateEmptyFile(path: string): void {
  closeSync(openSync(path, 'w', PRIVATE));
}

/** Something the user can act on (a file that is not a backup, a store that is not empty…): printed without a stack. */
export const refusal = (message: string): Error => new Refusal('invalid', message);

/** Counts the rows of each COUNTED table; `count` answers undefined for a table the store does not have (yet). */
export async function countRows(
  count: (table: string) => Promise<number | undefined> | number | undefined,
): Promise<StoreCounts> {
  const counts = {} as StoreCounts;
  for (const [key, table] of Object.entries(COUNTED) as [keyof StoreCounts, string][])
    counts[key] = (await count(table)) ?? 0;
  return counts;
}

/** A store holds something when it has papers, accounts or subscribers: restoring over it needs --force. */
export const holdsData = (c: StoreCounts) => c.papers + c.accounts + c.subscribers > 0;

export function describeCounts(c: StoreCounts): string {
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
  return [
    n(c.papers, 'paper'),
    n(c.accounts, 'account'),
    n(c.subscribers, 'subscriber'),
    n(c.votes, 'vote'),
    n(c.comments, 'comment'),
  ].join(', ');
}

export function notEmpty(store: string, counts: StoreCounts): Error {
  return refusal(
    `The store at ${store} is not empty (${describeCounts(counts)}). Restoring replaces all of it: ` +
      'back it up first (paperboy backup <file>), then run restore again with --force.',
  );
}

export function newerSchema(file: string, version: number, known: number): Error {
  return refusal(
    `${file} comes from a newer Paperboy (schema version ${version}; this one knows ${known}). Upgrade Paperboy, then restore.`,
  );
}

/** A name beside `file` (in its folder, so that the rename is atomic) for the copy being written. */
export const partialName = (file: string) => join(dirname(file), `.${basename(file)}.partial-${process.pid}`);

/** Makes the written copy durable, then gives it its final name in one step. */
export function moveIntoPlace(partial: string, file: string): void {
  chmodSync(partial, PRIVATE);
  const fd = openSync(partial, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  syncFolder(dirname(file));
}

function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some platforms and file systems cannot sync a folder; the rename itself is done.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
