// bench/change-feed: what the change feed costs a vote, and how soon another process hears of a write.
// Usage: npm run bench:change-feed [-- --engine sqlite|postgres|both] [--writes 50] [--votes 300]
//
// A vote's cost: the store's vote (Store.transaction + addVotes, which now also writes the feed's row, under a lock
// and with a NOTIFY on PostgreSQL) against the same two UPDATEs in a transaction without it (the vote before the
// feed), interleaved, one at a time and 8 at once. Propagation: a second process follows the store (followChanges)
// and stamps each change it hears; this one writes (a vote, or a new paper) every 20 ms, stamped as it begins.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { readJsonlDump } from '../src/ingest/jsonl-dump.js';
import type { PaperRecord } from '../src/model/record.js';
import { openStore } from '../src/store/open.js';
import { paperFromRow, paperTrending } from '../src/store/rows.js';
import type { OpenedStore } from '../src/store/store.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    writes: { type: 'string', default: '50' },
    votes: { type: 'string', default: '300' },
    follow: { type: 'boolean', default: false },
  },
});
const CORPUS = '../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz';
const adminUrl = process.env.PAPERBOY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const now = () => performance.timeOrigin + performance.now();

function config(env: Record<string, string | undefined>) {
  return { dataDir: env.PAPERBOY_DATA_DIR ?? './data', databaseUrl: env.DATABASE_URL };
}

async function main(): Promise<void> {
  const engines = values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine!];
  const writes = Number(values.writes);
  const votes = Number(values.votes);
  const records: PaperRecord[] = [];
  for await (const e of readJsonlDump(CORPUS)) {
    if (records.length >= 400) break;
    if (e.ok) records.push(e.record);
  }
  const table: string[][] = [];
  for (const engine of engines) {
    const { env, cleanup } = await freshDatabase(engine);
    const opened = await openStore(config(env));
    try {
      await opened.store.upsertPapers(records.slice(0, 200));
      const ids = records.slice(0, 200).map((r) => r.id);
      const cost = await voteCost(opened, ids, votes);
      const concurrent = await concurrentVotes(opened, ids, votes);
      const heard = await propagation(opened, env, ids, records.slice(200, 200 + writes), writes);
      table.push([
        engine,
        `${cost.baseline.toFixed(2)} / ${cost.feed.toFixed(2)}`,
        `${concurrent.baseline.toFixed(0)} / ${concurrent.feed.toFixed(0)}`,
        `${heard.votes.p50.toFixed(0)} / ${heard.votes.max.toFixed(0)}`,
        `${heard.papers.p50.toFixed(0)} / ${heard.papers.max.toFixed(0)}`,
      ]);
    } finally {
      await opened.store.close();
      await cleanup();
    }
  }
  const header = [
    'engine',
    'vote ms p50: before / with feed',
    '8 at once, votes/s: before / with feed',
    `vote heard, ms p50 / max (${writes})`,
    `new paper heard, ms p50 / max (${writes})`,
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(`\nbench/change-feed: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  console.log('target: a write shows in another process within 2,000 ms; a vote costs at most 1 ms more\n');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) console.log(line(row));
}

async function freshDatabase(engine: string): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
    return { env: { PAPERBOY_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `paperboy_bench_feed_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    cleanup: async () => {
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The vote as it was before the feed: the counters' UPDATE and the trending score's, in one transaction. */
async function voteWithoutFeed({ db }: OpenedStore, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('papers')
      .set({
        community_upvotes: sql<number>`community_upvotes + 1`,
        community_points: sql<number>`community_points + 1`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const trending = paperTrending(paperFromRow(row));
    if (trending !== row.trending) await trx.updateTable('papers').set({ trending }).where('id', '=', id).execute();
  });
}

async function voteWithFeed({ store }: OpenedStore, id: string): Promise<void> {
  await store.transaction((_trx, papers) => papers.addVotes(id, 1, 1));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function voteCost(opened: OpenedStore, ids: string[], n: number): Promise<{ baseline: number; feed: number }> {
  const baseline: number[] = [];
  const feed: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = ids[i % ids.length]!;
    for (const [vote, into] of [
      [voteWithoutFeed, baseline],
      [voteWithFeed, feed],
    ] as const) {
      const started = performance.now();
      await vote(opened, id);
      into.push(performance.now() - started);
    }
  }
  return { baseline: median(baseline), feed: median(feed) };
}

async function concurrentVotes(
  opened: OpenedStore,
  ids: string[],
  n: number,
): Promise<{ baseline: number; feed: number }> {
  const rate = async (vote: (o: OpenedStore, id: string) => Promise<void>) => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < n / 8; i++) await vote(opened, ids[(w * 25 + i) % ids.length]!);
      }),
    );
    return n / ((performance.now() - started) / 1000);
  };
  const baseline: number[] = [];
  const feed: number[] = [];
  for (let round = 0; round < 3; round++) {
    baseline.push(await rate(voteWithoutFeed));
    feed.push(await rate(voteWithFeed));
  }
  return { baseline: median(baseline), feed: median(feed) };
}

interface Spread {
  p50: number;
  max: number;
}

async function propagation(
  opened: OpenedStore,
  env: Record<string, string>,
  ids: string[],
  fresh: PaperRecord[],
  n: number,
): Promise<{ votes: Spread; papers: Spread }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/change-feed.ts', '--follow'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const heard = new Map<string, number>();
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) =>
    lines.on('line', (line) => {
      if (line === 'ready') return resolve();
      const { at, ids } = JSON.parse(line) as { at: number; ids: string[] };
      for (const id of ids) if (!heard.has(id)) heard.set(id, at);
    }),
  );
  await ready;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  const voted = new Map<string, number>();
  for (const id of ids.slice(0, n)) {
    voted.set(id, now());
    await voteWithFeed(opened, id);
    await pause();
  }
  const added = new Map<string, number>();
  for (const record of fresh.slice(0, n)) {
    added.set(record.id, now());
    await opened.store.upsertPapers([record]);
    await pause();
  }
  const all = [...voted.keys(), ...added.keys()];
  const deadline = Date.now() + 10_000;
  while (all.some((id) => !heard.has(id)) && Date.now() < deadline) await pause();
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  const spread = (sent: Map<string, number>): Spread => {
    const ms = [...sent].map(([id, at]) => (heard.get(id) ?? Number.POSITIVE_INFINITY) - at);
    return { p50: median(ms), max: Math.max(...ms) };
  };
  return { votes: spread(voted), papers: spread(added) };
}

if (values.follow) {
  // The other process: hears changes and prints when.
  const opened = await openStore(config(process.env));
  opened.store.onPapersChanged((change) => console.log(JSON.stringify({ at: now(), ids: change.ids })));
  await opened.store.followChanges();
  console.log('ready');
  process.stdin.on('end', () => void opened.store.close().then(() => process.exit(0)));
  process.stdin.resume();
} else {
  await main();
}
