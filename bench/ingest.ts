// bench/ingest: imports the 74,728-paper corpus into a fresh store, then again, and prints a table.
// Usage: npm run bench:ingest [-- --engine sqlite|postgres|both] [--file <dump>]
// By default both engines in the same run: PostgreSQL's rows say how they compare with SQLite's on this machine now.
// CPU seconds are the import process's and, when the server runs on this machine, its database's server processes'
// (read from /proc while the pass runs): on a shared machine they say more than the wall time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    file: { type: 'string', default: '../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz' },
  },
});
const engines = values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine];
const adminUrl = process.env.PAPERBOY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Pass {
  counts: { new: number; updated: number; unchanged: number; rejected: number };
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  /** CPU seconds of the PostgreSQL server processes of the database, if they could be read. */
  serverCpuSeconds?: number;
}

async function pass(env: Record<string, string>, database?: string): Promise<Pass> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest-pass.ts', values.file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  const server = database ? await serverCpu(database) : undefined;
  let code: number | null = null;
  void ended.then((c) => {
    code = c;
  });
  while (code === null) {
    await server?.sample();
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  if (code !== 0) throw new Error(`bench/ingest-pass.ts failed (exit ${code})`);
  const result = JSON.parse(out.trim().split('\n').pop()!) as Pass;
  if (server) result.serverCpuSeconds = await server.done();
  return result;
}

/** Sums the CPU time of the server processes serving a database (pg_stat_activity, /proc/<pid>/stat) while sampled. */
async function serverCpu(database: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const ticks = 100; // USER_HZ on Linux
  const seen = new Map<number, { first: number; last: number }>();
  let readable = true;
  const sample = async () => {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
      database,
    ]);
    for (const { pid } of rows) {
      let cpu: number;
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        cpu = (Number(fields[11]) + Number(fields[12])) / ticks;
      } catch {
        readable = false; // not on this machine, or not ours to read
        continue;
      }
      const known = seen.get(pid);
      if (known) known.last = cpu;
      else seen.set(pid, { first: cpu, last: cpu });
    }
  };
  return {
    sample,
    done: async () => {
      await client.end();
      // A process first seen mid-pass counts from then: it started during the pass, with little CPU before.
      return readable ? [...seen.values()].reduce((sum, p) => sum + p.last - p.first, 0) : undefined;
    },
  };
}

async function pgSize(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
  await client.end();
  return Number(rows[0]!.size);
}

const startLoad = loadavg()[0]!.toFixed(1);
const rows: string[][] = [];
/** Papers per second of each SQLite pass, the baseline of the PostgreSQL rows. */
const sqliteRate = new Map<string, number>();
for (const engine of engines) {
  let env: Record<string, string>;
  let database: string | undefined;
  let size: () => Promise<number>;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
    env = { PAPERBOY_DATA_DIR: dir };
    size = async () =>
      ['paperboy.db', 'paperboy.db-wal'].reduce((s, f) => {
        try {
          return s + statSync(join(dir, f)).size;
        } catch {
          return s;
        }
      }, 0);
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `paperboy_bench_${Date.now()}`;
    database = name;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    size = () => pgSize(url.toString());
    cleanup = async () => {
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.end();
    };
  }
  try {
    for (const label of ['first import', 're-import']) {
      const r = await pass(env, database);
      const papers = r.counts.new + r.counts.updated + r.counts.unchanged;
      const rate = papers / r.seconds;
      if (engine === 'sqlite') sqliteRate.set(label, rate);
      const baseline = sqliteRate.get(label);
      rows.push([
        engine,
        label,
        String(papers),
        `${r.counts.new}/${r.counts.updated}/${r.counts.unchanged}/${r.counts.rejected}`,
        Math.round(rate).toString(),
        engine !== 'sqlite' && baseline ? `${Math.round((100 * rate) / baseline)}%` : '',
        r.seconds.toFixed(1),
        ((await size()) / 1e6).toFixed(0),
        r.maxRssMb.toFixed(0),
        r.cpuSeconds.toFixed(1),
        r.serverCpuSeconds === undefined ? '' : r.serverCpuSeconds.toFixed(1),
      ]);
    }
  } finally {
    await cleanup();
  }
}

const header = [
  'engine',
  'pass',
  'papers',
  'new/upd/same/rej',
  'papers/s',
  'of sqlite',
  'wall s',
  'db MB',
  'peak RSS MB',
  'node cpu s',
  'server cpu s',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
console.log(
  `\nbench/ingest: ${values.file}\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load at start ${startLoad}, at end ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  'targets: first import < 40 s (~2,000 papers/s; PostgreSQL >= 3,000 papers/s), re-import < 20 s (PostgreSQL <= 10 s), peak memory < 1 GB\n',
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
