import type { Paper } from '../model/paper.js';

/** Ids whose latest forgetting is remembered for the reads under way; a read older than those forgotten keeps nothing. */
const FORGOTTEN_KEPT = 20_000;

/**
 * Papers read by id, kept between reads while their store follows the change feed: every change to a paper, written
 * here or in another process, forgets it (`forget`, from the store's announcements). A paper page, its related
 * papers and a search's hits then read the database only for the papers it has not read lately. Papers are shared by
 * every reader: the store freezes every paper it reads (`frozen`). Until `enable` (the store follows the feed) nothing
 * is kept: a process that does not hear the others' changes could not forget what they change. `ttlMs` bounds a
 * stale paper's life if a change is ever missed.
 */
export class PaperCache {
  private readonly papers = new Map<string, { paper: Paper; at: number }>();
  private enabled = false;
  /** Moves on every forgetting; a read takes it as its ticket. */
  private epoch = 0;
  /** Each id's latest forgetting (its epoch), oldest first, at most FORGOTTEN_KEPT. */
  private readonly forgotten = new Map<string, number>();
  /** A read whose ticket is older keeps nothing: forgettings after it may no longer all be remembered. */
  private floor = 0;

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps papers from now on; a read begun before (perhaps before a change the feed will not bring) is not kept. */
  enable(): void {
    this.clear();
    this.enabled = this.size > 0;
  }

  disable(): void {
    this.clear();
    this.enabled = false;
  }

  /** The papers kept among `ids`, the ids to read, and the ticket to `put` what is read with. */
  take(ids: readonly string[]): { found: Map<string, Paper>; missing: string[]; ticket: number } {
    const found = new Map<string, Paper>();
    const missing: string[] = [];
    const now = this.now();
    for (const id of ids) {
      const kept = this.enabled ? this.papers.get(id) : undefined;
      if (kept && now - kept.at < this.ttlMs) {
        // Most recently used last: the oldest goes first when the cache is full.
        this.papers.delete(id);
        this.papers.set(id, kept);
        found.set(id, kept.paper);
      } else {
        if (kept) this.papers.delete(id);
        missing.push(id);
      }
    }
    return { found, missing, ticket: this.epoch };
  }

  /** Keeps papers read since `ticket` (frozen), but none that a change forgot meanwhile: the read may predate it. */
  put(papers: readonly Paper[], ticket: number): void {
    if (!this.enabled || ticket < this.floor) return;
    const at = this.now();
    for (const paper of papers) {
      if ((this.forgotten.get(paper.id) ?? 0) > ticket) continue;
      this.papers.delete(paper.id);
      this.papers.set(paper.id, { paper: frozen(paper), at });
    }
    while (this.papers.size > this.size) this.papers.delete(this.papers.keys().next().value!);
  }

  forget(ids: readonly string[]): void {
    if (!this.enabled) return;
    if (ids.length > this.size) {
      this.clear();
      return;
    }
    this.epoch++;
    for (const id of ids) {
      this.papers.delete(id);
      this.forgotten.delete(id);
      this.forgotten.set(id, this.epoch);
    }
    for (const [id, epoch] of this.forgotten) {
      if (this.forgotten.size <= FORGOTTEN_KEPT) break;
      this.forgotten.delete(id);
      this.floor = Math.max(this.floor, epoch);
    }
  }

  clear(): void {
    this.papers.clear();
    this.forgotten.clear();
    this.floor = ++this.epoch;
  }

  get length(): number {
    return this.papers.size;
  }
}

/** A paper and its lists frozen: shared by every reader of a store, none may change it. */
export function frozen(paper: Paper): Paper {
  if (Object.isFrozen(paper)) return paper;
  Object.freeze(paper.authors);
  Object.freeze(paper.categories);
  Object.freeze(paper.codeUrls);
  Object.freeze(paper.provenance);
  if (paper.thumbnail) Object.freeze(paper.thumbnail);
  return Object.freeze(paper);
}
