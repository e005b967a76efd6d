import type { PapersLookup } from '../ingest/arxiv-api.js';
import { SourceError } from '../ingest/errors.js';
import { titleKey } from '../model/record.js';
import { Refusal } from '../model/refusal.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { addPaper, ownCollection } from './collections.js';
import { type ImportEntry, parseImport } from './import-entries.js';

/** At most this many entries (ids, BibTeX entries) in one import, so that one request fetches at most two pages from arXiv. */
export const IMPORT_MAX_ENTRIES = 200;

export type ImportOutcome = 'added' | 'fetched' | 'already' | 'duplicate' | 'not-found' | 'invalid' | 'unavailable';

/** What became of one entry, for the report the reader sees line by line. */
export interface ImportLine {
  line: number;
  label: string;
  outcome: ImportOutcome;
  /** The paper it was taken as, when there is one. */
  paperId?: string | undefined;
  message: string;
}

export interface ImportReport {
  lines: ImportLine[];
  added: number;
  failed: number;
}

export interface ImportDeps {
  store: Store;
  db: Db;
  /** Fetches the papers the store lacks from arXiv; without it only stored papers are imported. */
  fetchPapers?: PapersLookup | undefined;
}

/**
 * Imports a BibTeX file or a list of arXiv ids into one of the account's collections. Papers on this site are added;
 * arXiv ids it lacks are fetched from arXiv (all at once, through the ingestion layer) and stored first; a BibTeX entry
 * without an arXiv id is matched by its DOI or title among the stored papers. Every entry gets a line in the report;
 * the import is refused whole only when it has no entry or more than IMPORT_MAX_ENTRIES.
 */
export async function importIntoCollection(
  deps: ImportDeps,
  accountId: string,
  collectionId: string,
  text: string,
  now: Date,
): Promise<ImportReport> {
  await ownCollection(deps.db, accountId, collectionId);
  const entries = parseImport(text);
  if (entries.length === 0)
    throw new Refusal('invalid', 'There is nothing to import: paste arXiv ids (one per line) or a BibTeX file.');
  if (entries.length > IMPORT_MAX_ENTRIES)
    throw new Refusal(
      'invalid',
      `That is ${entries.length} entries; one import takes at most ${IMPORT_MAX_ENTRIES}. Split it and import the parts one after the other.`,
    );

  const resolved = await resolve(deps.db, entries);
  const wanted = [...new Set(entries.flatMap((e) => (e.arxivId ? [e.arxivId] : [])))];
  const stored = await storedPapers(deps.db, [...new Set([...wanted, ...resolved.values()])]);
  const missing = wanted.filter((id) => !stored.has(id));
  const fetched = new Set<string>();
  let unavailable: string | undefined;
  if (missing.length && deps.fetchPapers) {
    try {
      const records = await deps.fetchPapers(missing);
      if (records.length) await deps.store.upsertPapers(records);
      for (const r of records) {
        fetched.add(r.id);
        stored.set(r.id, false);
      }
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      unavailable = 'arXiv could not be reached just now: import this line again in a few minutes';
    }
  } else if (missing.length)
    unavailable = 'this paper is not on this site, and this server does not fetch papers from arXiv';

  const lines: ImportLine[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const base = { line: entry.line, label: entry.label };
    if (entry.error) {
      lines.push({ ...base, outcome: 'invalid', message: entry.error });
      continue;
    }
    const id = entry.arxivId ?? resolved.get(entry);
    if (!id) {
      lines.push({
        ...base,
        outcome: 'not-found',
        message: 'no arXiv id, and no paper on this site has its DOI or title',
      });
      continue;
    }
    const hidden = stored.get(id);
    if (hidden === undefined) {
      const message = unavailable && missing.includes(id) ? unavailable : `arXiv has no paper ${id}`;
      lines.push({ ...base, outcome: unavailable ? 'unavailable' : 'not-found', paperId: id, message });
      continue;
    }
    if (hidden) {
      lines.push({ ...base, outcome: 'not-found', paperId: id, message: `${id} was removed by the curators` });
      continue;
    }
    if (seen.has(id)) {
      lines.push({ ...base, outcome: 'duplicate', paperId: id, message: `${id} is named on an earlier line` });
      continue;
    }
    seen.add(id);
    try {
      const added = await addPaper(deps.db, accountId, collectionId, id, now);
      lines.push(
        added
          ? {
              ...base,
              outcome: fetched.has(id) ? 'fetched' : 'added',
              paperId: id,
              message: fetched.has(id) ? `${id} fetched from arXiv and added` : `${id} added`,
            }
          : { ...base, outcome: 'already', paperId: id, message: `${id} was already in the collection` },
      );
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      lines.push({ ...base, outcome: 'invalid', paperId: id, message: error.message });
    }
  }
  const added = lines.filter((l) => l.outcome === 'added' || l.outcome === 'fetched').length;
  const failed = lines.filter(
    (l) => l.outcome === 'invalid' || l.outcome === 'not-found' || l.outcome === 'unavailable',
  ).length;
  return { lines, added, failed };
}

/** Stored papers among these ids: id to whether the curators hid it. */
async function storedPapers(db: Db, ids: string[]): Promise<Map<string, boolean>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('papers').select(['id', 'hidden_at']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.hidden_at !== null]));
}

/** BibTeX entries without an arXiv id, matched to a stored paper by DOI, else by title. */
async function resolve(db: Db, entries: ImportEntry[]): Promise<Map<ImportEntry, string>> {
  const out = new Map<ImportEntry, string>();
  for (const entry of entries) {
    if (entry.arxivId || entry.error) continue;
    const byDoi = entry.doi
      ? await db.selectFrom('papers').select('id').where('doi', '=', entry.doi).orderBy('id').executeTakeFirst()
      : undefined;
    const key = entry.title ? titleKey(entry.title) : '';
    const byTitle =
      !byDoi && key
        ? await db.selectFrom('papers').select('id').where('title_key', '=', key).orderBy('id').executeTakeFirst()
        : undefined;
    const id = byDoi?.id ?? byTitle?.id;
    if (id) out.set(entry, id);
  }
  return out;
}
