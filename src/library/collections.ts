import type { Selectable } from 'kysely';
import { randomId } from '../crypto/tokens.js';
import type { Paper } from '../model/paper.js';
import { Refusal } from '../model/refusal.js';
import { cleanName, cleanText } from '../model/text.js';
import { paperFromRow } from '../store/rows.js';
import type { CollectionsTable, Db } from '../store/schema.js';

/** The longest name of a collection, and the longest note on a paper (in characters). */
export const COLLECTION_NAME_MAX = 100;
export const NOTE_MAX = 2000;
/** At most this many collections per account, and papers per collection: a library, not a mirror of arXiv. */
export const COLLECTIONS_MAX = 200;
export const COLLECTION_PAPERS_MAX = 5000;
/** The name of every account's reading list. */
export const SAVED_NAME = 'Saved';

export const VISIBILITIES = ['private', 'link', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const isVisibility = (v: unknown): v is Visibility => VISIBILITIES.includes(v as Visibility);

export interface Collection {
  id: string;
  accountId: string;
  /** `saved`: the reading list the Save button fills (one per account, cannot be renamed or deleted). */
  kind: 'saved' | 'named';
  name: string;
  /** private: its owner only; link: anyone with the share link; public: anyone. */
  visibility: Visibility;
  /** The id in the share link, while the collection is shared by link or public. */
  shareId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CollectionItem {
  paper: Paper;
  position: number;
  note: string;
  addedAt: string;
}

const fromRow = (r: Selectable<CollectionsTable>): Collection => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind === 'saved' ? 'saved' : 'named',
  name: r.name,
  visibility: isVisibility(r.visibility) ? r.visibility : 'private',
  shareId: r.share_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const notFound = () =>
  new Refusal('not-found', 'There is no such collection in your library. It may have been deleted; open your library.');

/** A collection's name as typed: one line, trimmed, 1 to COLLECTION_NAME_MAX characters. */
export function checkName(value: unknown): string {
  const name = cleanName(typeof value === 'string' ? value : '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!name) throw new Refusal('invalid', 'Give the collection a name, such as "Reading group" or "Thesis".');
  const length = [...name].length;
  if (length > COLLECTION_NAME_MAX)
    throw new Refusal('invalid', `That name is ${length} characters; a name is at most ${COLLECTION_NAME_MAX}.`);
  return name;
}

/** A note as typed: plain text over lines, without control characters, trimmed, at most NOTE_MAX characters. */
export function checkNote(value: unknown): string {
  const note = cleanText(typeof value === 'string' ? value : '')
    .replace(/\r\n?/g, '\n')
    .trim();
  const length = [...note].length;
  if (length > NOTE_MAX)
    throw new Refusal('invalid', `That note is ${length} characters; a note is at most ${NOTE_MAX}. Shorten it.`);
  return note;
}

/** The account's reading list, made the first time it is asked for. */
export async function savedCollection(db: Db, accountId: string, now: Date): Promise<Collection> {
  const found = await db
    .selectFrom('collections')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', 'saved')
    .executeTakeFirst();
  if (found) return fromRow(found);
  const at = now.toISOString();
  // Two first saves at once: the partial unique index keeps one reading list, and both read it back.
  await db
    .insertInto('collections')
    .values({
      id: randomId(),
      account_id: accountId,
      kind: 'saved',
      name: SAVED_NAME,
      share_id: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return savedCollection(db, accountId, now);
}

/** The account's collections, the reading list first, then the named ones oldest first, each with its count of papers. */
export async function listCollections(db: Db, accountId: string): Promise<(Collection & { papers: number })[]> {
  const rows = await db
    .selectFrom('collections')
    .selectAll('collections')
    .select((eb) =>
      eb
        .selectFrom('collection_papers')
        .innerJoin('papers', 'papers.id', 'collection_papers.paper_id')
        .whereRef('collection_papers.collection_id', '=', 'collections.id')
        .where('papers.hidden_at', 'is', null)
        .select((e) => e.fn.countAll<number | string>().as('n'))
        .as('papers'),
    )
    .where('account_id', '=', accountId)
    .orderBy((eb) => eb.case().when('kind', '=', 'saved').then(0).else(1).end())
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...fromRow(r), papers: Number(r.papers ?? 0) }));
}

/** One of the account's own collections; refused as not found when it is someone else's or gone. */
export async function ownCollection(db: Db, accountId: string, id: string): Promise<Collection> {
  const row = await db
    .selectFrom('collections')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw notFound();
  return fromRow(row);
}

/**
 * A collection as a visitor may see it at its own address: the owner always, anyone when it is public. A private
 * collection, or one shared by link only, is not there for anyone else (as if it did not exist). Undefined then.
 */
export async function viewableCollection(
  db: Db,
  viewerId: string | undefined,
  id: string,
): Promise<(Collection & { ownerHandle: string }) | undefined> {
  const row = await db
    .selectFrom('collections')
    .innerJoin('accounts', 'accounts.id', 'collections.account_id')
    .selectAll('collections')
    .select(['accounts.handle', 'accounts.banned_at'])
    .where('collections.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const own = viewerId !== undefined && row.account_id === viewerId;
  if (!own && (row.visibility !== 'public' || row.banned_at !== null)) return undefined;
  return { ...fromRow(row), ownerHandle: row.handle };
}

/** A collection opened by its share link: while it is shared by link or public, and its owner is not banned. */
export async function sharedCollection(
  db: Db,
  shareId: string,
): Promise<(Collection & { ownerHandle: string }) | undefined> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(shareId)) return undefined;
  const row = await db
    .selectFrom('collections')
    .innerJoin('accounts', 'accounts.id', 'collections.account_id')
    .selectAll('collections')
    .select('accounts.handle')
    .where('collections.share_id', '=', shareId)
    .where('collections.visibility', 'in', ['link', 'public'])
    .where('accounts.banned_at', 'is', null)
    .executeTakeFirst();
  return row ? { ...fromRow(row), ownerHandle: row.handle } : undefined;
}

/** The public collections of an account, newest first (for its profile page). */
export async function publicCollections(db: Db, accountId: string): Promise<Collection[]> {
  const rows = await db
    .selectFrom('collections')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('visibility', '=', 'public')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(COLLECTIONS_MAX)
    .execute();
  return rows.map(fromRow);
}

export async function createCollection(
  db: Db,
  accountId: string,
  input: { name: unknown; visibility?: unknown },
  now: Date,
): Promise<Collection> {
  const name = checkName(input.name);
  const visibility = input.visibility === undefined ? 'private' : checkVisibility(input.visibility);
  const count = await db
    .selectFrom('collections')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= COLLECTIONS_MAX)
    throw new Refusal(
      'invalid',
      `You have ${COLLECTIONS_MAX} collections, the most an account may have. Delete one first.`,
    );
  const at = now.toISOString();
  const row = {
    id: randomId(),
    account_id: accountId,
    kind: 'named',
    name,
    visibility,
    share_id: visibility === 'private' ? null : randomId(),
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('collections').values(row).execute();
  return fromRow(row);
}

function checkVisibility(value: unknown): Visibility {
  if (!isVisibility(value)) throw new Refusal('invalid', 'Choose who may see the collection: private, link or public.');
  return value;
}

/**
 * Changes a collection's name (not the reading list's) and who may see it. Sharing by link (or making it public)
 * gives it a share link if it has none; `newLink` replaces the link, so that the old one stops working; making it
 * private drops the link.
 */
export async function updateCollection(
  db: Db,
  accountId: string,
  id: string,
  patch: { name?: unknown; visibility?: unknown; newLink?: boolean },
  now: Date,
): Promise<Collection> {
  const current = await ownCollection(db, accountId, id);
  const name = patch.name === undefined ? current.name : checkName(patch.name);
  if (name !== current.name && current.kind === 'saved')
    throw new Refusal('invalid', 'Your reading list is always called Saved. Make a collection to name it yourself.');
  const visibility = patch.visibility === undefined ? current.visibility : checkVisibility(patch.visibility);
  const shareId = visibility === 'private' ? null : patch.newLink || !current.shareId ? randomId() : current.shareId;
  const updatedAt = now.toISOString();
  await db
    .updateTable('collections')
    .set({ name, visibility, share_id: shareId, updated_at: updatedAt })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .execute();
  return { ...current, name, visibility, shareId, updatedAt };
}

/** Deletes a named collection and its notes (the papers stay on the site); the reading list cannot be deleted. */
export async function deleteCollection(db: Db, accountId: string, id: string): Promise<void> {
  const current = await ownCollection(db, accountId, id);
  if (current.kind === 'saved')
    throw new Refusal('invalid', 'Your reading list cannot be deleted; remove the papers from it instead.');
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('collection_papers').where('collection_id', '=', id).execute();
    await trx.deleteFrom('collections').where('id', '=', id).where('account_id', '=', accountId).execute();
  });
}

/** The papers of a collection in its owner's order, with their notes; papers the curators hid are left out. */
export async function collectionPapers(
  db: Db,
  collectionId: string,
  limit = COLLECTION_PAPERS_MAX,
): Promise<CollectionItem[]> {
  const rows = await db
    .selectFrom('collection_papers')
    .innerJoin('papers', 'papers.id', 'collection_papers.paper_id')
    .selectAll('papers')
    .select([
      'collection_papers.position as item_position',
      'collection_papers.note as item_note',
      'collection_papers.added_at as item_added_at',
    ])
    .where('collection_papers.collection_id', '=', collectionId)
    .where('papers.hidden_at', 'is', null)
    .orderBy('collection_papers.position')
    .orderBy('collection_papers.added_at')
    .orderBy('collection_papers.paper_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    paper: paperFromRow(r),
    position: r.item_position,
    note: r.item_note,
    addedAt: r.item_added_at,
  }));
}

/** A paper a reader may put in a collection: stored and not hidden by the curators. */
async function requirePaper(db: Db, paperId: string): Promise<void> {
  const row = await db
    .selectFrom('papers')
    .select('id')
    .where('id', '=', paperId)
    .where('hidden_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new Refusal('not-found', `There is no paper ${paperId} on this site.`);
}

/**
 * Adds a paper at the end of one of the account's collections (with a note, if given); true when it was added, false
 * when it was there already (its note is then left as it is unless one is given).
 */
export async function addPaper(
  db: Db,
  accountId: string,
  collectionId: string,
  paperId: string,
  now: Date,
  note?: unknown,
): Promise<boolean> {
  await ownCollection(db, accountId, collectionId);
  await requirePaper(db, paperId);
  const text = note === undefined ? undefined : checkNote(note);
  return db.transaction().execute(async (trx) => {
    const stats = await trx
      .selectFrom('collection_papers')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('position').as('last')])
      .where('collection_id', '=', collectionId)
      .executeTakeFirstOrThrow();
    const inserted = await trx
      .insertInto('collection_papers')
      .values({
        collection_id: collectionId,
        paper_id: paperId,
        position: stats.last === null ? 0 : Number(stats.last) + 1,
        note: text ?? '',
        added_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(['collection_id', 'paper_id']).doNothing())
      .executeTakeFirst();
    const added = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    if (added && Number(stats.n) >= COLLECTION_PAPERS_MAX)
      throw new Refusal('invalid', `A collection holds at most ${COLLECTION_PAPERS_MAX} papers. Start another one.`);
    if (!added && text !== undefined)
      await trx
        .updateTable('collection_papers')
        .set({ note: text })
        .where('collection_id', '=', collectionId)
        .where('paper_id', '=', paperId)
        .execute();
    await touch(trx, collectionId, now);
    return added;
  });
}

/** Takes a paper out of one of the account's collections; false when it was not there. */
export async function removePaper(
  db: Db,
  accountId: string,
  collectionId: string,
  paperId: string,
  now: Date,
): Promise<boolean> {
  await ownCollection(db, accountId, collectionId);
  const result = await db
    .deleteFrom('collection_papers')
    .where('collection_id', '=', collectionId)
    .where('paper_id', '=', paperId)
    .executeTakeFirst();
  await touch(db, collectionId, now);
  return Number(result.numDeletedRows) > 0;
}

/** Sets the note on a paper of one of the account's collections (an empty note removes it). */
export async function setNote(
  db: Db,
  accountId: string,
  collectionId: string,
  paperId: string,
  note: unknown,
  now: Date,
): Promise<string> {
  await ownCollection(db, accountId, collectionId);
  const text = checkNote(note);
  const result = await db
    .updateTable('collection_papers')
    .set({ note: text })
    .where('collection_id', '=', collectionId)
    .where('paper_id', '=', paperId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0)
    throw new Refusal('not-found', `${paperId} is not in this collection. Add it first, then write your note.`);
  await touch(db, collectionId, now);
  return text;
}

/**
 * Moves a paper of one of the account's collections to `to` (0 is first; past the end is last), or one place `up` or
 * `down`. The positions are written again as 0, 1, 2… in the collection's order, in one transaction.
 */
export async function movePaper(
  db: Db,
  accountId: string,
  collectionId: string,
  paperId: string,
  to: number | 'up' | 'down',
  now: Date,
): Promise<number> {
  await ownCollection(db, accountId, collectionId);
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('collection_papers')
      .select(['paper_id', 'position'])
      .where('collection_id', '=', collectionId)
      .orderBy('position')
      .orderBy('added_at')
      .orderBy('paper_id')
      .execute();
    const from = rows.findIndex((r) => r.paper_id === paperId);
    if (from < 0) throw new Refusal('not-found', `${paperId} is not in this collection.`);
    const target = to === 'up' ? from - 1 : to === 'down' ? from + 1 : to;
    const index = Math.max(0, Math.min(rows.length - 1, Math.trunc(target)));
    const order = rows.map((r) => r.paper_id);
    order.splice(index, 0, ...order.splice(from, 1));
    for (const [position, id] of order.entries()) {
      if (rows.find((r) => r.paper_id === id)?.position === position) continue;
      await trx
        .updateTable('collection_papers')
        .set({ position })
        .where('collection_id', '=', collectionId)
        .where('paper_id', '=', id)
        .execute();
    }
    await touch(trx, collectionId, now);
    return index;
  });
}

async function touch(db: Db, collectionId: string, now: Date): Promise<void> {
  await db.updateTable('collections').set({ updated_at: now.toISOString() }).where('id', '=', collectionId).execute();
}

/** The Save button: puts the paper in the account's reading list, or takes it out. Answers whether it is saved now. */
export async function toggleSaved(db: Db, accountId: string, paperId: string, now: Date): Promise<{ saved: boolean }> {
  const saved = await savedCollection(db, accountId, now);
  if (await removePaper(db, accountId, saved.id, paperId, now)) return { saved: false };
  await addPaper(db, accountId, saved.id, paperId, now);
  return { saved: true };
}

/** Which of these papers are in the account's reading list. */
export async function savedAmong(db: Db, accountId: string, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('collection_papers')
    .innerJoin('collections', 'collections.id', 'collection_papers.collection_id')
    .select('collection_papers.paper_id')
    .where('collections.account_id', '=', accountId)
    .where('collections.kind', '=', 'saved')
    .where('collection_papers.paper_id', 'in', paperIds.slice(0, 500))
    .execute();
  return new Set(rows.map((r) => r.paper_id));
}

/** The ids of the account's collections that hold this paper. */
export async function collectionsWith(db: Db, accountId: string, paperId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('collection_papers')
    .innerJoin('collections', 'collections.id', 'collection_papers.collection_id')
    .select('collections.id')
    .where('collections.account_id', '=', accountId)
    .where('collection_papers.paper_id', '=', paperId)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** The papers of the account's reading list and when each was saved: "For you" counts a save as a like. */
export async function savedSignals(db: Db, accountId: string): Promise<{ paperId: string; at: string }[]> {
  return db
    .selectFrom('collection_papers')
    .innerJoin('collections', 'collections.id', 'collection_papers.collection_id')
    .select(['collection_papers.paper_id as paperId', 'collection_papers.added_at as at'])
    .where('collections.account_id', '=', accountId)
    .where('collections.kind', '=', 'saved')
    .execute();
}
