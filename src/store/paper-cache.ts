import type { Paper } from '../model/paper.js';

/** Forgettings remembered for the reads under way; a read that began before the oldest of them stores nothing. */
const FORGOTTEN_KEPT = 1_000;

/**
 * Papers read by id, kept between reads while their store follows the change feed: every change to a paper, written
 * here or in another process, forgets it (`forget`, from the store's announcements). A paper page, its related
 * papers and a search's hits then read the database only for the papers it has not read lately. A paper is shared by
 * every reader, so it is frozen. Until `enable` (the store follows the feed) nothing is kept: a process that does not
 * hear the others' changes could not forget what they change. `ttlMs` bounds a stale paper's life if a change is
 * ever missed.
 */
export class PaperCache {
  private readonly papers = new Map<string, { paper: Paper; at: number }>();
  private enabled = false;
  /** Moves on every forgetting; a read takes it as its ticket. */
  private epoch = 0;
  /** The ids forgotten at each recent epoch (oldest first); `all` for a clear. */
  private readonly forgotten: { epoch: number; ids: ReadonlySet<string> | 'all' }[] = [];

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
    this.enabled = false;
    this.clear();
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

  /** Keeps papers read since `ticket`, but none that a change forgot meanwhile: the read may predate the change. */
  put(papers: readonly Paper[], ticket: number): void {
    if (!this.enabled || papers.length === 0) return;
    let since: Set<string> | undefined;
    if (ticket !== this.epoch) {
      const first = this.forgotten.findIndex((f) => f.epoch > ticket);
      if (first === -1 || this.forgotten[first]!.epoch !== ticket + 1) return;
      since = new Set();
      for (const f of this.forgotten.slice(first)) {
        if (f.ids === 'all') return;
        for (const id of f.ids) since.add(id);
      }
    }
    const at = this.now();
    for (const paper of papers) {
      if (since?.has(paper.id)) continue;
      this.papers.delete(paper.id);
      this.papers.set(paper.id, { paper: freeze(paper), at });
    }
    while (this.papers.size > this.size) this.papers.delete(this.papers.keys().next().value!);
  }

  forget(ids: readonly string[]): void {
    if (ids.length > this.size) {
      this.clear();
      return;
    }
    for (const id of ids) this.papers.delete(id);
    this.remember(new Set(ids));
  }

  clear(): void {
    this.papers.clear();
    this.remember('all');
  }

  get length(): number {
    return this.papers.size;
  }

  private remember(ids: ReadonlySet<string> | 'all'): void {
    this.epoch++;
    this.forgotten.push({ epoch: this.epoch, ids });
    if (this.forgotten.length > FORGOTTEN_KEPT) this.forgotten.shift();
  }
}

function freeze(paper: Paper): Paper {
  Object.freeze(paper.authors);
  Object.freeze(paper.categories);
  Object.freeze(paper.codeUrls);
  Object.freeze(paper.provenance);
  if (paper.thumbnail) Object.freeze(paper.thumbnail);
  return Object.freeze(paper);
}
