import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { insertAccount } from '../accounts/accounts.js';
import { toggleVote } from '../accounts/votes.js';
import type { PaperRecord } from '../model/record.js';
import { type ForYou, openForYou } from './for-you.js';
import { markNotInterested, resetForYou, unmarkNotInterested } from './signals.js';
import { loadTermStats, RECOUNT_DAYS } from './term-stats-file.js';

/** Topics, each a few sentences to vary: papers on one share its rare words and phrases, not the others'. */
const TOPICS: Record<string, { category: string; words: string[] }> = {
  protein: {
    category: 'q-bio.BM',
    words: ['protein folding', 'amino acid sequences', 'structure prediction', 'binding affinity', 'molecular docking'],
  },
  quantum: {
    category: 'quant-ph',
    words: ['surface codes', 'quantum error correction', 'logical qubits', 'syndrome decoding', 'fault tolerance'],
  },
  robots: {
    category: 'cs.RO',
    words: ['legged locomotion', 'robot manipulation', 'grasp planning', 'sim-to-real transfer', 'tactile sensing'],
  },
  galaxies: {
    category: 'astro-ph.GA',
    words: ['galaxy clusters', 'dark matter halos', 'redshift surveys', 'stellar populations', 'weak lensing'],
  },
  markets: {
    category: 'q-fin.TR',
    words: [
      'limit order books',
      'market microstructure',
      'price impact',
      'high-frequency trading',
      'liquidity provision',
    ],
  },
  speech: {
    category: 'eess.AS',
    words: ['speech recognition', 'acoustic models', 'speaker diarization', 'phoneme alignment', 'noisy audio'],
  },
};

const paper = (id: string, topic: string, i: number, day: string, extra = ''): PaperRecord => {
  const { category, words } = TOPICS[topic]!;
  const w = (k: number) => words[(i + k) % words.length]!;
  return {
    id,
    source: 'arxiv-oai',
    title: `On ${w(0)} and ${w(1)}${extra ? ` ${extra}` : ''}`,
    abstract: `We study ${w(0)} with ${w(2)}. Our method improves ${w(1)} and ${w(3)} on standard benchmarks. ${extra}`,
    authors: [`Author ${topic} ${i}`],
    primaryCategory: category,
    categories: [category],
    listedOn: day,
  };
};

const OLD = '2026-06-01';
const DAY = '2026-07-01';
const topics = Object.keys(TOPICS);
/** Six older papers per topic (to like) and two new ones per topic on DAY (to rank). */
const records: PaperRecord[] = [
  ...topics.flatMap((t, ti) => Array.from({ length: 6 }, (_, i) => paper(`2606.0${ti}${i}00`, t, i, OLD))),
  ...topics.flatMap((t, ti) => Array.from({ length: 2 }, (_, i) => paper(`2607.0${ti}${i}00`, t, i + 3, DAY))),
];
const dayIds = records.filter((r) => r.listedOn === DAY).map((r) => r.id);
const idsOf = (topic: string, day: string) =>
  records.filter((r) => r.listedOn === day && r.primaryCategory === TOPICS[topic]!.category).map((r) => r.id);

describe('For you when the database fails', () => {
  it('logs a change it cannot read and goes on, instead of leaving a rejection that ends the process', async () => {
    const t = await freshStore('sqlite');
    await t.store.upsertPapers(records.slice(0, 4));
    let listener: ((change: { ids: string[]; text: boolean }) => void) | undefined;
    const store = {
      onPapersChanged(l: (change: { ids: string[]; text: boolean }) => void) {
        listener = l;
        return () => {};
      },
    };
    const logged: string[] = [];
    const forYou = await openForYou(store, t.db, { log: (level, message) => logged.push(`${level}: ${message}`) });
    await t.dispose();
    listener!({ ids: [records[5]!.id], text: true });
    listener!({ ids: [records[6]!.id], text: true });
    await expect(forYou.features('nobody', [])).rejects.toThrow();
    expect(logged.filter((l) => l.startsWith('warn: for you: could not read 1 changed papers'))).toHaveLength(2);
    await forYou.close();
  });
});

describe.each(engines)('For you on %s', (engine) => {
  let t: TestStore;
  let forYou: ForYou;
  const now = new Date('2026-07-01T09:00:00Z');
  let n = 0;
  async function account(): Promise<{ id: string; createdAt: string }> {
    n++;
    const id = await insertAccount(t.db, { email: `reader${n}@example.org`, handle: `reader-${n}` }, now);
    return { id: id!, createdAt: now.toISOString() };
  }
  const upvote = (a: { id: string; createdAt: string }, id: string) => toggleVote(t.store, a, id, now);

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(records);
    forYou = await openForYou(t.store, t.db);
  });
  afterAll(async () => {
    forYou.close();
    await t.dispose();
  });

  it('saves its term counts to a file; the next start counts only the papers added since, and ranks the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-for-you-'));
    const termsFile = join(dir, 'for-you-terms.snapshot');
    const infos: string[] = [];
    const log = (level: string, message: string) => infos.push(`${level}: ${message}`);
    try {
      // A process that only reads the file (the second of `serve --processes 2`) counts every paper and writes nothing.
      await (await openForYou(t.store, t.db, { termsFile, savesTerms: false, log })).close();
      expect(existsSync(termsFile)).toBe(false);
      const first = await openForYou(t.store, t.db, { termsFile, log });
      first.close();
      await expect.poll(() => existsSync(termsFile)).toBe(true);
      expect(infos.join('\n')).not.toMatch(/loaded/);

      const added = paper(`2606.0${topics.length}9900`, 'markets', 9, '2026-06-15', 'with order flow toxicity');
      await t.store.upsertPapers([added]);
      const a = await account();
      for (const id of idsOf('markets', OLD).slice(0, 3)) await upvote(a, id);
      const candidates = [...dayIds, added.id];
      infos.length = 0;
      const restored = await openForYou(t.store, t.db, { termsFile, log });
      expect(infos.join('\n')).toMatch(new RegExp(`term counts of ${records.length} papers loaded`));
      const fresh = await openForYou(t.store, t.db);
      const order = async (f: ForYou) => (await f.rank(a.id, candidates)).map((r) => [r.paperId, r.score.toFixed(9)]);
      expect(await order(restored)).toEqual(await order(fresh));
      await restored.close();
      await fresh.close();

      // Counts only grow (hidden and revised papers keep theirs): a file whose counting began a week ago is recounted.
      expect(await loadTermStats(termsFile, new Date(Date.now() + (RECOUNT_DAYS - 1) * 86_400_000))).toBeDefined();
      expect(await loadTermStats(termsFile, new Date(Date.now() + (RECOUNT_DAYS + 1) * 86_400_000))).toBeUndefined();

      writeFileSync(termsFile, 'not the counts');
      infos.length = 0;
      const afresh = await openForYou(t.store, t.db, { termsFile, log });
      expect(infos.join('\n')).toMatch(/warn: .*cannot be used.*counting every paper again/);
      expect(await order(afresh)).toEqual(await order(await openForYou(t.store, t.db)));
      await afresh.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ranks a new paper on what the reader liked above unrelated ones, covering every candidate', async () => {
    const a = await account();
    for (const id of idsOf('quantum', OLD).slice(0, 3)) await upvote(a, id);
    const ranked = await forYou.rank(a.id, dayIds);
    expect(ranked.map((r) => r.paperId).sort()).toEqual([...dayIds].sort());
    expect(
      ranked
        .slice(0, 2)
        .map((r) => r.paperId)
        .sort(),
    ).toEqual(idsOf('quantum', DAY).sort());
    expect(ranked[0]!.score).toBeGreaterThan(ranked[2]!.score);
  });

  it('names the closest liked paper and the words that weigh most', async () => {
    const a = await account();
    const liked = idsOf('galaxies', OLD);
    for (const id of liked.slice(0, 2)) await upvote(a, id);
    await upvote(a, idsOf('speech', OLD)[0]!);
    const top = (await forYou.rank(a.id, dayIds))[0]!;
    expect(idsOf('galaxies', DAY)).toContain(top.paperId);
    const closest = top.reasons.find((r) => r.kind === 'closest');
    expect(closest?.kind === 'closest' && liked.slice(0, 2).includes(closest.paperId)).toBe(true);
    expect(closest?.kind === 'closest' && closest.title).toMatch(/^On /);
    const words = top.reasons.find((r) => r.kind === 'words');
    expect(words?.kind === 'words' && words.words.join(' ')).toMatch(
      /galaxy|dark|halos|redshift|stellar|lensing|clusters|matter|surveys|populations|weak/,
    );
  });

  it('pushes a paper marked "not interested" and its near-duplicates down', async () => {
    const a = await account();
    for (const id of idsOf('robots', OLD)) await upvote(a, id);
    const [first, second] = idsOf('robots', DAY);
    const before = (await forYou.rank(a.id, dayIds)).map((r) => r.paperId);
    expect(before.slice(0, 2).sort()).toEqual([first, second].sort());
    expect(await markNotInterested(t.db, a.id, first!, now)).toBe(true);
    const after = await forYou.rank(a.id, dayIds);
    const order = after.map((r) => r.paperId);
    // The marked paper goes to the bottom; the other paper on the same words goes down past unrelated ones.
    expect(order.at(-1)).toBe(first);
    expect(order.indexOf(second!)).toBeGreaterThan(before.indexOf(second!));
    expect(after.find((r) => r.paperId === first)!.reasons[0]).toMatchObject({
      kind: 'not-interested',
      paperId: first,
    });
    await unmarkNotInterested(t.db, a.id, first!);
    expect((await forYou.rank(a.id, dayIds)).map((r) => r.paperId)).toEqual(before);
  });

  it('a near-duplicate of a marked paper goes down too', async () => {
    const a = await account();
    for (const id of idsOf('markets', OLD)) await upvote(a, id);
    const marked = idsOf('markets', OLD)[0]!;
    const dup = '2607.09999';
    const original = records.find((r) => r.id === marked)!;
    await t.store.upsertPapers([{ ...original, id: dup, listedOn: DAY, title: `${original.title} revisited` }]);
    const ids = [...dayIds, dup];
    const before = (await forYou.rank(a.id, ids)).map((r) => r.paperId);
    expect(before.indexOf(dup)).toBeLessThan(3);
    // Unliking it first: a paper both liked and marked is a contradiction this test does not need.
    await upvote(a, marked);
    await markNotInterested(t.db, a.id, marked, now);
    const after = (await forYou.rank(a.id, ids)).map((r) => r.paperId);
    expect(after.indexOf(dup)).toBeGreaterThan(ids.length - 4);
  });

  it('starts cold in trending order, saying so', async () => {
    const a = await account();
    // Another reader's upvote makes one paper trend.
    const other = await account();
    const trending = idsOf('speech', DAY)[1]!;
    await upvote(other, trending);
    const ranked = await forYou.rank(a.id, dayIds);
    expect(ranked).toHaveLength(dayIds.length);
    expect(ranked[0]!.paperId).toBe(trending);
    expect(ranked.every((r) => r.reasons.length === 1 && r.reasons[0]!.kind === 'trending')).toBe(true);
  });

  it('counts a new vote in the very next ranking', async () => {
    const a = await account();
    await upvote(a, idsOf('protein', OLD)[0]!);
    const before = await forYou.rank(a.id, dayIds);
    expect(idsOf('protein', DAY)).toContain(before[0]!.paperId);
    for (const id of idsOf('galaxies', OLD).slice(0, 4)) await upvote(a, id);
    const after = await forYou.rank(a.id, dayIds);
    expect(idsOf('galaxies', DAY)).toContain(after[0]!.paperId);
  });

  it('ranks a period of feed days, and follows lift a paper with the reason', async () => {
    const a = await account();
    await upvote(a, idsOf('quantum', OLD)[0]!);
    const ranked = await forYou.rankPeriod(
      a.id,
      { from: DAY, to: DAY },
      { follows: { categories: new Set(['cs.RO']) } },
    );
    expect(ranked.map((r) => r.paperId).sort()).toEqual([...dayIds, '2607.09999'].sort());
    // The liked topic first, then the followed category above every other paper, saying why.
    const order = ranked.map((r) => r.paperId);
    expect(order.slice(0, 2).sort()).toEqual(idsOf('quantum', DAY).sort());
    expect(order.slice(2, 4).sort()).toEqual(idsOf('robots', DAY).sort());
    expect(ranked[2]!.reasons[0]).toEqual({ kind: 'followed-category', category: 'cs.RO' });
  });

  it('after a reset, ranks on nothing done before it: not the upvotes, not the saves', async () => {
    const a = await account();
    const earlier = new Date(now.getTime() - 3_600_000);
    await toggleVote(t.store, a, idsOf('protein', OLD)[0]!, earlier);
    const saved = [{ paperId: idsOf('speech', OLD)[0]!, at: earlier.toISOString() }];
    const before = await forYou.rank(a.id, dayIds, { saved });
    expect(before.some((r) => r.reasons.some((why) => why.kind === 'closest'))).toBe(true);
    await resetForYou(t.db, a.id, now);
    const after = await forYou.rank(a.id, dayIds, { saved });
    expect(after.every((r) => r.reasons.every((why) => why.kind === 'trending'))).toBe(true);
    // What comes after the reset counts.
    await upvote(a, idsOf('galaxies', OLD)[0]!);
    const again = await forYou.rank(a.id, dayIds, { saved });
    expect(idsOf('galaxies', DAY)).toContain(again[0]!.paperId);
    expect(again[0]!.reasons[0]).toMatchObject({ kind: 'closest', paperId: idsOf('galaxies', OLD)[0] });
  });

  it('gives the same ranking again until a paper changes, then ranks the changed paper anew', async () => {
    const a = await account();
    await upvote(a, idsOf('markets', OLD)[0]!);
    const first = await forYou.rank(a.id, dayIds);
    expect(await forYou.rank(a.id, dayIds)).toEqual(first);
    const moved = idsOf('speech', DAY)[0]!;
    expect(first.findIndex((r) => r.paperId === moved)).toBeGreaterThan(2);
    // The speech paper is rewritten about markets (a new version): its vector is made again.
    await t.store.upsertPapers([
      { ...paper(moved, 'markets', 1, DAY), primaryCategory: 'eess.AS', categories: ['eess.AS'] },
    ]);
    const after = await forYou.rank(a.id, dayIds);
    expect(after.findIndex((r) => r.paperId === moved)).toBeLessThan(3);
  });
});
