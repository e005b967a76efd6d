import { describe, expect, it } from 'vitest';
import type { Paper } from '../model/paper.js';
import { PaperCache } from './paper-cache.js';

const paper = (id: string, upvotes = 0): Paper =>
  ({
    id,
    upvotes,
    authors: ['Ada'],
    categories: ['cs.LG'],
    codeUrls: [],
    provenance: {},
    thumbnail: null,
  }) as unknown as Paper;

describe('PaperCache', () => {
  it('keeps nothing until enabled, then what was read, most recently used last, within its size', () => {
    const cache = new PaperCache(2, 60_000);
    cache.put([paper('a')], cache.take(['a']).ticket);
    expect(cache.take(['a']).missing).toEqual(['a']);
    cache.enable();
    cache.put([paper('a'), paper('b')], cache.take(['a', 'b']).ticket);
    expect(cache.take(['a']).found.get('a')?.id).toBe('a');
    cache.put([paper('c')], cache.take(['c']).ticket);
    // b was used least recently: it went.
    const { found, missing } = cache.take(['a', 'b', 'c']);
    expect([[...found.keys()], missing]).toEqual([['a', 'c'], ['b']]);
    expect(Object.isFrozen(found.get('a'))).toBe(true);
    expect(Object.isFrozen(found.get('a')!.categories)).toBe(true);
  });

  it('does not keep a paper read before a change forgot it, but keeps the others read with it', () => {
    const cache = new PaperCache(10, 60_000);
    cache.enable();
    const { ticket } = cache.take(['a', 'b']);
    cache.forget(['a']);
    cache.put([paper('a'), paper('b')], ticket);
    expect(cache.take(['a', 'b']).missing).toEqual(['a']);
    const next = cache.take(['a']).ticket;
    cache.clear();
    cache.put([paper('a')], next);
    expect(cache.take(['a']).missing).toEqual(['a']);
  });

  it('forgets a paper changed, all on enable and disable, and one older than its time to live', () => {
    let now = 0;
    const cache = new PaperCache(10, 1_000, () => now);
    cache.enable();
    cache.put([paper('a'), paper('b')], cache.take([]).ticket);
    cache.forget(['a']);
    expect(cache.take(['a', 'b']).missing).toEqual(['a']);
    now = 1_000;
    expect(cache.take(['b']).missing).toEqual(['b']);
    cache.put([paper('b')], cache.take([]).ticket);
    const before = cache.take([]).ticket;
    cache.enable();
    expect(cache.take(['b']).missing).toEqual(['b']);
    cache.put([paper('b')], before);
    expect(cache.length).toBe(0);
    cache.put([paper('b')], cache.take([]).ticket);
    cache.disable();
    cache.put([paper('b')], cache.take([]).ticket);
    expect(cache.length).toBe(0);
  });

  it('does not keep a read older than the forgettings it remembers, and remembers none while disabled', () => {
    const cache = new PaperCache(10, 60_000);
    cache.enable();
    const { ticket } = cache.take(['a']);
    // 20,000 ids' latest forgettings are remembered: the first of these is no longer, so the read may have missed it.
    for (let i = 0; i < 2_001; i++) cache.forget(Array.from({ length: 10 }, (_, k) => `x${i}-${k}`));
    cache.put([paper('a')], ticket);
    expect(cache.length).toBe(0);
    const recent = cache.take(['a']).ticket;
    for (let i = 0; i < 100; i++) cache.forget([`y${i}`]);
    cache.put([paper('a')], recent);
    expect(cache.length).toBe(1);

    cache.disable();
    const before = cache.take([]).ticket;
    cache.forget(['a']);
    expect(cache.take([]).ticket).toBe(before);
  });
});
