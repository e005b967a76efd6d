import type { Paper } from '../model/paper.js';
import { ResultCache } from '../store/result-cache.js';
import type { ScoringTerm } from './bm25.js';
import { fuse, RELATED_FUSION } from './fusion.js';
import { coverage, type Ranker } from './ranking.js';
import { terms } from './tokenize.js';
import type { SearchMode } from './types.js';

/** Words of a paper that make its keyword query for related papers: more add time, not quality (bench/search-quality). */
export const RELATED_TERMS = 30;
/** Candidates each list gives related papers: 50, 100 and 200 rank alike, and fewer are quicker to find. */
const RELATED_POOL = 100;
/** Related papers remembered per paper until the index changes. */
const RELATED_CACHE_SIZE = 20_000;
/** Ids found per paper at least, so that asking for a few more later is answered from memory. */
const RELATED_AT_LEAST = 10;

/** Papers like a given one, remembered per paper and mode until `clear` (when the index's text changes). */
export class RelatedPapers {
  private readonly cache = new ResultCache<string[]>(RELATED_CACHE_SIZE, Infinity);

  constructor(
    private readonly ranker: Pick<Ranker, 'memory' | 'embedder'>,
    private readonly getPaper: (id: string) => Promise<Paper | undefined>,
  ) {}

  /** The ids of the `n` papers most like this one, best first, itself left out; none for a paper not found. */
  async ids(id: string, n: number, mode: SearchMode): Promise<string[]> {
    const key = mode === 'hybrid' ? id : `${mode}:${id}`;
    let ids = this.cache.get(key);
    if (!ids || ids.length < n) {
      const paper = await this.getPaper(id);
      ids = paper ? this.find(paper, Math.max(n, RELATED_AT_LEAST), mode) : [];
      this.cache.set(key, ids, this.cache.ticket());
    }
    return ids.slice(0, n);
  }

  clear(): void {
    this.cache.clear();
  }

  /**
   * Papers like this one: its own text as the query. The keyword list searches its most telling words (tf·idf,
   * title words counted twice as in the LSA fit), the semantic list its vector's nearest neighbours; both leave it out.
   */
  private find(paper: Paper, n: number, mode: SearchMode): string[] {
    const { memory } = this.ranker;
    const id = paper.id;
    const vector = mode === 'keyword' ? undefined : memory.papers.vectorOf(id);
    const semantic = vector ? memory.papers.nearest(vector, RELATED_POOL, {}, id) : undefined;
    if (semantic && mode === 'semantic') return semantic.slice(0, n).map((h) => h.id);
    const query = this.tellingTerms(paper);
    const found = memory.bm25.search(query, RELATED_POOL + 1, memory.papers.allow({}), 0);
    const keyword = found.hits
      .map(({ slot, score }) => ({ id: memory.papers.idOf(slot), score }))
      .filter((h) => h.id !== id);
    const ranked = semantic ? fuse(keyword, semantic, RELATED_FUSION, coverage(this.ranker, query)) : keyword;
    return ranked.slice(0, n).map((h) => h.id);
  }

  /** A paper's keyword query: its most telling words by tf·idf, title words counted twice as in the LSA fit. */
  private tellingTerms(paper: Paper): ScoringTerm[] {
    const { bm25 } = this.ranker.memory;
    const counts = new Map<string, number>();
    for (const t of terms(`${paper.title} ${paper.title} ${paper.abstract}`)) counts.set(t, (counts.get(t) ?? 0) + 1);
    return [...counts]
      .filter(([t]) => bm25.has(t))
      .map(([t, tf]) => ({ stem: t, weight: 1 + Math.log(tf), telling: (1 + Math.log(tf)) * bm25.idf(t) }))
      .sort((a, b) => b.telling - a.telling || (a.stem < b.stem ? -1 : 1))
      .slice(0, RELATED_TERMS)
      .map(({ stem, weight }) => ({ stem, weight }));
  }
}
