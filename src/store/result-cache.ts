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
  /** With `secondAsk`: the keys asked lately (oldest first), of which an answer is remembered on the next ask. */
  private readonly asked: Set<string> | undefined;

  /**
   * At most `size` answers, and with `weigh`, at most `budget` of their weight (least recently used out first). With
   * `secondAsk`, an answer is remembered only when its key was asked before (among the last `size` keys asked): a
   * question asked once is not kept, nor does it push out answers asked for again (a crawler's or a load test's
   * distinct searches would otherwise fill the cache with answers nobody reads, each kept until pushed out).
   */
  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    options: { now?: () => number; weigh?: (value: V) => number; budget?: number; secondAsk?: boolean } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.weigh = options.weigh ?? (() => 1);
    this.budget = options.budget ?? Infinity;
    if (options.secondAsk) this.asked = new Set();
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
    this.askedBefore(key);
    return hit.value;
  }

  /** The current generation, to hand back to `set` once the answer is computed. */
  ticket(): number {
    return this.generation;
  }

  set(key: string, value: V, ticket: number): void {
    if (ticket !== this.generation || this.size <= 0 || !this.askedBefore(key)) return;
    const weight = this.weigh(value);
    if (weight > this.budget) return;
    this.drop(key);
    this.entries.set(key, { value, at: this.now(), weight });
    this.weight += weight;
    while (this.entries.size > this.size || this.weight > this.budget) this.drop(this.entries.keys().next().value!);
  }

  /** Whether `key` was asked lately; notes that it was, as the latest (always true without `secondAsk`). */
  private askedBefore(key: string): boolean {
    const asked = this.asked;
    if (!asked) return true;
    const before = asked.delete(key);
    asked.add(key);
    if (before) return true;
    if (asked.size > this.size) asked.delete(asked.keys().next().value!);
    return false;
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
