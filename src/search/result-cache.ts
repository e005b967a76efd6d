/**
 * The answers to recent searches, until the index changes. The same search comes back often: a feed reader polling
 * a search's RSS, a reader paging back, a shared link, a digest's saved searches. Bounded (least recently used out)
 * and short-lived, so that a change this process was not told about (another process's import) shows soon.
 */
export class ResultCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Moves on every clear: an answer computed before a clear is not stored after it. */
  private generation = 0;

  constructor(
    private readonly size: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (this.now() - hit.at >= this.ttlMs) return undefined;
    this.entries.set(key, hit);
    return hit.value;
  }

  /** The current generation, to hand back to `set` once the answer is computed. */
  ticket(): number {
    return this.generation;
  }

  set(key: string, value: V, ticket: number): void {
    if (ticket !== this.generation || this.size <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get length(): number {
    return this.entries.size;
  }
}
