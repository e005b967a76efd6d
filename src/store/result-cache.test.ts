import { describe, expect, it } from 'vitest';
import { ResultCache, untilPapersChange } from './result-cache.js';
import type { PapersChange } from './store.js';

describe('ResultCache', () => {
  it('keeps the most recently used answers up to its size', () => {
    const cache = new ResultCache<number>(2, 60_000);
    cache.set('a', 1, cache.ticket());
    cache.set('b', 2, cache.ticket());
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3, cache.ticket());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.length).toBe(2);
  });

  it('forgets answers past their time', () => {
    let now = 0;
    const cache = new ResultCache<number>(10, 1000, { now: () => now });
    cache.set('a', 1, cache.ticket());
    now = 999;
    expect(cache.get('a')).toBe(1);
    now = 2000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.length).toBe(0);
  });

  it('keeps the weight of its answers within the budget, least recently used out first', () => {
    const cache = new ResultCache<number[]>(100, 60_000, { weigh: (v) => v.length, budget: 10 });
    cache.set('a', [1, 2, 3, 4], cache.ticket());
    cache.set('b', [1, 2, 3, 4], cache.ticket());
    expect(cache.get('a')).toHaveLength(4);
    cache.set('c', [1, 2, 3, 4], cache.ticket());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toHaveLength(4);
    expect(cache.get('c')).toHaveLength(4);
    cache.set('huge', new Array(11).fill(0), cache.ticket());
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.length).toBe(2);
  });

  it('does not store an answer computed across a clear', () => {
    const cache = new ResultCache<number>(10, 60_000);
    const ticket = cache.ticket();
    cache.clear();
    cache.set('a', 1, ticket);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 2, cache.ticket());
    expect(cache.get('a')).toBe(2);
  });

  it('with secondAsk, remembers only the answers to questions asked before, among the last `size` asked', async () => {
    const cache = new ResultCache<string>(3, 60_000, { secondAsk: true });
    let computed = 0;
    const ask = (key: string) => cache.remember(key, async () => `${key}${++computed}`);
    expect(await ask('a')).toBe('a1');
    expect(cache.length).toBe(0);
    expect(await ask('a')).toBe('a2');
    expect(await ask('a')).toBe('a2');
    // Three questions asked once each push 'b' out of the keys remembered as asked, and store nothing.
    await ask('b');
    for (const key of ['c', 'd', 'e']) await ask(key);
    expect(cache.length).toBe(1);
    expect(await ask('b')).toBe('b7');
    expect(await ask('b')).toBe('b8');
    expect(await ask('b')).toBe('b8');
    expect(await ask('a')).toBe('a2');
    // A question asked again stays known as asked: after a clear its next answer is remembered at once.
    cache.clear();
    expect(await ask('a')).toBe('a9');
    expect(await ask('a')).toBe('a9');
  });
});

describe('untilPapersChange', () => {
  it('is cleared by a change until its owner closes, then lets go of the store', () => {
    const listeners = new Set<(change: PapersChange) => void>();
    const store = {
      onPapersChanged(listener: (change: PapersChange) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const closing = new AbortController();
    const cache = untilPapersChange<number>(store, 10, 60_000, closing.signal);
    cache.set('a', 1, cache.ticket());
    for (const listener of listeners) listener({ ids: ['2401.00001'], text: true });
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 2, cache.ticket());
    expect(listeners.size).toBe(1);
    closing.abort();
    expect(listeners.size).toBe(0);
    expect(cache.length).toBe(0);
    untilPapersChange<number>(store, 10, 60_000, closing.signal);
    expect(listeners.size).toBe(0);
  });
});
