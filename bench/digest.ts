// bench/digest: confirmed subscribers with varied alerts over the 74,728-paper store, composed and delivered to a
// local SMTP server (in its own process). Each size runs in its own process so that its peak memory is its own.
// Usage: npm run bench:digest [-- --sizes 2500,10000] [--file <dump>]
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2500,10000' },
    file: { type: 'string', default: '../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz' },
    role: { type: 'string', default: 'main' },
    subscribers: { type: 'string', default: '10000' },
    smtp: { type: 'string', default: '' },
  },
});
const self = fileURLToPath(import.meta.url);
const dataDir = join(tmpdir(), 'paperboy-bench-digest');
const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'Asia/Kolkata',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Europe/London',
];
const WORDS = [
  'diffusion',
  'reinforcement learning',
  'retrieval augmented',
  'graph neural',
  'language model',
  'robotics',
  'vision transformer',
  'speech',
  'quantization',
  '"chain of thought"',
  'benchmark',
  'federated',
];

if (values.role === 'sink') {
  const { SMTPServer } = await import('smtp-server');
  let count = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      stream.on('data', (c: Buffer) => (bytes += c.length));
      stream.on('end', () => {
        count++;
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.server.address() as AddressInfo).port }));
  process.on('message', () => process.send!({ count, bytes }));
} else if (values.role === 'pass') {
  await pass(Number(values.subscribers), values.smtp);
} else {
  await main();
}

async function main(): Promise<void> {
  if (!existsSync(join(dataDir, 'paperboy.db'))) {
    mkdirSync(dataDir, { recursive: true });
    console.log(`importing ${values.file} into ${dataDir} (once; kept for the next run)...`);
    execFileSync(process.execPath, ['bin/paperboy.js', 'import', values.file], {
      env: { ...process.env, PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const sink = fork(self, ['--role', 'sink'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(child: ChildProcess, msg?: unknown) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      if (msg) child.send(msg);
    });
  const { port } = await ask<{ port: number }>(sink);
  const rows: string[][] = [];
  let delivered = 0;
  for (const size of values.sizes.split(',').map(Number)) {
    const out = execFileSync(
      process.execPath,
      [
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        '--import',
        'tsx',
        self,
        '--role',
        'pass',
        '--subscribers',
        String(size),
        '--smtp',
        `smtp://127.0.0.1:${port}`,
      ],
      {
        env: { ...process.env, PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as PassResult;
    const { count } = await ask<{ count: number; bytes: number }>(sink, 'count');
    const arrived = count - delivered;
    delivered = count;
    rows.push([
      String(size),
      String(r.composed),
      String(r.sent),
      String(r.failed),
      String(arrived),
      r.totalSeconds.toFixed(1),
      Math.round(r.sent / r.totalSeconds).toString(),
      r.searchOpenSeconds.toFixed(1),
      r.peakRssMb.toFixed(0),
      r.peakHeapMb.toFixed(0),
    ]);
  }
  sink.kill();
  const header = [
    'subscribers',
    'composed',
    'sent',
    'failed',
    'arrived',
    'total s',
    'messages/s',
    'search open s',
    'peak RSS MB',
    'peak heap MB',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(`\nbench/digest: SQLite store of ${values.file}, SMTP sink on loopback in another process`);
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log(
    'target: 10,000 subscribers composed and delivered in < 60 s; memory flat in the number of subscribers\n',
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

interface PassResult {
  composed: number;
  sent: number;
  failed: number;
  totalSeconds: number;
  searchOpenSeconds: number;
  peakRssMb: number;
  peakHeapMb: number;
}

async function pass(size: number, smtpUrl: string): Promise<void> {
  const { loadConfig } = await import('../src/config/config.js');
  const { openStore } = await import('../src/store/open.js');
  const { createSearchService } = await import('../src/search/search.js');
  const { createSmtpTransport } = await import('../src/mail/transport.js');
  const { createDigestRunner } = await import('../src/digest/run.js');
  const config = loadConfig({
    ...process.env,
    SMTP_URL: smtpUrl,
    PAPERBOY_MAIL_RATE: '0',
    PAPERBOY_MAIL_CONCURRENCY: '4',
    PAPERBOY_DIGEST_BATCH: '500',
    PAPERBOY_BASE_URL: 'http://paperboy.bench',
  });
  const { store, db } = await openStore(config);
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  for (const table of ['sent_papers', 'outbox', 'subscriber_alerts', 'subscribers'] as const)
    await db.deleteFrom(table).execute();
  const latest = (
    await db
      .selectFrom('papers')
      .select((eb) => eb.fn.max('feed_day').as('d'))
      .executeTakeFirstOrThrow()
  ).d!;
  const now = new Date(`${latest}T12:00:00Z`);
  // The corpus is arXiv's listings alone: Hugging Face's daily list (upvoted papers, what trending sections carry) is
  // simulated as 25 papers a day of the last week, the same ones every run.
  const week = await db
    .selectFrom('papers')
    .select(['id', 'title', 'feed_day'])
    .where('feed_day', '>', new Date(Date.parse(`${latest}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10))
    .orderBy('id')
    .execute();
  const daily = week
    .filter((_, i) => i % Math.max(1, Math.floor(week.length / 175)) === 0)
    .map((p, i) => ({
      id: p.id,
      source: 'hf-daily' as const,
      title: p.title,
      abstract: '',
      dailyOn: p.feed_day!,
      upvotes: 1 + ((i * 37) % 90),
    }));
  await store.upsertPapers(daily);
  const categories = (
    await db
      .selectFrom('paper_categories')
      .select('category')
      .groupBy('category')
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .limit(60)
      .execute()
  ).map((r) => r.category);
  const authors = (
    await db
      .selectFrom('paper_authors')
      .innerJoin('papers', 'papers.id', 'paper_authors.paper_id')
      .select('paper_authors.name')
      .where('papers.feed_day', '>=', `${latest.slice(0, 8)}01`)
      .limit(3000)
      .execute()
  ).map((r) => r.name);
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const { localTime } = await import('../src/digest/due.js');
  const at = now.toISOString();
  for (let i = 0; i < size; i += 1000) {
    const subs = Array.from({ length: Math.min(1000, size - i) }, (_, k) => {
      const zone = ZONES[rand(ZONES.length)]!;
      const local = localTime(now, zone);
      const kind = rand(10);
      return {
        id: `s${String(i + k).padStart(6, '0')}`,
        email: `reader${i + k}@example.org`,
        account_id: null,
        status: 'confirmed',
        confirm_hash: null,
        confirm_expires_at: null,
        frequency: kind < 7 ? 'weekdays' : kind < 9 ? 'daily' : 'weekly',
        weekday: local.weekday,
        hour: rand(local.hour + 1),
        time_zone: zone,
        trending: rand(5) === 0 ? 0 : 1,
        bounces: 0,
        last_period: null,
        digest_watermark: null,
        last_notice_at: null,
        created_at: at,
        confirmed_at: at,
        updated_at: at,
      };
    });
    await db.insertInto('subscribers').values(subs).execute();
    const alerts = subs.flatMap((s) => {
      const n = s.trending ? rand(4) : 1 + rand(3);
      return Array.from({ length: n }, () => {
        const k = rand(3);
        if (k === 0) return { subscriber_id: s.id, kind: 'category', value: categories[rand(categories.length)]! };
        if (k === 1) return { subscriber_id: s.id, kind: 'author', value: authors[rand(authors.length)]! };
        return { subscriber_id: s.id, kind: 'search', value: `q=${encodeURIComponent(WORDS[rand(WORDS.length)]!)}` };
      });
    });
    const unique = [...new Map(alerts.map((a) => [`${a.subscriber_id}|${a.kind}|${a.value}`, a])).values()];
    for (let j = 0; j < unique.length; j += 1000)
      await db
        .insertInto('subscriber_alerts')
        .values(unique.slice(j, j + 1000))
        .execute();
  }
  sample();

  const started = performance.now();
  let searchOpenSeconds = 0;
  let search: Promise<import('../src/search/search.js').SearchService> | undefined;
  const openSearch = () =>
    (search ??= (async () => {
      const t = performance.now();
      const s = await createSearchService(store, db);
      searchOpenSeconds = (performance.now() - t) / 1000;
      return s;
    })());
  const transport = createSmtpTransport(smtpUrl, { connections: config.mail.concurrency });
  const runner = createDigestRunner({ store, db, transport, config, secret: 'bench-secret', search: openSearch });
  const r = await runner.run(now);
  const totalSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  transport.close();
  (await search)?.close();
  await store.close();
  const result: PassResult = {
    composed: r.composed,
    sent: r.sent,
    failed: r.failed,
    totalSeconds,
    searchOpenSeconds,
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
  };
  console.log(JSON.stringify(result));
}
