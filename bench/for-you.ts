// "For you" on issue 18's author protocol (development split), through the real code path: a store with the corpus,
// an account per user, the user's likes as upvotes, src/foryou asked to rank each test day.
//   npm run bench:for-you [-- --engine sqlite|postgres] [--fit] [--users N] [--baseline GIT_REF]
// --fit also fits rank.ts WEIGHTS (logistic regression across users) on the tuning half and prints them.
// --baseline also opens src/foryou as it was at GIT_REF (extracted under scratch/) on the same store, and times it
// against this one request by request, taking turns to go first, and counts the rankings where the two differ.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { insertAccount } from '../src/accounts/accounts.js';
import { toggleVote } from '../src/accounts/votes.js';
import { type FeatureName, openForYou, type Recommendation, type Weights } from '../src/foryou/for-you.js';
import { FEATURES, WEIGHTS } from '../src/foryou/rank.js';
import { weekOf } from '../src/model/dates.js';
import { benchStore, CORPUS, loadCorpus } from './search-stores.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const engine = (option('engine') ?? 'sqlite') as 'sqlite' | 'postgres';
const maxUsers = Number(option('users') ?? 200);
const baselineRef = option('baseline');

/** openForYou as it was at a git ref: src/ extracted under scratch/ (node_modules resolve from there). */
async function openBaseline(ref: string): Promise<typeof openForYou> {
  const dir = new URL(`../scratch/baseline-${ref.replace(/[^A-Za-z0-9._-]/g, '-')}/`, import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', 'git archive "$0" src | tar -x -C "$1"', ref, dir]);
  return ((await import(`${dir}src/foryou/for-you.ts`)) as { openForYou: typeof openForYou }).openForYou;
}
const SPLIT_DAY = '2026-01-01';

interface Listed {
  id: string;
  day: string;
  authors: string[];
}

/** Unicode NFKD, non-ASCII dropped, lower case, only [a-z ] kept, trimmed (the protocol's normalised name). */
const normalisedName = (n: string) =>
  n
    .normalize('NFKD')
    // Dropping non-ASCII, then lower-casing and keeping [a-z ], is keeping [A-Za-z ] and lower-casing.
    .replace(/[^A-Za-z ]/g, '')
    .toLowerCase()
    .trim();

async function readListings(): Promise<Listed[]> {
  const out: Listed[] = [];
  const seen = new Set<string>();
  for await (const line of createInterface({ input: createReadStream(CORPUS).pipe(createGunzip()) })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; listing_date: string; authors: string[] };
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({ id: r.id, day: r.listing_date, authors: r.authors });
  }
  return out;
}

interface User {
  name: string;
  likes: Listed[];
  tests: { day: string; candidates: string[]; relevant: Set<string> }[];
}

function protocolUsers(papers: Listed[]): User[] {
  const byAuthor = new Map<string, Listed[]>();
  const byDay = new Map<string, string[]>();
  for (const p of papers) {
    for (const n of new Set(p.authors.map(normalisedName))) {
      if (n.length < 5) continue;
      const list = byAuthor.get(n) ?? [];
      list.push(p);
      byAuthor.set(n, list);
    }
    byDay.set(p.day, [...(byDay.get(p.day) ?? []), p.id]);
  }
  const chosen: { name: string; hash: string; papers: Listed[] }[] = [];
  for (const [name, ps] of byAuthor) {
    const before = ps.filter((p) => p.day < SPLIT_DAY).length;
    if (before < 5 || ps.length - before < 2) continue;
    const hash = createHash('sha256').update(name).digest('hex');
    if (Number.parseInt(hash.at(-1)!, 16) % 2 !== 0) continue;
    chosen.push({ name, hash, papers: ps });
  }
  chosen.sort((a, b) => (a.hash < b.hash ? -1 : 1));
  return chosen.slice(0, 200).map(({ name, papers: ps }) => {
    const sorted = [...ps].sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.id < b.id ? -1 : 1));
    const likes = sorted.filter((p) => p.day < SPLIT_DAY).slice(-20);
    const days = [...new Set(sorted.filter((p) => p.day >= SPLIT_DAY).map((p) => p.day))];
    const tests = days
      .filter((d) => (byDay.get(d)?.length ?? 0) >= 20)
      .map((d) => ({
        day: d,
        candidates: byDay.get(d)!,
        relevant: new Set(sorted.filter((p) => p.day === d).map((p) => p.id)),
      }));
    return { name, likes, tests };
  });
}

/** nDCG@10 (binary gains), reciprocal rank of the first relevant, and AUC (share of relevant-irrelevant pairs in order). */
function metrics(order: string[], relevant: Set<string>): [number, number, number] {
  let dcg = 0;
  let ideal = 0;
  let rr = 0;
  let pairs = 0;
  let negativesAbove = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  const negatives = order.length - relevant.size;
  order.forEach((id, i) => {
    if (!relevant.has(id)) {
      negativesAbove++;
      return;
    }
    if (i < 10) dcg += 1 / Math.log2(i + 2);
    if (!rr) rr = 1 / (i + 1);
    pairs += negatives - negativesAbove;
  });
  return [dcg / ideal, rr, negatives > 0 ? pairs / (relevant.size * negatives) : 1];
}

class Tally {
  private readonly sums = [0, 0, 0, 0];
  add(m: [number, number, number]): void {
    for (let i = 0; i < 3; i++) this.sums[i]! += m[i]!;
    this.sums[3]!++;
  }
  get text(): string {
    const n = this.sums[3] || 1;
    return this.sums
      .slice(0, 3)
      .map((s) => (s / n).toFixed(4).padStart(7))
      .join(' ');
  }
}

/** A seeded generator (mulberry32): the random row is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const listings = await readListings();
const users = protocolUsers(listings).slice(0, maxUsers);
console.log(
  `${users.length} users (development split), ${users.reduce((a, u) => a + u.tests.length, 0)} (user, day) tests; tuning half: users at even positions in hash order, held-out half: odd`,
);
const { store, db, dispose } = await benchStore(engine);
try {
  console.log(`loading the corpus into ${engine} …`);
  await loadCorpus(store);
  console.log(`loaded (${elapsed()}); opening For you …`);
  const t = performance.now();
  const forYou = await openForYou(store, db);
  console.log(`For you opened in ${((performance.now() - t) / 1000).toFixed(1)} s (term counts of every paper)`);
  const baseline = baselineRef ? await (await openBaseline(baselineRef))(store, db) : undefined;
  if (baseline) console.log(`baseline ${baselineRef} opened too`);
  const now = Date.parse('2026-01-01T00:00:00Z');
  const accounts: { id: string; createdAt: string }[] = [];
  for (const [i, u] of users.entries()) {
    const createdAt = new Date(now - 400 * 86_400_000);
    const id = (await insertAccount(db, { email: `user${i}@bench.invalid`, handle: `user-${i}` }, createdAt))!;
    // One upvote per like, in listing order, a minute apart: the newest like is the latest vote.
    for (const [k, like] of u.likes.entries())
      await toggleVote(store, { id, createdAt: createdAt.toISOString() }, like.id, new Date(now - (100 - k) * 60_000));
    accounts.push({ id, createdAt: createdAt.toISOString() });
  }
  console.log(`${accounts.length} accounts and their upvotes (${elapsed()})`);

  const onlyCentroid: Weights = { centroid: 1, closest: 0, top3: 0, category: 0 };
  const rows: Record<string, (ui: number, ids: string[]) => Promise<string[]>> = {
    random: async (_ui, ids) => {
      const r = random(ids.length);
      return ids
        .map((id) => [id, r()] as const)
        .sort((a, b) => a[1] - b[1])
        .map(([id]) => id);
    },
    'centroid tf-idf 1-2-grams': async (ui, ids) =>
      order(await forYou.rank(accounts[ui]!.id, ids, { weights: onlyCentroid })),
  };
  for (const f of FEATURES)
    if (f !== 'centroid')
      rows[`feature alone: ${f}`] = async (ui, ids) =>
        order(
          await forYou.rank(accounts[ui]!.id, ids, {
            weights: Object.fromEntries(FEATURES.map((g) => [g, g === f ? 1 : 0])) as Weights,
          }),
        );
  const times: number[] = [];
  const baselineTimes: number[] = [];
  let differ = 0;
  /** This For you's ranking, timed; with --baseline, the baseline's too, each going first every other time. */
  async function timedRank(ui: number, ids: string[], into: number[], intoBaseline: number[]) {
    const one = async (f: ForYouLike, out: number[]) => {
      const t0 = performance.now();
      const ranked = await f.rank(accounts[ui]!.id, ids);
      out.push(performance.now() - t0);
      return ranked;
    };
    if (!baseline) return one(forYou, into);
    const baselineFirst = (into.length + intoBaseline.length) % 4 === 0;
    const old = baselineFirst ? await one(baseline, intoBaseline) : undefined;
    const ranked = await one(forYou, into);
    const before = old ?? (await one(baseline, intoBaseline));
    if (JSON.stringify(before) !== JSON.stringify(ranked)) differ++;
    return ranked;
  }
  rows["Paperboy's For you"] = async (ui, ids) => order(await timedRank(ui, ids, times, baselineTimes));

  const table: string[] = [];
  const header = `${'ranking'.padEnd(30)} ${'all users'.padEnd(23)} ${'tuning half (even)'.padEnd(23)} held-out half (odd)`;
  table.push(header, `${''.padEnd(30)} ${'nDCG@10 MRR     AUC    '.repeat(3)}`);
  for (const [name, rankFn] of Object.entries(rows)) {
    const all = new Tally();
    const halves = [new Tally(), new Tally()];
    for (const [ui, u] of users.entries())
      for (const test of u.tests) {
        const m = metrics(await rankFn(ui, test.candidates), test.relevant);
        all.add(m);
        halves[ui % 2]!.add(m);
      }
    table.push(`${name.padEnd(30)} ${all.text}  ${halves[0]!.text}  ${halves[1]!.text}`);
    console.log(table.at(-1), `(${elapsed()})`);
  }

  // A new vote in the next ranking: upvote the paper ranked last, rank again, see it move up.
  const voteTimes: number[] = [];
  for (const [ui, u] of users.slice(0, 40).entries()) {
    const test = u.tests[0]!;
    const before = await forYou.rank(accounts[ui]!.id, test.candidates);
    const last = before.at(-1)!.paperId;
    const t0 = performance.now();
    await toggleVote(store, accounts[ui]!, last, new Date(now));
    const after = await forYou.rank(accounts[ui]!.id, test.candidates);
    voteTimes.push(performance.now() - t0);
    if (after.at(-1)!.paperId === last) throw new Error(`user ${ui}: a new upvote did not change the next ranking`);
    await toggleVote(store, accounts[ui]!, last, new Date(now));
  }
  const days = users.flatMap((u) => u.tests.map((x) => x.candidates.length));

  // The same reader asking again for the same day, nothing changed (the next page, a feed reader's poll).
  const againTimes: number[] = [];
  for (const [ui, u] of users.slice(0, 100).entries()) {
    await forYou.rank(accounts[ui]!.id, u.tests[0]!.candidates);
    const t0 = performance.now();
    await forYou.rank(accounts[ui]!.id, u.tests[0]!.candidates);
    againTimes.push(performance.now() - t0);
  }

  // A busy week: the week of the test period with the most papers, ranked whole for 40 readers.
  const byWeek = new Map<string, string[]>();
  for (const p of listings)
    if (p.day >= SPLIT_DAY) byWeek.set(weekOf(p.day), [...(byWeek.get(weekOf(p.day)) ?? []), p.id]);
  const [week, weekIds] = [...byWeek].sort((a, b) => b[1].length - a[1].length)[0]!;
  const weekTimes: number[] = [];
  const weekBaseline: number[] = [];
  for (const ui of users.slice(0, 40).keys()) await timedRank(ui, weekIds, weekTimes, weekBaseline);

  console.log(
    `\nFor you on issue 18's author protocol (development split, ${engine}); author names hidden from the model`,
  );
  console.log(
    'Weights fixed on the tuning half (even positions in hash order); the held-out half (odd) was not looked at to choose them.',
  );
  for (const line of table) console.log(line);
  const p = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms`;
  const versus = (xs: number[]) => (baseline ? `   (baseline ${baselineRef}, same run: ${p(xs)})` : '');
  console.log(
    `\nrank one day for one user (${percentile(days, 50)} papers median, ${Math.max(...days)} most): ${p(times)}${versus(baselineTimes)}`,
  );
  console.log(
    `rank a busy week for one user (${week}, ${weekIds.length} papers): ${p(weekTimes)}${versus(weekBaseline)}`,
  );
  console.log(`the same day again, nothing changed (kept ranking): ${p(againTimes)}`);
  if (baseline)
    console.log(`rankings that differ from the baseline's (order, scores or reasons): ${differ} of ${times.length}`);
  console.log(
    `a new upvote reflected in the next ranking (vote + rank): p50 ${percentile(voteTimes, 50).toFixed(1)} ms, p95 ${percentile(voteTimes, 95).toFixed(1)} ms`,
  );
  console.log(`weights: ${JSON.stringify(WEIGHTS)}`);

  if (flag('fit')) {
    const lists: { z: Record<FeatureName, Float64Array>; rel: number[] }[] = [];
    for (const [ui, u] of users.entries()) {
      if (ui % 2 !== 0) continue;
      for (const test of u.tests) {
        const { ids, z } = await forYou.features(accounts[ui]!.id, test.candidates);
        lists.push({ z, rel: ids.map((id) => (test.relevant.has(id) ? 1 : 0)) });
      }
    }
    console.log(`fitted on the tuning half: ${JSON.stringify(fitWeights(lists))}`);
  }
  forYou.close();
  baseline?.close();
  console.log(`done in ${elapsed()}`);
} finally {
  await dispose();
}

type ForYouLike = Pick<Awaited<ReturnType<typeof openForYou>>, 'rank'>;

function order(ranked: Recommendation[]): string[] {
  return ranked.map((r) => r.paperId);
}

/**
 * Logistic regression of "the user's paper" on the standardised features, each list weighing as much as any other
 * (its relevant and its other papers half each), by gradient descent; weights scaled so that centroid's is 1.
 */
function fitWeights(lists: { z: Record<FeatureName, Float64Array>; rel: number[] }[]): Weights {
  const w = new Array(FEATURES.length + 1).fill(0) as number[];
  const L2 = 1e-3;
  for (let it = 0; it < 400; it++) {
    const g = new Array(w.length).fill(0) as number[];
    for (const { z, rel } of lists) {
      const positives = rel.reduce((a, b) => a + b, 0);
      for (let i = 0; i < rel.length; i++) {
        let s = w[0]!;
        FEATURES.forEach((f, j) => {
          s += w[j + 1]! * z[f][i]!;
        });
        const p = 1 / (1 + Math.exp(-s));
        const e = (p - rel[i]!) * (rel[i] ? 0.5 / positives : 0.5 / (rel.length - positives));
        g[0]! += e;
        FEATURES.forEach((f, j) => {
          g[j + 1]! += e * z[f][i]!;
        });
      }
    }
    for (let j = 0; j < w.length; j++) w[j]! -= g[j]! / lists.length + (j ? L2 * w[j]! : 0);
  }
  const scale = w[1]! || 1;
  return Object.fromEntries(FEATURES.map((f, j) => [f, Math.round((w[j + 1]! / scale) * 1000) / 1000])) as Weights;
}
