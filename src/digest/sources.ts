import { sql } from 'kysely';
import type { Paper } from '../model/paper.js';
import { authorKey } from '../model/record.js';
import { MAX_LIMIT, type SearchService } from '../search/search.js';
import { parseSearchForm, toSearchQuery } from '../search/search-form.js';
import { ResultCache } from '../store/result-cache.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Alert } from './subscribers.js';

/** Papers shown per section of a mail (the rest are counted and linked). */
export const PER_SECTION = 10;
/** Papers of a period read per list: enough to rank a busy week of a large category (cs.LG lists ~1,000 a week). */
export const LIST_MAX = 2_000;
/** A saved search's hits read per period: the most one search answers. */
export const SEARCH_MAX = MAX_LIMIT;
/**
 * A saved search sends only papers that match at least this share of its words (the keyword score over the most
 * the search could give: src/search/query-plan.ts `bestScore`). Set with `npm run bench:alert-threshold` on the
 * judged collections: the lowest share at which the precision of what is sent reaches 0.5 on both Cranfield (0.60)
 * and CACM (0.30). Their queries are long sentences; an alert's two or three words match fully far more often.
 */
export const MIN_MATCH = 0.6;
/** Distinct lists and papers remembered during one pass; bounded so memory does not grow with subscribers. */
const LIST_CACHE = 2_000;
const PAPER_CACHE = 5_000;

/**
 * What a list is read for: papers of feed days from `from` on that entered their day after `since` (the reader's
 * watermark: what their last digest had seen; none before a first digest). Choosing by when papers arrived, not by a
 * window of days, keeps a paper listed late (arXiv's weekend and holiday batches, a day ahead in UTC) from falling
 * between two digests; `from` only keeps back-fills of old papers out.
 */
export interface Period {
  from: string;
  since: string | undefined;
}
const key = (p: Period) => `${p.from}\u0000${p.since ?? ''}`;

/** The papers of one list in one period, best first: their ids and when each entered its feed day. */
export interface Ranked {
  ids: string[];
  feedAt: string[];
  /** More papers matched than were read. */
  capped: boolean;
}

/**
 * The papers of each list (trending, a category, an author, a saved search) in a window of feed days, best first:
 * most upvoted (here and at the source), then trending; a saved search's papers above its threshold, most upvoted,
 * then most relevant. Many subscribers follow the same lists, so each is read once per pass.
 */
export class DigestSources {
  // One pass at a time, so what is remembered never goes stale: no time limit, only a size.
  private readonly lists = new ResultCache<Promise<Ranked>>(LIST_CACHE, Infinity);
  private readonly papers = new ResultCache<Paper>(PAPER_CACHE, Infinity);

  constructor(
    private readonly store: Store,
    private readonly db: Db,
    private readonly search: (() => Promise<SearchService>) | undefined,
  ) {}

  /** The community's selection of the period (Hugging Face's daily list, submitted, featured or upvoted here). */
  trending(period: Period): Promise<Ranked> {
    return this.cached(`trending\u0000${key(period)}`, () =>
      this.window(period, (q) =>
        q.where((eb) =>
          eb.or([
            eb('daily_on', 'is not', null),
            eb('submitted_by', 'is not', null),
            eb('featured_on', 'is not', null),
            eb(sql<number>`upvotes + community_upvotes`, '>', 0),
          ]),
        ),
      ),
    );
  }

  /** Every visible paper of the period (what "For you" ranks for a reader), most upvoted first. */
  everything(period: Period): Promise<Ranked> {
    return this.cached(`everything\u0000${key(period)}`, () => this.window(period, (q) => q));
  }

  alert(alert: Alert, period: Period): Promise<Ranked> {
    return this.cached(`${alert.kind}\u0000${alert.value}\u0000${key(period)}`, async () => {
      if (alert.kind === 'category')
        return this.window(period, (q) =>
          q.where(({ exists, selectFrom }) =>
            exists(
              selectFrom('paper_categories')
                .select('paper_id')
                .whereRef('paper_categories.paper_id', '=', 'papers.id')
                .where('category', '=', alert.value),
            ),
          ),
        );
      if (alert.kind === 'author') {
        const key = authorKey(alert.value);
        if (!key) return { ids: [], feedAt: [], capped: false };
        return this.window(period, (q) =>
          q.where('id', 'in', (eb) => eb.selectFrom('paper_authors').select('paper_id').where('name_key', '=', key)),
        );
      }
      if (!this.search) return { ids: [], feedAt: [], capped: false };
      const search = await this.search();
      const form = parseSearchForm(new URLSearchParams(alert.value));
      const hits = form.q.trim()
        ? (
            await search.search({
              ...toSearchQuery(form, SEARCH_MAX),
              from: period.from,
              to: undefined,
              sort: 'relevance',
              mode: 'keyword',
              minMatch: MIN_MATCH,
            })
          ).hits.map((h) => h.paper)
        : // Categories without words: the categories' papers of the period, as a category alert has them.
          undefined;
      if (!hits)
        return this.window(period, (q) =>
          q.where(({ exists, selectFrom }) =>
            exists(
              selectFrom('paper_categories')
                .select('paper_id')
                .whereRef('paper_categories.paper_id', '=', 'papers.id')
                .where('category', 'in', form.categories),
            ),
          ),
        );
      for (const p of hits) this.papers.set(p.id, p, this.papers.ticket());
      // Stable: equally upvoted papers keep the search's order (most relevant first).
      const ranked = [...hits].sort((a, b) => b.upvotes + b.communityUpvotes - (a.upvotes + a.communityUpvotes));
      return {
        ...(await this.withFeedAt(
          ranked.map((p) => p.id),
          period.since,
        )),
        capped: hits.length >= SEARCH_MAX,
      };
    });
  }

  /** The papers with these ids (unknown ones left out), from memory when recently used. */
  async getPapers(wanted: string[]): Promise<Map<string, Paper>> {
    const out = new Map<string, Paper>();
    const missing: string[] = [];
    for (const id of new Set(wanted)) {
      const p = this.papers.get(id);
      if (p) out.set(id, p);
      else missing.push(id);
    }
    for (const p of missing.length ? await this.store.getPapers(missing) : []) {
      this.papers.set(p.id, p, this.papers.ticket());
      out.set(p.id, p);
    }
    return out;
  }

  /** The newest moment a paper entered its feed day: what a digest composed now has seen. */
  async newestFeedAt(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('papers')
      .select((eb) => eb.fn.max('feed_at').as('at'))
      .executeTakeFirst();
    return row?.at ?? undefined;
  }

  /** The visible papers of a window of feed days that `narrow` keeps, most upvoted first, then trending. */
  private async window(
    period: Period,
    narrow: (q: ReturnType<DigestSources['base']>) => ReturnType<DigestSources['base']>,
  ): Promise<Ranked> {
    const rows = await narrow(this.base(period))
      .orderBy(sql`upvotes + community_upvotes`, 'desc')
      .orderBy('trending', 'desc')
      .orderBy('id', 'desc')
      .limit(LIST_MAX)
      .execute();
    return {
      ids: rows.map((r) => r.id),
      feedAt: rows.map((r) => r.feed_at ?? r.created_at),
      capped: rows.length >= LIST_MAX,
    };
  }

  /** No upper bound on the day: a paper dated by UTC (a submission, Hugging Face's list) may be ahead of a reader's day. */
  private base(period: Period) {
    const q = this.db
      .selectFrom('papers')
      .select(['id', 'feed_at', 'created_at'])
      .where('hidden_at', 'is', null)
      .where('feed_day', '>=', period.from);
    return period.since ? q.where('feed_at', '>', period.since) : q;
  }

  /** Ids in their order, with when each entered its feed day (hidden papers left out). */
  private async withFeedAt(ids: string[], since: string | undefined): Promise<Omit<Ranked, 'capped'>> {
    if (ids.length === 0) return { ids: [], feedAt: [] };
    const rows = await this.db
      .selectFrom('papers')
      .select(['id', 'feed_at', 'created_at'])
      .where('id', 'in', ids)
      .where('hidden_at', 'is', null)
      .execute();
    const at = new Map(rows.map((r) => [r.id, r.feed_at ?? r.created_at]));
    const kept = ids.filter((id) => at.has(id) && (!since || at.get(id)! > since));
    return { ids: kept, feedAt: kept.map((id) => at.get(id)!) };
  }

  private cached(key: string, load: () => Promise<Ranked>): Promise<Ranked> {
    let v = this.lists.get(key);
    if (!v) {
      v = load();
      this.lists.set(key, v, this.lists.ticket());
    }
    return v;
  }
}
