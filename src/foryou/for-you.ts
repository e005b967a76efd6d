import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { addDays } from '../model/dates.js';
import { authorKey } from '../model/record.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { paperTerms } from './paper-terms.js';
import { type PaperVector, paperVector } from './paper-vector.js';
import { Profile, type ProfilePaper } from './profile.js';
import {
  type Candidate,
  type FeatureName,
  type Follows,
  features,
  type Recommendation,
  rankCandidates,
  standardised,
  type Weights,
} from './rank.js';
import { readSignals, type Signal, type StoredSignals, sinceReset } from './signals.js';
import { TermStats } from './term-stats.js';
import { loadTermStats, RECOUNT_DAYS, saveTermStats } from './term-stats-file.js';

export type { FeatureName, Follows, Reason, Recommendation, Weights } from './rank.js';

/** Signals the library will feed (saves, follows): optional until it exists. */
export interface ExtraSignals {
  /** Saved papers count as likes, as upvotes do. */
  saved?: Signal[];
  follows?: Follows;
  /** Other weights than rank.ts WEIGHTS (the benchmark's ablations). */
  weights?: Weights;
}

export interface ForYou {
  /**
   * Every candidate, best first, with a score and the reasons. The reader's upvotes, "not interested" marks and reset
   * are read afresh (three indexed reads), so a vote counts in the very next ranking; what they cost to turn into a
   * profile (reading and weighing the papers' text) is cached per paper, and the ranking itself per reader and
   * candidates until the reader's signals or any paper change. The array is the caller's; its items are shared.
   */
  rank(accountId: string, candidateIds: readonly string[], extra?: ExtraSignals): Promise<Recommendation[]>;
  /** The papers of feed days `from`..`to` (YYYY-MM-DD, inclusive: a day or a week), ranked as `rank` does. */
  rankPeriod(accountId: string, period: { from: string; to: string }, extra?: ExtraSignals): Promise<Recommendation[]>;
  /** The standardised features of each candidate for this reader (the benchmark fits WEIGHTS on them). */
  features(
    accountId: string,
    candidateIds: readonly string[],
  ): Promise<{ ids: string[]; z: Record<FeatureName, Float64Array> }>;
  /** Stops following changes; resolves once a save of the term counts under way is written. */
  close(): Promise<void>;
}

/** Papers' vectors kept in memory: a month of papers and every reader's likes, about 2 kB each. */
const VECTOR_CACHE_SIZE = 50_000;
/** Rankings kept (a reader's period, with what it was made from): some 100 kB each for a busy week. */
const RANKINGS_KEPT = 200;
/**
 * Papers whose vectors are made before any request asks (about 0.2 ms each): the latest WARM_DAYS feed days' when
 * opening, and those the store announces new or changed, at most WARM_MAX at a time (a whole harvest is not).
 */
const WARM_DAYS = 14;
const WARM_MAX = 8000;
/** Rows read per statement. */
const PAGE = 2000;
/** How often the term counts are saved again while papers are added (with a `termsFile`). */
const SAVE_EVERY_MS = 10 * 60_000;

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * The saved term counts, or undefined (with a warning when the file cannot be used, or a note when it is older than
 * RECOUNT_DAYS: every paper is counted again).
 */
async function restoreTermStats(path: string, log: Log): Promise<Awaited<ReturnType<typeof loadTermStats>>> {
  try {
    const restored = await loadTermStats(path);
    if (restored) log('info', `for you: term counts of ${restored.stats.papers} papers loaded from ${path}`);
    else if (existsSync(path))
      log('info', `for you: the term counts in ${path} are over ${RECOUNT_DAYS} days old: counting every paper again`);
    return restored;
  } catch (error) {
    log('warn', `for you: the term counts file ${path} cannot be used (${String(error)}): counting every paper again`);
    return undefined;
  }
}
/** Papers counted between two turns of the event loop while opening (about 0.2 ms each: some 50 ms a slice). */
const YIELD_EVERY = 250;
/**
 * Every this many newer likes, a like's weight halves. Off (Infinity): halving every 10 likes moved the centroid's
 * nDCG@10 from 0.1755 to 0.1769 in exploration, within noise; kept as the knob for readers with years of votes.
 */
const LIKE_HALF_LIFE = Number.POSITIVE_INFINITY;

interface Cached {
  vector: PaperVector;
  title: string;
  primaryCategory: string | null;
  trending: number;
  authorKeys: string[];
}

/**
 * Opens "For you" on a store: reads every shown paper's title and abstract once to count its terms (the idf), then
 * keeps the counts in step with the store's changes. Author names are never part of the text compared.
 */
export async function openForYou(
  store: Pick<Store, 'onPapersChanged'>,
  db: Db,
  opts: {
    termsFile?: string | undefined;
    /** Whether this process writes `termsFile` (default: it does); the others of `serve --processes N` only read it. */
    savesTerms?: boolean;
    log?: Log | undefined;
  } = {},
): Promise<ForYou> {
  const log = opts.log ?? (() => {});
  const { termsFile } = opts;
  const saves = termsFile !== undefined && opts.savesTerms !== false;
  const restored = termsFile ? await restoreTermStats(termsFile, log) : undefined;
  const stats = restored?.stats ?? new TermStats();
  const countedSince = restored?.countedSince ?? new Date().toISOString();
  const cache = new Lru<Cached>(VECTOR_CACHE_SIZE);
  const rankings = new Lru<{ key: string; ranked: Recommendation[] }>(RANKINGS_KEPT);
  /** Counts the store's changes to papers: a ranking made before one is made again. */
  let generation = 0;
  /** Papers counted since the counts were last saved. */
  let unsaved = 0;
  const count = async (ids: readonly string[]) => {
    for (let i = 0; i < ids.length; i += PAGE) {
      const rows = await db
        .selectFrom('papers')
        .select(['id', 'title', 'abstract'])
        .where('id', 'in', ids.slice(i, i + PAGE))
        .execute();
      for (let k = 0; k < rows.length; k++) {
        stats.add(rows[k]!.id, paperTerms(rows[k]!.title, rows[k]!.abstract));
        // Opened in the background of a serving site: requests are answered between slices of this work.
        if (k % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
      }
      unsaved += rows.length;
    }
  };
  // The papers not counted yet: every paper on a first start, those added since the saved counts on the next.
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('papers')
      .select('id')
      .where('id', '>', after)
      .where('hidden_at', 'is', null)
      .orderBy('id')
      .limit(PAGE * 10)
      .execute();
    if (rows.length === 0) break;
    await count(rows.filter((r) => !stats.has(r.id)).map((r) => r.id));
    after = rows[rows.length - 1]!.id;
  }
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    if (!saves || unsaved === 0) return;
    unsaved = 0;
    saving = saveTermStats(termsFile, stats, countedSince).catch((error: unknown) =>
      log(
        'warn',
        `for you: could not save its term counts to ${termsFile}: ${String(error)}; the next start counts again`,
      ),
    );
  };
  save();
  const saver = saves ? setInterval(save, SAVE_EVERY_MS).unref() : undefined;
  // New papers join the counts; a changed paper's vector is made again from its new text. A read that fails (the
  // database restarting) is logged and the chain goes on: a rejection left in it would end the process.
  let pending: Promise<void> = Promise.resolve();
  const unsubscribe = store.onPapersChanged(({ ids, text }) => {
    generation++;
    pending = pending
      .then(async () => {
        for (const id of ids) cache.delete(id);
        await count(ids.filter((id) => !stats.has(id)));
        // New papers and new versions are the next to be ranked: their vectors are made now, not by a reader's
        // request. A vote or a curator's change leaves the text as it was: that vector is made again when next asked.
        if (text) await warm(ids.slice(-WARM_MAX));
      })
      .catch((error: unknown) =>
        log(
          'warn',
          `for you: could not read ${ids.length} changed papers (${String(error)}): their vectors are made when next asked for, their terms counted at the next start`,
        ),
      );
  });

  /** Makes these papers' vectors ahead of the requests that rank them, a slice at a time. */
  async function warm(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += YIELD_EVERY) {
      await papers(ids.slice(i, i + YIELD_EVERY));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // The latest days' papers are what readers rank: their vectors are made while opening.
  const latest = await db
    .selectFrom('papers')
    .select((eb) => eb.fn.max('feed_day').as('day'))
    .where('hidden_at', 'is', null)
    .executeTakeFirst();
  if (latest?.day) {
    const recent = await db
      .selectFrom('papers')
      .select('id')
      .where('feed_day', '>=', addDays(latest.day, -(WARM_DAYS - 1)))
      .where('hidden_at', 'is', null)
      .orderBy('feed_day', 'desc')
      .limit(WARM_MAX)
      .execute();
    await warm(recent.map((r) => r.id));
  }

  /** The papers' vectors and facts, from memory or the store (hidden papers are left out). */
  async function papers(ids: readonly string[]): Promise<Map<string, Cached>> {
    const out = new Map<string, Cached>();
    const missing: string[] = [];
    for (const id of ids) {
      const c = cache.get(id);
      if (c) out.set(id, c);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += PAGE) {
      const rows = await db
        .selectFrom('papers')
        .select(['id', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'trending'])
        .where('id', 'in', missing.slice(i, i + PAGE))
        .where('hidden_at', 'is', null)
        .execute();
      for (const r of rows) {
        const categories = JSON.parse(r.categories) as string[];
        const c: Cached = {
          vector: paperVector(r.id, paperTerms(r.title, r.abstract), stats, categories),
          title: r.title,
          primaryCategory: r.primary_category ?? categories[0] ?? null,
          trending: r.trending,
          authorKeys: (JSON.parse(r.authors) as string[]).map(authorKey),
        };
        cache.set(r.id, c);
        out.set(r.id, c);
      }
    }
    return out;
  }

  function weighted(signals: Signal[], found: Map<string, Cached>): ProfilePaper[] {
    const sorted = [...signals].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    const out: ProfilePaper[] = [];
    sorted.forEach((s, newer) => {
      const p = found.get(s.paperId);
      if (p) out.push({ vector: p.vector, title: p.title, weight: 0.5 ** (newer / LIKE_HALF_LIFE) });
    });
    return out;
  }

  async function prepare(
    signals: StoredSignals,
    candidateIds: readonly string[],
    extra: ExtraSignals,
  ): Promise<{ profile: Profile; candidates: Candidate[] }> {
    const liked = dedupe([...signals.upvoted, ...sinceReset(extra.saved ?? [], signals.since)]);
    const ids = new Set([
      ...candidateIds,
      ...liked.map((s) => s.paperId),
      ...signals.notInterested.map((s) => s.paperId),
    ]);
    const found = await papers([...ids]);
    const profile = new Profile(weighted(liked, found), weighted(signals.notInterested, found));
    const candidates: Candidate[] = [];
    for (const id of new Set(candidateIds)) {
      const p = found.get(id);
      if (p) candidates.push(p);
    }
    return { profile, candidates };
  }

  async function rank(accountId: string, candidateIds: readonly string[], extra: ExtraSignals = {}) {
    await pending;
    const signals = await readSignals(db, accountId);
    // Everything the ranking depends on: the same reader asking again for the same papers (the next page, a feed
    // reader's poll) gets the same list, until they act (a vote, a save, a mark, a follow) or a paper changes.
    const key = JSON.stringify([
      generation,
      signals,
      extra.saved ?? [],
      [...(extra.follows?.authors ?? [])],
      [...(extra.follows?.categories ?? [])],
      extra.weights ?? null,
    ]);
    const slot = `${accountId}\u0000${createHash('sha1').update(candidateIds.join('\n')).digest('base64')}`;
    const kept = rankings.get(slot);
    if (kept?.key === key) return [...kept.ranked];
    const { profile, candidates } = await prepare(signals, candidateIds, extra);
    const ranked = rankCandidates(profile, candidates, extra.follows, extra.weights);
    rankings.set(slot, { key, ranked });
    return [...ranked];
  }

  return {
    rank,
    async rankPeriod(accountId, { from, to }, extra) {
      const rows = await db
        .selectFrom('papers')
        .select('id')
        .where('feed_day', '>=', from)
        .where('feed_day', '<=', to)
        .where('hidden_at', 'is', null)
        .execute();
      return rank(
        accountId,
        rows.map((r) => r.id),
        extra,
      );
    },
    async features(accountId, candidateIds) {
      await pending;
      const { profile, candidates } = await prepare(await readSignals(db, accountId), candidateIds, {});
      return { ids: candidates.map((c) => c.vector.id), z: standardised(features(profile, candidates).raw) };
    },
    close: async () => {
      unsubscribe();
      clearInterval(saver);
      await saving;
    },
  };
}

/** One signal per paper, the latest. */
function dedupe(signals: Signal[]): Signal[] {
  const by = new Map<string, Signal>();
  for (const s of signals) {
    const had = by.get(s.paperId);
    if (!had || s.at > had.at) by.set(s.paperId, s);
  }
  return [...by.values()];
}

/** The most recently used entries, at most `size`. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
