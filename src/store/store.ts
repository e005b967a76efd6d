import type { Transaction } from 'kysely';
import type { Paper } from '../model/paper.js';
import type { PaperRecord, SourceName } from '../model/record.js';
import type { Database, Db } from './schema.js';
import type { ThumbnailImage } from './thumbnails.js';

/** A change to a paper's curation: a field left out stays as it is. */
export interface CurationPatch {
  /** YYYY-MM-DD, or null to unfeature. */
  featuredOn?: string | null;
  hiddenAt?: string | null;
  commentsLockedAt?: string | null;
}

/** The audit-log line a curation change is recorded with (src/store/audit.ts). */
export interface CurationAudit {
  /** The account that acted; null for the command line. */
  actorId: string | null;
  action: string;
  detail?: Record<string, unknown>;
  at: Date;
}

/** What one committed write changed. */
export interface PapersChange {
  /** The papers added, changed or removed. */
  ids: string[];
  /** False when only counters (votes, comments, trending) or curation changed: no title, abstract or author. */
  text: boolean;
}

/** The only way a feature changes a paper's counters: inside `Store.transaction`, so the store can announce it. */
export interface PaperCounters {
  /** Adds to the votes cast here and their trending points; answers the paper as it now is. */
  addVotes(id: string, votes: number, points: number): Promise<Paper>;
  /** Adds to the count of live comments here. */
  addComments(id: string, delta: number): Promise<void>;
}

export interface PaperVersion {
  version: number;
  /** When that version was submitted, if known. */
  date: string | null;
  source: SourceName;
}

export interface PaperSource {
  source: SourceName;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface UpsertResult {
  new: number;
  updated: number;
  unchanged: number;
}

export interface ImportCheckpoint {
  key: string;
  /** Entries (lines, records) of the input already committed. */
  position: number;
  counts: UpsertResult & { rejected: number };
  updatedAt: string;
}

export interface HarvestState {
  key: string;
  /** Opaque per-source state, e.g. an OAI-PMH resumption token or the last day harvested. */
  state: Record<string, unknown>;
  updatedAt: string;
}

export interface StoreStats {
  papers: number;
  /** arXiv versions of the papers: the newest version number of each, 1 for a paper no source gave one for. */
  versions: number;
  withCode: number;
  bySource: Partial<Record<SourceName, number>>;
  newestListedOn: string | null;
  engine: 'sqlite' | 'postgres';
  schemaVersion: number;
}

export interface ListQuery {
  /** Inclusive YYYY-MM-DD bounds on the paper's feed day (daily feed day, else listing day, else submission day). */
  from?: string | undefined;
  to?: string | undefined;
  /** Papers in this arXiv category, primary or cross-listed. */
  category?: string | undefined;
  /** Papers by this author (matched without case, accents or punctuation). */
  author?: string | undefined;
  hasCode?: boolean | undefined;
  /** Papers submitted to the daily feed by this user (case ignored). */
  submittedBy?: string | undefined;
  /** Papers a curator featured on this YYYY-MM-DD day (whatever their feed day). */
  featuredOn?: string | undefined;
  /**
   * Only the community's selection: papers on the Hugging Face daily list, submitted here or there, featured by a
   * curator, or upvoted.
   */
  selected?: boolean | undefined;
  /**
   * `feed` (default): by day, then trending within the day; `trending`: by trending score; `date`: newest first;
   * `upvotes`: most upvoted (here and at the source) first, then trending.
   */
  sort?: 'feed' | 'trending' | 'date' | 'upvotes' | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/**
 * The paper store. Two engines implement it (SQLite, PostgreSQL) and one contract suite tests both.
 * Writes are batch-oriented: a batch is one transaction, so a killed import never leaves a half-written paper.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Merges records into the store. Re-sending what is stored changes nothing; a newer arXiv version replaces the
   * metadata; an older one only adds to the version history. When `checkpoint` is given it is saved in the same
   * transaction, with this batch's result added to its counts, so a resumed import restarts exactly after the
   * last committed batch and carries the right totals.
   */
  upsertPapers(records: PaperRecord[], checkpoint?: Omit<ImportCheckpoint, 'updatedAt'>): Promise<UpsertResult>;
  /**
   * Says that upsertPapers is called soon with this very array (an import's next batches, read while the one before
   * is written): PostgreSQL starts on its full-text vectors at once, on another connection. Changes nothing stored.
   */
  prepareUpsert(records: PaperRecord[]): void;
  /**
   * Brings the query planner's statistics of the papers tables up to date (ANALYZE; SQLite: PRAGMA optimize), after a
   * bulk import: PostgreSQL's autovacuum may take its time, and until then plans reads of a few papers by id as scans
   * of the whole table (4 ms instead of 0.5 ms a search at 75k papers).
   */
  refreshStatistics(): Promise<void>;
  /**
   * Called after each committed write with what it changed (a provisional title-hash id that was taken over by an
   * arXiv id counts as removed). Every write to the papers table goes through this store, so no write can forget
   * to tell. Returns a function that unsubscribes.
   */
  onPapersChanged(listener: (change: PapersChange) => void): () => void;
  /**
   * Follows the changes other processes commit to this database (src/store/change-feed.ts) and announces them to this
   * store's listeners like its own: within a second on SQLite (polled), at once on PostgreSQL (LISTEN/NOTIFY, with a
   * poll as a safety net). Resolves once following; stops at `close`. A process that serves or keeps an index calls it.
   */
  followChanges(opts?: { pollMs?: number; onError?: (error: unknown) => void }): Promise<void>;
  /** Tells the other processes that the search model `name` was fitted again and its vectors stored. */
  announceModel(name: string): Promise<void>;
  /** Called when another process fitted the search model again (heard through `followChanges`). */
  onModelChanged(listener: () => void): () => void;
  /**
   * Runs `work` in one transaction. A feature writes its own tables through `trx` and the papers' counters through
   * `papers`; the listeners hear of the papers it touched once the transaction has committed.
   */
  transaction<T>(work: (trx: Transaction<Database>, papers: PaperCounters) => Promise<T>): Promise<T>;
  /**
   * Stores every paper's trending score again from its counters (votes and comments update it as they arrive; this
   * catches a change of the formula's constants and counters changed outside this process).
   */
  recomputeTrending(): Promise<{ papers: number; changed: number }>;
  /** Stores a paper's thumbnail (src/store/thumbnails.ts) and tells the listeners; false when there is no such paper. */
  saveThumbnail(id: string, image: ThumbnailImage): Promise<boolean>;
  /**
   * A paper hidden by a curator is left out of every read (lists, counts, days, getPapers) except this one with
   * `hidden: true`, which curators use to see and unhide it. A store that follows the change feed keeps the papers it
   * read until a change to one is heard, a few milliseconds after another process commits it; `fresh: true` reads the
   * database, for a reader who may have just changed the paper through another process (their own vote).
   */
  getPaper(id: string, opts?: { hidden?: boolean; fresh?: boolean }): Promise<Paper | undefined>;
  /**
   * Changes a paper's curation and writes its audit line in the same transaction, then tells the listeners.
   * Undefined when there is no such paper; `changed` is false (and nothing is written) when it was already so.
   */
  setCuration(
    id: string,
    patch: CurationPatch,
    audit: CurationAudit,
  ): Promise<{ paper: Paper; changed: boolean } | undefined>;
  getVersions(id: string): Promise<PaperVersion[]>;
  getSources(id: string): Promise<PaperSource[]>;
  listPapers(query?: ListQuery): Promise<Paper[]>;
  /** How many papers match the query's filters (limit, offset and sort ignored). */
  countPapers(query?: ListQuery): Promise<number>;
  /** Papers per feed day within inclusive YYYY-MM-DD bounds, newest day first. */
  dayCounts(from: string, to: string): Promise<{ day: string; count: number }[]>;
  /** The days before and after `day` that have papers, for previous / next links. */
  neighbourDays(day: string): Promise<{ previous: string | null; next: string | null }>;
  /** The papers with these ids, in the order given (unknown ids are left out). */
  getPapers(ids: string[]): Promise<Paper[]>;
  stats(): Promise<StoreStats>;
  getCheckpoint(key: string): Promise<ImportCheckpoint | undefined>;
  clearCheckpoint(key: string): Promise<void>;
  getHarvestState(key: string): Promise<HarvestState | undefined>;
  setHarvestState(key: string, state: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store of papers, and the handle through which features read and write their own tables (accounts, comments,
 * the outbox…). Papers are written through `store` only, which tells its listeners. `store.close()` closes both.
 */
export interface OpenedStore {
  store: Store;
  db: Db;
}
