import type { Paper } from '../model/paper.js';
import type { SearchService } from '../search/search.js';
import { parseSearchForm, toSearchQuery } from '../search/search-form.js';
import { ResultCache } from '../store/result-cache.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Alert } from './subscribers.js';

/** Candidates fetched per list: enough to fill a section after the papers a subscriber already had are skipped. */
export const CANDIDATES = 40;
/** Papers shown per section of a mail. */
export const PER_SECTION = 10;
/** Distinct alert lists and papers remembered during one pass; bounded so memory does not grow with subscribers. */
const LIST_CACHE = 20_000;
const PAPER_CACHE = 5_000;

/**
 * The candidate papers of each list (trending, a category, an author, a saved search) in a window of feed days, as
 * ids best first. Many subscribers follow the same lists, so each is asked of the store or the search once per pass.
 */
export class DigestSources {
  // One pass at a time, so what is remembered never goes stale: no time limit, only a size.
  private readonly lists = new ResultCache<Promise<string[]>>(LIST_CACHE, Infinity);
  private readonly papers = new ResultCache<Paper>(PAPER_CACHE, Infinity);

  constructor(
    private readonly store: Store,
    private readonly db: Db,
    private readonly search: (() => Promise<SearchService>) | undefined,
  ) {}

  trending(from: string, to: string): Promise<string[]> {
    return this.cached(`trending\u0000${from}\u0000${to}`, async () =>
      ids(await this.store.listPapers({ from, to, sort: 'trending', limit: CANDIDATES })),
    );
  }

  alert(alert: Alert, from: string, to: string): Promise<string[]> {
    return this.cached(`${alert.kind}\u0000${alert.value}\u0000${from}\u0000${to}`, async () => {
      if (alert.kind === 'category') return this.inCategory(alert.value, from, to);
      if (alert.kind === 'author')
        return ids(await this.store.listPapers({ author: alert.value, from, to, limit: CANDIDATES }));
      if (!this.search) return [];
      const search = await this.search();
      const query = {
        ...toSearchQuery(parseSearchForm(new URLSearchParams(alert.value)), CANDIDATES),
        from,
        to,
        sort: 'relevance' as const,
        mode: 'keyword' as const,
      };
      return (await search.search(query)).hits.map((h) => h.paper.id);
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

  /**
   * Newest day first, then trending. Walks the window's papers and probes each one's categories: 0.3 ms where the
   * store's `category IN (all papers of the category)` filter takes 30 ms for a large category such as cs.LG.
   */
  private async inCategory(category: string, from: string, to: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('papers')
      .select('id')
      .where('feed_day', '>=', from)
      .where('feed_day', '<=', to)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('paper_categories')
            .select('paper_id')
            .whereRef('paper_categories.paper_id', '=', 'papers.id')
            .where('category', '=', category),
        ),
      )
      .orderBy('feed_day', 'desc')
      .orderBy('trending', 'desc')
      .orderBy('id', 'desc')
      .limit(CANDIDATES)
      .execute();
    return rows.map((r) => r.id);
  }

  private cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
    let v = this.lists.get(key);
    if (!v) {
      v = load();
      this.lists.set(key, v, this.lists.ticket());
    }
    return v;
  }
}

const ids = (papers: Paper[]) => papers.map((p) => p.id);
