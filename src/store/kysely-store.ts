import {
  type Insertable,
  type Kysely,
  type OrderByItemBuilder,
  sql,
  type Transaction,
  type Updateable,
  type UpdateObject,
} from 'kysely';
import type { Paper } from '../model/paper.js';
import { authorKey, type PaperRecord, type SourceName, titleKey } from '../model/record.js';
import { isSyntheticId } from '../model/synthetic-id.js';
import { cleanRecord } from '../model/text.js';
import { recordAudit } from './audit.js';
import { chunks, type Engine, idGroups, insertRows, isAnyOf } from './bulk.js';
import { ChangeFeed, type FollowOptions, type Listen } from './change-feed.js';
import { mergeRecord, recordHash } from './merge.js';
import { frozen, PaperCache } from './paper-cache.js';
import { type PaperRow, paperFromRow, paperTrending, rowFromPaper } from './rows.js';
import {
  type Database,
  PAPER_COLUMNS,
  type PaperSourcesTable,
  type PapersTable,
  type PaperVersionsTable,
} from './schema.js';
import {
  computeSearchVectors,
  GIN_PENDING_KB,
  mergePendingIndex,
  recordText,
  type SearchVectors,
  vectorFor,
} from './search-vectors.js';
import type {
  CurationAudit,
  CurationPatch,
  HarvestState,
  ImportCheckpoint,
  ListQuery,
  PaperCounters,
  PaperSource,
  PapersChange,
  PaperVersion,
  Store,
  StoreStats,
  UpsertResult,
} from './store.js';
import { saveThumbnail, type ThumbnailImage } from './thumbnails.js';
import { recomputeTrending } from './trending.js';

/** Papers in a category above which a listing walks the feed order instead of collecting the category. */
export const LARGE_CATEGORY = 2000;

export interface KyselyStoreOptions {
  onClose?: () => Promise<void>;
  clock?: () => Date;
  /** PostgreSQL: the LISTEN connection that wakes the change follower (src/store/change-feed.ts). */
  listen?: Listen;
  /** PostgreSQL: visible papers by id as a named statement (src/store/postgres.ts), parsed once per connection. */
  papersById?: (ids: string[]) => Promise<PaperRow[]>;
}

/** A batch for upsertPapers: its records cleaned, the hash of each (by record), and the search vectors computed ahead. */
interface Prepared {
  input: PaperRecord[];
  cleaned: PaperRecord[];
  hashes: Map<PaperRecord, string>;
  vectors: Promise<SearchVectors>;
}

/** Batches prepareUpsert keeps at most (an import announces up to IMPORT_AHEAD beyond the one it writes). */
const PREPARED_AHEAD = 4;

/**
 * Papers a store keeps read (PaperCache) while it follows the change feed: the pages and searches of a day's readers
 * come back to the same few thousand. About 2.5 kB each (their abstract most of it).
 */
const PAPER_CACHE_SIZE = 10_000;
/** How long a kept paper is trusted without a change heard: only a change the feed failed to bring waits this long. */
const PAPER_CACHE_MS = 10 * 60_000;

/** Papers written at once from which a PostgreSQL write takes the settings of a bulk write. */
const BULK_ROWS = 200;

/**
 * Whether a paper could have this id: PostgreSQL's text holds no NUL character (it refuses such a parameter), so an id
 * asked for with one (a URL's %00) is no paper's, on either engine.
 */
function storable(id: string): boolean {
  return !id.includes('\u0000');
}

/** The store on any Kysely dialect; the engine modules only open the connection and migrate. */
export class KyselyStore implements Store {
  private readonly onClose: () => Promise<void>;
  private readonly clock: () => Date;
  private readonly feed: ChangeFeed;
  private readonly papersById: ((ids: string[]) => Promise<PaperRow[]>) | undefined;
  private readonly kept = new PaperCache(PAPER_CACHE_SIZE, PAPER_CACHE_MS);

  constructor(
    readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    private readonly schemaVersion: number,
    options: KyselyStoreOptions = {},
  ) {
    this.onClose = options.onClose ?? (async () => {});
    this.clock = options.clock ?? (() => new Date());
    this.feed = new ChangeFeed(db, engine, options.listen);
    this.papersById = options.papersById;
  }

  private readonly listeners = new Set<(change: PapersChange) => void>();
  private readonly modelListeners = new Set<() => void>();

  onPapersChanged(listener: (change: PapersChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onModelChanged(listener: () => void): () => void {
    this.modelListeners.add(listener);
    return () => this.modelListeners.delete(listener);
  }

  private announce(ids: Iterable<string>, text: boolean): void {
    const change = { ids: [...new Set(ids)], text };
    if (change.ids.length === 0) return;
    this.kept.forget(change.ids);
    for (const listener of this.listeners) listener(change);
  }

  /** After the commit of a change: other processes are told (NOTIFY on PostgreSQL), then this one's listeners. */
  private committed(ids: Iterable<string>, text: boolean): void {
    const list = [...ids];
    if (list.length === 0) return;
    this.feed.published();
    this.announce(list, text);
  }

  /**
   * For a write that failed: its commit may have happened all the same (the connection dropped after it), and the
   * follower skips this store's own rows, so the papers it may have changed are forgotten before the error goes on.
   */
  private unsure(ids: () => Iterable<string> | 'all') {
    return (error: unknown): never => {
      const which = ids();
      if (which === 'all') this.kept.clear();
      else this.kept.forget([...which]);
      throw error;
    };
  }

  /** The feed's row of a change to papers, in the change's transaction. */
  private record(trx: Transaction<Database>, ids: Iterable<string>, text: boolean): Promise<void> {
    return this.feed.record(trx, { kind: 'papers', ids: [...ids], text, at: this.clock() });
  }

  async followChanges(opts: FollowOptions & { onError?: (error: unknown) => void } = {}): Promise<void> {
    await this.feed.follow(
      {
        papers: (change) => this.announce(change.ids, change.text),
        model: () => {
          for (const listener of this.modelListeners) listener();
        },
        error: opts.onError ?? (() => {}),
      },
      opts,
    );
    this.kept.enable();
  }

  async announceModel(name: string): Promise<void> {
    await this.db
      .transaction()
      .execute((trx) => this.feed.record(trx, { kind: 'model', ids: [name], text: false, at: this.clock() }));
    this.feed.published();
  }

  async transaction<T>(work: (trx: Transaction<Database>, papers: PaperCounters) => Promise<T>): Promise<T> {
    const touched = new Set<string>();
    const result = await this.db
      .transaction()
      .execute(async (trx) => {
        const result = await work(trx, counters(trx, touched));
        await this.record(trx, touched, false);
        return result;
      })
      .catch(this.unsure(() => touched));
    this.committed(touched, false);
    return result;
  }

  async recomputeTrending(): Promise<{ papers: number; changed: number }> {
    const result = await recomputeTrending(this.db, (trx, ids) => this.record(trx, ids, false)).catch(
      this.unsure(() => 'all'),
    );
    this.committed(result.ids, false);
    return { papers: result.papers, changed: result.ids.length };
  }

  async saveThumbnail(id: string, image: ThumbnailImage): Promise<boolean> {
    const saved = await this.db
      .transaction()
      .execute(async (trx) => {
        const saved = await saveThumbnail(trx, id, image, this.clock());
        if (saved) await this.record(trx, [id], false);
        return saved;
      })
      .catch(this.unsure(() => [id]));
    if (saved) this.committed([id], false);
    return saved;
  }

  /** The batches an import writes next, cleaned and hashed, with their search vectors (PostgreSQL) computed meanwhile. */
  private readonly next = new Map<PaperRecord[], Prepared>();

  async refreshStatistics(): Promise<void> {
    // PostgreSQL: papers (its full-text column's statistics are most of the time) beside the other tables, on two connections.
    if (this.engine === 'postgres')
      await Promise.all([
        sql`ANALYZE papers`.execute(this.db),
        sql`ANALYZE paper_authors, paper_categories, paper_versions, paper_sources`.execute(this.db),
      ]);
    else await sql`PRAGMA optimize`.execute(this.db);
  }

  prepareUpsert(input: PaperRecord[]): void {
    if (this.engine !== 'postgres') return;
    const cleaned = input.map(cleanRecord);
    const hashes = new Map(cleaned.map((r) => [r, recordHash(r)]));
    const ahead = cleaned.map((r) => ({ id: r.id, source: r.source, hash: hashes.get(r)!, text: recordText(r) }));
    this.next.set(input, { input, cleaned, hashes, vectors: computeSearchVectors(this.db, ahead) });
    // Batches announced but never written (the import failed) are forgotten beyond the few an import keeps ahead.
    for (const stale of this.next.keys()) if (this.next.size > PREPARED_AHEAD) this.next.delete(stale);
  }

  async upsertPapers(input: PaperRecord[], checkpoint?: Omit<ImportCheckpoint, 'updatedAt'>): Promise<UpsertResult> {
    let prepared = this.next.get(input);
    if (prepared) this.next.delete(input);
    else {
      const cleaned = input.map(cleanRecord);
      prepared = { input, cleaned, hashes: new Map(), vectors: Promise.resolve(new Map()) };
    }
    const changed: string[] = [];
    const result = await this.write(prepared, checkpoint, changed).catch(this.unsure(() => changed));
    this.committed(changed, true);
    if (this.engine === 'postgres' && changed.length >= BULK_ROWS) this.mergePending();
    return result;
  }

  private merging: Promise<void> | undefined;
  private mergeAgain = false;

  /** Starts mergePendingIndex beside the next batch: one at a time, and once more if asked meanwhile. */
  private mergePending(): void {
    this.mergeAgain = true;
    if (this.merging) return;
    this.merging = (async () => {
      while (this.mergeAgain) {
        this.mergeAgain = false;
        await mergePendingIndex(this.db);
      }
    })().finally(() => {
      this.merging = undefined;
    });
  }

  private async write(
    prepared: Prepared,
    checkpoint: Omit<ImportCheckpoint, 'updatedAt'> | undefined,
    changed: string[],
  ): Promise<UpsertResult> {
    const input = prepared.cleaned;
    const now = this.clock().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const records = await resolveByTitle(trx, input);
      const ids = [...new Set(records.map((r) => r.id))];
      const knownHashes = new Map<string, string>();
      for (const part of idGroups(this.engine, ids)) {
        const rows = await trx
          .selectFrom('paper_sources')
          .select(['paper_id', 'source', 'hash'])
          .where(isAnyOf(this.engine, 'paper_id', part))
          .execute();
        for (const row of rows) knownHashes.set(`${row.paper_id}\u0000${row.source}`, row.hash);
      }

      const pending = records
        .map((record) => ({ record, hash: prepared.hashes.get(record) ?? recordHash(record) }))
        .filter(({ record, hash }) => knownHashes.get(`${record.id}\u0000${record.source}`) !== hash);
      const result: UpsertResult = { new: 0, updated: 0, unchanged: records.length - pending.length };

      const current = new Map<string, Paper>();
      for (const part of idGroups(this.engine, [...new Set(pending.map((p) => p.record.id))])) {
        const rows = await trx
          .selectFrom('papers')
          .select(PAPER_COLUMNS)
          .where(isAnyOf(this.engine, 'id', part))
          .execute();
        for (const row of rows) current.set(row.id, paperFromRow(row));
      }

      const adopted = await adoptProvisional(
        trx,
        this.engine,
        pending.map((p) => p.record).filter((r) => !current.has(r.id)),
      );
      for (const [id, paper] of adopted) current.set(id, paper.paper);

      const papers = new Map<string, Paper>();
      const sources = new Map<string, PaperSourcesTable>();
      const versions = new Map<string, PaperVersionsTable>();
      for (const { record, hash } of pending) {
        const before = papers.get(record.id) ?? current.get(record.id);
        const { paper, changed } = mergeRecord(before, record, now);
        if (!before) result.new++;
        else if (changed) result.updated++;
        else result.unchanged++;
        if (changed) papers.set(record.id, paper);
        const key = `${record.id}\u0000${record.source}`;
        if (record.version === undefined || record.version >= (before?.version ?? 0)) {
          sources.set(key, {
            paper_id: record.id,
            source: record.source,
            hash,
            version: record.version ?? null,
            first_seen_at: now,
            changed_at: now,
          });
        }
        if (record.version !== undefined) {
          const date = record.version === 1 ? (record.submittedAt ?? null) : (record.updatedAt ?? null);
          versions.set(`${record.id}\u0000${record.version}`, {
            paper_id: record.id,
            version: record.version,
            date,
            source: record.source,
          });
        }
      }

      const stamp = papers.size ? await feedStamp(trx, this.engine, this.clock()) : now;
      const rows: Insertable<PapersTable>[] = [...papers.values()].map((p) => ({
        ...rowFromPaper(p, titleKey(p.title)),
        feed_at: stamp,
      }));
      if (this.engine === 'postgres' && rows.length) {
        const ready = await prepared.vectors;
        for (const row of rows) row.search = vectorFor(ready, row);
        // The full-text index takes new entries in its pending list; mergePendingIndex merges them after the commit.
        // The commit returns before its WAL is flushed: a server crash can lose the last batches, but always with
        // their checkpoint (one transaction, WAL in order), so the import resumes before them.
        if (rows.length >= BULK_ROWS)
          await sql`SELECT set_config('gin_pending_list_limit', ${String(GIN_PENDING_KB)}, true), set_config('synchronous_commit', 'off', true)`.execute(
            trx,
          );
      }
      // The papers stored before this write, whose authors and categories it replaces (a new paper has none).
      const stored = new Set([...papers.keys()].filter((id) => current.has(id)));
      for (const insert of insertRows(trx, this.engine, 'papers', rows)) {
        const upsert = insert.onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            ...updateAll(eb, rows[0]!, ['id', 'created_at', 'feed_at']),
            // A paper enters a feed day once: an update that keeps its day keeps when it entered it.
            feed_at: sql<string>`CASE WHEN papers.feed_day IS NOT DISTINCT FROM excluded.feed_day THEN papers.feed_at ELSE excluded.feed_at END`,
          })),
        );
        if (this.engine === 'sqlite') await upsert.execute();
        else {
          // Another writer may have stored a paper since `current` was read: the upsert says which rows it updated
          // (xmax is 0 on a row the statement inserted). SQLite's transaction holds the write lock from its start.
          const written = await upsert.returning(['id', sql<boolean>`xmax = 0`.as('inserted')]).execute();
          for (const row of written) if (!row.inserted) stored.add(row.id);
        }
      }
      const changedIds = [...papers.keys()];
      changed.push(...changedIds, ...[...adopted.values()].map((a) => a.from));
      for (const part of idGroups(this.engine, [...stored])) {
        await trx
          .deleteFrom('paper_authors')
          .where(isAnyOf(this.engine, 'paper_id', part))
          .execute();
        await trx
          .deleteFrom('paper_categories')
          .where(isAnyOf(this.engine, 'paper_id', part))
          .execute();
      }
      const authorRows = [...papers.values()].flatMap((p) =>
        p.authors.map((name, position) => ({ paper_id: p.id, position, name, name_key: authorKey(name) })),
      );
      for (const insert of insertRows(trx, this.engine, 'paper_authors', authorRows)) await insert.execute();
      const categoryRows = [...papers.values()].flatMap((p) =>
        [...new Set(p.categories)].map((category) => ({
          paper_id: p.id,
          category,
          is_primary: category === p.primaryCategory ? 1 : 0,
        })),
      );
      for (const insert of insertRows(trx, this.engine, 'paper_categories', categoryRows)) await insert.execute();

      for (const [id, { from }] of adopted) {
        const incoming = [...sources.values()].filter((r) => r.paper_id === id).map((r) => r.source);
        let move = trx.updateTable('paper_sources').set({ paper_id: id }).where('paper_id', '=', from);
        if (incoming.length) move = move.where('source', 'not in', incoming);
        await move.execute();
        // Community votes and comments belong to the paper, not to its provisional id.
        await trx.updateTable('paper_votes').set({ paper_id: id }).where('paper_id', '=', from).execute();
        await trx.updateTable('comments').set({ paper_id: id }).where('paper_id', '=', from).execute();
        const counters = await trx
          .selectFrom('papers')
          .select(['community_upvotes', 'community_points', 'community_comments'])
          .where('id', '=', from)
          .executeTakeFirst();
        if (counters) await trx.updateTable('papers').set(counters).where('id', '=', id).execute();
        await trx.deleteFrom('papers').where('id', '=', from).execute();
      }
      for (const insert of insertRows(trx, this.engine, 'paper_sources', [...sources.values()])) {
        await insert
          .onConflict((oc) =>
            oc.columns(['paper_id', 'source']).doUpdateSet((eb) => ({
              hash: eb.ref('excluded.hash'),
              version: eb.ref('excluded.version'),
              changed_at: eb.ref('excluded.changed_at'),
            })),
          )
          .execute();
      }
      for (const insert of insertRows(trx, this.engine, 'paper_versions', [...versions.values()])) {
        await insert
          .onConflict((oc) =>
            oc.columns(['paper_id', 'version']).doUpdateSet((eb) => ({
              date: sql<string | null>`coalesce(${eb.ref('paper_versions.date')}, ${eb.ref('excluded.date')})`,
            })),
          )
          .execute();
      }
      if (checkpoint) {
        const c = checkpoint.counts;
        const counts = {
          new: c.new + result.new,
          updated: c.updated + result.updated,
          unchanged: c.unchanged + result.unchanged,
          rejected: c.rejected,
        };
        const row = {
          key: checkpoint.key,
          position: checkpoint.position,
          counts: JSON.stringify(counts),
          updated_at: now,
        };
        await trx
          .insertInto('import_checkpoints')
          .values(row)
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({ position: row.position, counts: row.counts, updated_at: now }),
          )
          .execute();
      }
      await this.record(trx, changed, true);
      return result;
    });
  }

  async getPaper(id: string, opts: { hidden?: boolean; fresh?: boolean } = {}): Promise<Paper | undefined> {
    if (!storable(id)) return undefined;
    if (!opts.hidden && !opts.fresh) return (await this.getPapers([id]))[0];
    if (!opts.hidden) return (await this.readPapers([id]))[0];
    const row = await this.db.selectFrom('papers').select(PAPER_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row ? frozen(paperFromRow(row)) : undefined;
  }

  async setCuration(
    id: string,
    patch: CurationPatch,
    audit: CurationAudit,
  ): Promise<{ paper: Paper; changed: boolean } | undefined> {
    const result = await this.db
      .transaction()
      .execute(async (trx) => {
        const before = await trx.selectFrom('papers').select(PAPER_COLUMNS).where('id', '=', id).executeTakeFirst();
        if (!before) return undefined;
        const set: Updateable<PapersTable> = {};
        if (patch.featuredOn !== undefined && patch.featuredOn !== before.featured_on)
          set.featured_on = patch.featuredOn;
        // Hiding a hidden paper (or locking a locked thread) keeps the time it was first done.
        if (patch.hiddenAt !== undefined && (patch.hiddenAt === null) !== (before.hidden_at === null))
          set.hidden_at = patch.hiddenAt;
        if (
          patch.commentsLockedAt !== undefined &&
          (patch.commentsLockedAt === null) !== (before.comments_locked_at === null)
        ) {
          set.comments_locked_at = patch.commentsLockedAt;
        }
        if (Object.keys(set).length === 0) return { paper: paperFromRow(before), changed: false };
        const row = await trx
          .updateTable('papers')
          .set(set)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, { ...audit, targetType: 'paper', targetId: id }, audit.at);
        await this.record(trx, [id], false);
        return { paper: paperFromRow(row), changed: true };
      })
      .catch(this.unsure(() => [id]));
    if (result?.changed) this.committed([id], false);
    return result;
  }

  async getVersions(id: string): Promise<PaperVersion[]> {
    const rows = await this.db
      .selectFrom('paper_versions')
      .selectAll()
      .where('paper_id', '=', id)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ version: r.version, date: r.date, source: r.source as SourceName }));
  }

  async getSources(id: string): Promise<PaperSource[]> {
    const rows = await this.db
      .selectFrom('paper_sources')
      .selectAll()
      .where('paper_id', '=', id)
      .orderBy('first_seen_at')
      .orderBy('source')
      .execute();
    return rows.map((r) => ({
      source: r.source as SourceName,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.changed_at,
    }));
  }

  private async filtered(query: ListQuery) {
    let q = this.db.selectFrom('papers').where('hidden_at', 'is', null);
    if (query.featuredOn) q = q.where('featured_on', '=', query.featuredOn);
    if (query.from) q = q.where('feed_day', '>=', query.from);
    if (query.to) q = q.where('feed_day', '<=', query.to);
    if (query.hasCode) q = q.where('has_code', '=', 1);
    if (query.selected)
      q = q.where((eb) =>
        eb.or([
          eb('daily_on', 'is not', null),
          eb('submitted_by', 'is not', null),
          eb('featured_on', 'is not', null),
          eb(sql<number>`upvotes + community_upvotes`, '>', 0),
        ]),
      );
    if (query.submittedBy) {
      const who = query.submittedBy.toLowerCase();
      q = q.where((eb) => eb(eb.fn('lower', ['submitted_by']), '=', who));
    }
    if (query.category) {
      const category = query.category;
      // A large category is best read by walking the feed order and probing each paper (EXISTS: 0.1 ms for cs.LG at
      // 75k papers, against 35 ms to collect and sort all of it with IN); a small one the other way round (IN: 0.01 ms,
      // EXISTS: 18 ms). The planner cannot tell them apart, so the category's size, an index-only count, decides.
      const size = Number(
        (
          await this.db
            .selectFrom('paper_categories')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('category', '=', category)
            .executeTakeFirstOrThrow()
        ).n,
      );
      q =
        size > LARGE_CATEGORY
          ? q.where(({ exists, selectFrom }) =>
              exists(
                selectFrom('paper_categories')
                  .select('paper_id')
                  .whereRef('paper_categories.paper_id', '=', 'papers.id')
                  .where('category', '=', category),
              ),
            )
          : q.where('id', 'in', (eb) =>
              eb.selectFrom('paper_categories').select('paper_id').where('category', '=', category),
            );
    }
    if (query.author !== undefined) {
      // A name without a letter or digit (":") has an empty key: it names nobody, not everybody.
      const key = authorKey(query.author);
      q = key
        ? q.where('id', 'in', (eb) => eb.selectFrom('paper_authors').select('paper_id').where('name_key', '=', key))
        : q.where(sql<boolean>`1 = 0`);
    }
    return q;
  }

  async listPapers(query: ListQuery = {}): Promise<Paper[]> {
    let q = (await this.filtered(query)).select(PAPER_COLUMNS);
    // Undated papers go last on both engines (PostgreSQL would put NULLs first in a descending order).
    const byDay = (ob: OrderByItemBuilder) => ob.desc().nullsLast();
    if (query.sort === 'trending') q = q.orderBy('trending', 'desc');
    else if (query.sort === 'upvotes')
      q = q.orderBy(sql`upvotes + community_upvotes`, 'desc').orderBy('trending', 'desc');
    else if (query.sort === 'date') q = q.orderBy('feed_day', byDay);
    else q = q.orderBy('feed_day', byDay).orderBy('trending', 'desc');
    const rows = await q
      .orderBy('id', 'desc')
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(paperFromRow);
  }

  async countPapers(query: ListQuery = {}): Promise<number> {
    const row = await (await this.filtered(query)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async dayCounts(from: string, to: string): Promise<{ day: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('papers')
      .select(['feed_day', (eb) => eb.fn.countAll().as('n')])
      .where('feed_day', '>=', from)
      .where('feed_day', '<=', to)
      .where('hidden_at', 'is', null)
      .groupBy('feed_day')
      .orderBy('feed_day', 'desc')
      .execute();
    return rows.map((r) => ({ day: r.feed_day!, count: Number(r.n) }));
  }

  async neighbourDays(day: string): Promise<{ previous: string | null; next: string | null }> {
    const previous = await this.db
      .selectFrom('papers')
      .select((eb) => eb.fn.max('feed_day').as('d'))
      .where('feed_day', '<', day)
      .where('hidden_at', 'is', null)
      .executeTakeFirst();
    const next = await this.db
      .selectFrom('papers')
      .select((eb) => eb.fn.min('feed_day').as('d'))
      .where('feed_day', '>', day)
      .where('hidden_at', 'is', null)
      .executeTakeFirst();
    return { previous: previous?.d ?? null, next: next?.d ?? null };
  }

  async getPapers(ids: string[]): Promise<Paper[]> {
    const distinct = [...new Set(ids)].filter(storable);
    if (distinct.length === 0) return [];
    const { found, missing, ticket } = this.kept.take(distinct);
    if (missing.length) {
      const read = await this.readPapers(missing);
      this.kept.put(read, ticket);
      for (const paper of read) found.set(paper.id, paper);
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** The papers still shown among `ids` (distinct), as the database holds them now; frozen, kept or not. */
  private async readPapers(ids: string[]): Promise<Paper[]> {
    const rows = this.papersById ? await this.papersById(ids) : await this.visibleRows(ids);
    return rows.map((row) => frozen(paperFromRow(row)));
  }

  /** The rows of the papers still shown among `ids` (SQLite's share of getPapers), a chunk of ids at a time. */
  private async visibleRows(ids: string[]): Promise<PaperRow[]> {
    const rows: PaperRow[] = [];
    for (const part of chunks(ids))
      rows.push(
        ...(await this.db
          .selectFrom('papers')
          .select(PAPER_COLUMNS)
          .where('id', 'in', part)
          .where('hidden_at', 'is', null)
          .execute()),
      );
    return rows;
  }

  async stats(): Promise<StoreStats> {
    const totals = await this.db
      .selectFrom('papers')
      .select((eb) => [
        eb.fn.countAll().as('papers'),
        eb.fn.sum<number>('has_code').as('with_code'),
        eb.fn.max('listed_on').as('newest'),
        // A paper at arXiv's v3 has had three versions, whether or not each was seen; one a source gave no
        // version for (a JSONL dump, a saved page) has had one.
        sql<number | string>`sum(case when version > 1 then version else 1 end)`.as('versions'),
      ])
      .executeTakeFirstOrThrow();
    const bySource = await this.db
      .selectFrom('paper_sources')
      .select(['source', (eb) => eb.fn.countAll().as('n')])
      .groupBy('source')
      .execute();
    return {
      papers: Number(totals.papers),
      versions: Number(totals.versions ?? 0),
      withCode: Number(totals.with_code ?? 0),
      bySource: Object.fromEntries(bySource.map((r) => [r.source, Number(r.n)])),
      newestListedOn: totals.newest ?? null,
      engine: this.engine,
      schemaVersion: this.schemaVersion,
    };
  }

  async getCheckpoint(key: string): Promise<ImportCheckpoint | undefined> {
    const row = await this.db.selectFrom('import_checkpoints').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    return {
      key: row.key,
      position: row.position,
      counts: JSON.parse(row.counts) as ImportCheckpoint['counts'],
      updatedAt: row.updated_at,
    };
  }

  async clearCheckpoint(key: string): Promise<void> {
    await this.db.deleteFrom('import_checkpoints').where('key', '=', key).execute();
  }

  async getHarvestState(key: string): Promise<HarvestState | undefined> {
    const row = await this.db.selectFrom('harvest_state').selectAll().where('key', '=', key).executeTakeFirst();
    return row
      ? { key: row.key, state: JSON.parse(row.state) as Record<string, unknown>, updatedAt: row.updated_at }
      : undefined;
  }

  async setHarvestState(key: string, state: Record<string, unknown>): Promise<void> {
    const row = { key, state: JSON.stringify(state), updated_at: this.clock().toISOString() };
    await this.db
      .insertInto('harvest_state')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ state: row.state, updated_at: row.updated_at }))
      .execute();
  }

  async close(): Promise<void> {
    this.kept.disable();
    while (this.merging) await this.merging;
    await this.feed.close();
    await this.db.destroy();
    await this.onClose();
  }
}

type Trx = Kysely<Database>;

/** The counters of papers as one transaction changes them, remembering which papers it touched. */
function counters(trx: Trx, touched: Set<string>): PaperCounters {
  // Relative UPDATEs: PostgreSQL applies them to the latest committed row (and SQLite runs one write transaction at
  // a time), so concurrent votes and comments never lose one another. The trending score follows in the same transaction.
  const bump = async (id: string, set: UpdateObject<Database, 'papers'>): Promise<Paper> => {
    const row = await trx.updateTable('papers').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    const paper = paperFromRow(row);
    const trending = paperTrending(paper);
    if (trending !== row.trending) await trx.updateTable('papers').set({ trending }).where('id', '=', id).execute();
    touched.add(id);
    return paper;
  };
  return {
    addVotes: (id, votes, points) =>
      bump(id, {
        community_upvotes: sql<number>`community_upvotes + ${votes}`,
        community_points: sql<number>`community_points + ${points}`,
      }),
    addComments: async (id, delta) => {
      await bump(id, { community_comments: sql<number>`community_comments + ${delta}` });
    },
  };
}

/**
 * A record from a source without arXiv ids (a saved page) names its paper by a title hash. When the store already
 * knows a paper with that title under its arXiv id, the record is about that paper. A title without a letter or
 * digit ("???", emoji) has an empty key, which says nothing about which paper it is: it matches none.
 */
async function resolveByTitle(trx: Trx, records: PaperRecord[]): Promise<PaperRecord[]> {
  const keys = [...new Set(records.filter((r) => isSyntheticId(r.id)).map((r) => titleKey(r.title)))].filter(Boolean);
  if (keys.length === 0) return records;
  const known = new Map<string, string>();
  for (const part of chunks(keys)) {
    const rows = await trx.selectFrom('papers').select(['id', 'title_key']).where('title_key', 'in', part).execute();
    for (const row of rows) {
      if (!known.has(row.title_key) || isSyntheticId(known.get(row.title_key)!)) known.set(row.title_key, row.id);
    }
  }
  return records.map((r) =>
    isSyntheticId(r.id) && known.has(titleKey(r.title)) ? { ...r, id: known.get(titleKey(r.title))! } : r,
  );
}

/**
 * The reverse: an arXiv record arrives for a title the store holds only under a provisional title-hash id.
 * That paper is taken over under the arXiv id (its sources move with it; the provisional row goes).
 */
async function adoptProvisional(
  trx: Trx,
  engine: Engine,
  records: PaperRecord[],
): Promise<Map<string, { from: string; paper: Paper }>> {
  const adopted = new Map<string, { from: string; paper: Paper }>();
  const byKey = new Map(records.filter((r) => !isSyntheticId(r.id)).map((r) => [titleKey(r.title), r.id]));
  byKey.delete('');
  if (byKey.size === 0) return adopted;
  for (const part of idGroups(engine, [...byKey.keys()])) {
    const rows = await trx
      .selectFrom('papers')
      .select(PAPER_COLUMNS)
      .where(isAnyOf(engine, 'title_key', part))
      .where('id', 'like', 'title-%')
      .execute();
    for (const row of rows) {
      const id = byKey.get(row.title_key)!;
      if (!adopted.has(id)) adopted.set(id, { from: row.id, paper: { ...paperFromRow(row), id } });
    }
  }
  return adopted;
}

/** `SET col = excluded.col` for every column of a row but the given ones. */
/** An arbitrary constant naming the lock that orders writers of papers on PostgreSQL (pg_advisory_xact_lock). */
const FEED_LOCK = 4_181_733_202;

/**
 * When the papers this transaction writes enter their feed day: later than any such time already stored, and taken
 * under a lock held until commit (SQLite's write lock; an advisory lock on PostgreSQL), so that these times increase
 * in commit order. A digest that has seen every paper up to some time (src/digest/compose.ts) then never misses one
 * committed later with an earlier time, whatever the clocks of the processes writing.
 */
async function feedStamp(trx: Transaction<Database>, engine: 'sqlite' | 'postgres', now: Date): Promise<string> {
  if (engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(${FEED_LOCK})`.execute(trx);
  const row = await trx
    .selectFrom('papers')
    .select((eb) => eb.fn.max('feed_at').as('at'))
    .executeTakeFirst();
  const newest = row?.at ? Date.parse(row.at) + 1 : 0;
  return new Date(Math.max(now.getTime(), newest)).toISOString();
}

function updateAll<Row extends object>(
  eb: { ref: (r: `excluded.${string}`) => unknown },
  sample: Row,
  except: (keyof Row)[],
): Record<string, never> {
  const set: Record<string, unknown> = {};
  for (const column of Object.keys(sample)) {
    if (!except.includes(column as keyof Row)) set[column] = eb.ref(`excluded.${column}`);
  }
  return set as Record<string, never>;
}
