import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { DAY_MS } from '../model/dates.js';
import { SYNTHETIC_PREFIX } from '../model/synthetic-id.js';
import type { Database, Db } from './schema.js';

/** A rendered first page, as the thumbnail job hands it to the store. */
export interface ThumbnailImage {
  bytes: Uint8Array;
  /** Its media type, e.g. image/webp. */
  type: string;
  width: number;
  height: number;
}

/** After this many failures a paper is not tried again until `paperboy thumbnails --retry`. */
export const MAX_THUMBNAIL_ATTEMPTS = 6;
const HOUR_MS = 3_600_000;

/** Names an image by its bytes: 16 characters of its SHA-256, URL-safe. */
export function thumbnailHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
}

/**
 * Stores the image and puts its hash and size on the paper. Run through `Store.saveThumbnail`, which tells the
 * listeners. False when there is no such paper.
 */
export async function saveThumbnail(
  trx: Transaction<Database>,
  id: string,
  image: ThumbnailImage,
  now: Date,
): Promise<boolean> {
  const hash = thumbnailHash(image.bytes);
  const updated = await trx
    .updateTable('papers')
    .set({ thumbnail_hash: hash, thumbnail_width: image.width, thumbnail_height: image.height })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  const row = { hash, type: image.type, bytes: image.bytes, created_at: now.toISOString() };
  await trx
    .insertInto('thumbnails')
    .values({ paper_id: id, ...row })
    .onConflict((oc) => oc.column('paper_id').doUpdateSet(row))
    .execute();
  await trx.deleteFrom('thumbnail_attempts').where('paper_id', '=', id).execute();
  return true;
}

/**
 * Notes a failed attempt: the paper is tried again after 1, 2, 4… hours, and not at all after
 * MAX_THUMBNAIL_ATTEMPTS failures, or after one that trying again cannot mend (`final`: not a PDF, encrypted).
 */
export async function noteThumbnailFailure(
  db: Kysely<Database>,
  id: string,
  error: string,
  now: Date,
  opts: { final?: boolean } = {},
): Promise<{ attempts: number; nextTryAt: string | null }> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('thumbnail_attempts')
      .select('attempts')
      .where('paper_id', '=', id)
      .executeTakeFirst();
    const attempts = opts.final
      ? MAX_THUMBNAIL_ATTEMPTS
      : Math.min((before?.attempts ?? 0) + 1, MAX_THUMBNAIL_ATTEMPTS);
    const waitMs = attempts >= MAX_THUMBNAIL_ATTEMPTS ? 3650 * DAY_MS : HOUR_MS * 2 ** (attempts - 1);
    const row = { attempts, next_try_at: new Date(now.getTime() + waitMs).toISOString(), error: error.slice(0, 500) };
    await trx
      .insertInto('thumbnail_attempts')
      .values({ paper_id: id, ...row })
      .onConflict((oc) => oc.column('paper_id').doUpdateSet(row))
      .execute();
    return { attempts, nextTryAt: attempts >= MAX_THUMBNAIL_ATTEMPTS ? null : row.next_try_at };
  });
}

/** Visible arXiv papers without a thumbnail from feed day `since` on that are not waiting after a failure. */
function missing(db: Db, since: string, now: Date) {
  return db
    .selectFrom('papers')
    .leftJoin('thumbnail_attempts', 'thumbnail_attempts.paper_id', 'papers.id')
    .where('papers.thumbnail_hash', 'is', null)
    .where('papers.hidden_at', 'is', null)
    .where('papers.feed_day', '>=', since)
    .where('papers.id', 'not like', `${SYNTHETIC_PREFIX}%`)
    .where((eb) =>
      eb.or([
        eb('thumbnail_attempts.next_try_at', 'is', null),
        eb('thumbnail_attempts.next_try_at', '<=', now.toISOString()),
      ]),
    );
}

/** A page of the papers `missing` lists, newest day first, after `after` when given. */
export async function papersWithoutThumbnail(
  db: Db,
  opts: { since: string; now: Date; limit: number; after?: { day: string; id: string } | undefined },
): Promise<{ id: string; day: string }[]> {
  let query = missing(db, opts.since, opts.now).select(['papers.id', 'papers.feed_day']);
  const after = opts.after;
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('papers.feed_day', '<', after.day),
        eb.and([eb('papers.feed_day', '=', after.day), eb('papers.id', '<', after.id)]),
      ]),
    );
  const rows = await query.orderBy('papers.feed_day', 'desc').orderBy('papers.id', 'desc').limit(opts.limit).execute();
  return rows.map((r) => ({ id: r.id, day: r.feed_day! }));
}

/** How many papers `papersWithoutThumbnail` would list, all pages together. */
export async function countWithoutThumbnail(db: Db, opts: { since: string; now: Date }): Promise<number> {
  const row = await missing(db, opts.since, opts.now)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Makes every paper that gave up on its thumbnail due again. Returns how many. */
export async function retryThumbnails(db: Db): Promise<number> {
  const result = await db.deleteFrom('thumbnail_attempts').executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The stored image of a paper, if its hash is `hash` (an address names one image for ever). */
export async function thumbnailImage(
  db: Db,
  id: string,
  hash: string,
): Promise<{ bytes: Uint8Array; type: string } | undefined> {
  const row = await db
    .selectFrom('thumbnails')
    .select(['bytes', 'type'])
    .where('paper_id', '=', id)
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row ? { bytes: row.bytes, type: row.type } : undefined;
}

/** Where a thumbnail is served (src/web/pages/thumbnails.ts): the hash first, as old-style ids hold a slash. */
export function thumbnailPath(id: string, hash: string): string {
  return `/thumbnails/${hash}/${id}`;
}
