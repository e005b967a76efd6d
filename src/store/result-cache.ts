import type { Store } from './store.js';

/**
 * Answers derived from the store (a search, a rendered page, an API list), remembered until what they were derived
 * from changes. The same question comes back often: the front page, a
 * feed reader polling a search's RSS, a reader paging back, a shared link, a digest's saved searches. Bounded (least
 * recently used out) and short-lived, so that a change this process was not told about shows soon.
 */
export class ResultCache<V> {
  private readonly entries = new Map<string, { value: V; at: number; weight: number }>();
  private weight = 0;
  /** Moves on every clear: an answer computed before a clear is not stored after it. */
  private generation = 0;

  private readonly now: () => number;
  private readonly weigh: (value: V) => number;
  private readonly budget: number;

  /** At most `size` answers, and with `weigh`, at most `budget` of their weight (least recently used out first). */
  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    options: { now?: () => number; weigh?: (value: V) => number; budget?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.weigh = options.weigh ?? (() => 1);
    this.budget = options.budget ?? Infinity;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (this.now() - hit.at >= this.ttlMs) {
      this.weight -= hit.weight;
      return undefined;
    }
    this.entries.set(key, hit);
    return hit.value;
  }

  /** The current generation, to hand back to `set` once the answer is computed. */
  ticket(): number {
    return this.generation;
  }

  set(key: string, value: V, ticket: number): void {
    if (ticket !== this.generation || this.size <= 0) return;
    const weight = this.weigh(value);
    if (weight > this.budget) return;
    this.drop(key);
    this.entries.set(key, { value, at: this.now(), weight });
    this.weight += weight;
    while (this.entries.size > this.size || this.weight > this.budget) this.drop(this.entries.keys().next().value!);
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.weight -= old.weight;
  }

  /** The remembered answer for `key`, or the one `compute` gives (remembered unless a clear came meanwhile). */
  async remember(key: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const ticket = this.ticket();
    const value = await compute();
    this.set(key, value, ticket);
    return value;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.weight = 0;
  }

  get length(): number {
    return this.entries.size;
  }
}

/**
 * A cache cleared whenever the store's papers change (a write in this process, or in another one when the store
 * follows its change feed: `Store.followChanges`), until `until` aborts (its owner closed; the store stops calling it
 * and lets it go). `ttlMs` bounds how long a change goes unseen by a process that does not follow the feed.
 */
export function untilPapersChange<V>(
  store: Pick<Store, 'onPapersChanged'>,
  size: number,
  ttlMs: number,
  until: AbortSignal,
): ResultCache<V> {
  const cache = new ResultCache<V>(size, ttlMs);
  if (until.aborted) return cache;
  const unsubscribe = store.onPapersChanged(() => cache.clear());
  until.addEventListener(
    'abort',
    () => {
      unsubscribe();
      cache.clear();
    },
    { once: true },
  );
  return cache;
}
