// bench/soak: the real site on PostgreSQL under mixed traffic while faults are injected (issue 13, item 4).
// Creates its own PostgreSQL database (dropped at the end), imports a slice of the corpus (its listing dates moved to
// the last three days so that digests have something to carry) and refits; starts a real SMTP server on loopback,
// ONE `paperboy serve --no-digest` and ONE `paperboy worker` (two serves wait for the scale-out issue); drives reads,
// searches, votes, comments and new subscriptions from a few clients; restarts PostgreSQL, takes the SMTP server down
// and has it answer 4xx then 5xx, and kills serve with SIGKILL. Then it checks every acknowledged write and digest.
// Usage: npm run bench:soak [-- --minutes 10] [--clients 6] [--lines 3000]
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { accountForEmail } from '../src/accounts/accounts.js';
import { createSession } from '../src/accounts/sessions.js';
import { confirm, subscribe } from '../src/digest/subscribers.js';
import { openStore } from '../src/store/open.js';
import { type RunningServer, startServer } from '../test/browser/server.js';
import { root, runCli, startCli } from '../test/cli.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '6' },
    lines: { type: 'string', default: '3000' },
    file: {
      type: 'string',
      default: join(root, '../shared/data/corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz'),
    },
  },
});
const minutes = Number(values.minutes);
const CLIENTS = Number(values.clients);
const ACCOUNTS_PER_CLIENT = 5;
const GRACE_MS = 15_000;
const MAIL_CONCURRENCY = 3;
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_VERSION = '15';
const started = Date.now();
const log = (msg: string) => console.log(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

// ---------- the database and its data ----------

const dbName = `paperboy_soak_${process.pid}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function writeSlice(file: string, lines: number): Promise<string> {
  const out: string[] = [];
  const rl = createInterface({ input: createReadStream(values.file).pipe(createGunzip()) });
  const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
  for await (const line of rl) {
    if (!line.trim()) continue;
    const paper = JSON.parse(line) as Record<string, unknown>;
    paper.listing_date = day(out.length % 3);
    out.push(JSON.stringify(paper));
    if (out.length >= lines) break;
  }
  rl.close();
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---------- the SMTP server ----------

type SmtpMode = 'up' | 'down' | '4xx' | '5xx';
const delivered: { messageId: string; to: string; at: number }[] = [];
const refused = { '4xx': 0, '5xx': 0 };
let smtpServer: SMTPServer | undefined;
let smtpMode: SmtpMode = 'up';
let smtpPort = 0;

async function smtpListen(port: number): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (smtpMode === '4xx' || smtpMode === '5xx') {
          refused[smtpMode]++;
          const code = smtpMode === '4xx' ? 451 : 550;
          return callback(
            Object.assign(new Error(code === 451 ? 'Try again later' : 'Rejected'), { responseCode: code }),
          );
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
        const messageId = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '';
        for (const r of session.envelope.rcptTo)
          delivered.push({ messageId, to: r.address.toLowerCase(), at: Date.now() });
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  smtpServer = server;
  return (server.server.address() as AddressInfo).port;
}

async function setSmtp(mode: SmtpMode): Promise<void> {
  if (mode === 'down' && smtpServer) {
    const s = smtpServer;
    smtpServer = undefined;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  } else if (mode !== 'down' && !smtpServer) {
    await smtpListen(smtpPort);
  }
  smtpMode = mode;
  log(`SMTP server ${mode}`);
}

// ---------- traffic ----------

interface Sample {
  at: number;
  ms: number;
  /** HTTP status, or 0 for a connection error or timeout. */
  status: number;
  kind: string;
}
const samples: Sample[] = [];
let baseUrl = '';

interface Client {
  ip: string;
  accounts: { id: string; email: string; token: string; csrf?: string; csrfCookie?: string }[];
}

async function request(
  kind: string,
  ip: string,
  path: string,
  init: { method?: string; form?: Record<string, string>; cookie?: string; accept?: string } = {},
): Promise<{ status: number; res?: Response; text?: string }> {
  const t0 = performance.now();
  const at = Date.now();
  try {
    const headers: Record<string, string> = { 'x-forwarded-for': ip };
    if (init.cookie) headers.cookie = init.cookie;
    if (init.accept) headers.accept = init.accept;
    const res = await fetch(baseUrl + path, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form) : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    samples.push({ at, ms: performance.now() - t0, status: res.status, kind });
    return { status: res.status, res, text };
  } catch {
    samples.push({ at, ms: performance.now() - t0, status: 0, kind });
    return { status: 0 };
  }
}

/** The last acknowledged state of each (account, paper) vote; undefined once an unacknowledged toggle was sent. */
const votes = new Map<string, boolean | undefined>();
const comments: { id: string; accountId: string; paperId: string }[] = [];
const subscribers: { id: string; email: string; confirmedAt: number }[] = [];
let papers: string[] = [];
const QUERIES = [
  'diffusion',
  'reinforcement learning',
  'graph neural network',
  'language model agents',
  'robotics',
  'vision transformer',
  'speech recognition',
  'quantization',
  'federated learning',
  'benchmark',
  'retrieval augmented generation',
  'protein',
  'causal inference',
  'optimal transport',
];
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

async function signedCsrf(client: Client, acc: Client['accounts'][number], paper: string): Promise<boolean> {
  const r = await request('read', client.ip, `/papers/${paper}`, { cookie: `pb_session=${acc.token}` });
  if (r.status !== 200 || !r.res) return false;
  for (const line of r.res.headers.getSetCookie()) {
    const m = /^pb_csrf=([^;]+)/.exec(line);
    if (m) acc.csrfCookie = m[1];
  }
  acc.csrf = /name="csrf" value="([^"]+)"/.exec(r.text ?? '')?.[1];
  return Boolean(acc.csrf);
}

async function clientLoop(client: Client, until: () => boolean): Promise<void> {
  let q = 0;
  while (!until()) {
    const roll = Math.random();
    const paper = pick(papers);
    if (roll < 0.45) {
      const path = pick(['/', `/papers/${paper}`, '/api/daily_papers', '/trending']);
      await request('read', client.ip, path);
    } else if (roll < 0.65) {
      const query = `${pick(QUERIES)} ${q++ % 7 === 0 ? '' : pick(QUERIES).split(' ')[0]}`.trim();
      await request('search', client.ip, `/search?q=${encodeURIComponent(query)}&page=${1 + (q % 3)}`);
    } else if (roll < 0.92) {
      const acc = pick(client.accounts);
      if (!acc.csrf && !(await signedCsrf(client, acc, paper))) continue;
      const cookie = `pb_session=${acc.token}; pb_csrf=${acc.csrfCookie ?? ''}`;
      const key = `${acc.id}|${paper}`;
      const r = await request('vote', client.ip, `/papers/${paper}/upvote`, {
        form: { csrf: acc.csrf! },
        cookie,
        accept: 'application/json',
      });
      if (r.status === 200) {
        const body = JSON.parse(r.text ?? '{}') as { upvoted?: boolean; upvotes?: number };
        if (typeof body.upvoted === 'boolean' && typeof body.upvotes === 'number') votes.set(key, body.upvoted);
        else votes.set(key, undefined);
      } else if (r.status !== 429 && r.status !== 404) {
        // Not acknowledged (connection error, 5xx): the toggle may or may not have happened. A 429 or 404 is a
        // definite refusal that changed nothing, so the last acknowledged state still holds.
        votes.set(key, undefined);
        if (r.status === 403) acc.csrf = undefined;
      }
    } else if (roll < 0.96) {
      const acc = pick(client.accounts);
      if (!acc.csrf && !(await signedCsrf(client, acc, paper))) continue;
      const r = await request('comment', client.ip, `/papers/${paper}/comments`, {
        form: { csrf: acc.csrf!, body: `Soak comment ${comments.length} on ${paper}: does $x^2$ hold?` },
        cookie: `pb_session=${acc.token}; pb_csrf=${acc.csrfCookie ?? ''}`,
      });
      if (r.status === 303) {
        const id = /#comment-([A-Za-z0-9_-]+)/.exec(r.res?.headers.get('location') ?? '')?.[1];
        if (id) comments.push({ id, accountId: acc.id, paperId: paper });
      } else if (r.status === 403) acc.csrf = undefined;
    } else {
      await sleep(50);
    }
  }
}

// ---------- faults ----------

interface Window {
  name: string;
  start: number;
  end: number;
  note?: string;
}
const windows: Window[] = [];
const notInjected: string[] = [];
let serve: RunningServer | undefined;
const rssSegments: { pid: number; first?: number; last?: number }[] = [];

function rssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function restartPostgres(): Promise<void> {
  const start = Date.now();
  log('fault: PostgreSQL restart');
  try {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', PG_VERSION, 'main', 'restart'], { stdio: 'pipe' });
    windows.push({ name: 'PostgreSQL restart', start, end: Date.now() });
  } catch (error) {
    notInjected.push(`PostgreSQL restart failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function killServe(env: Record<string, string>): Promise<void> {
  const start = Date.now();
  log('fault: serve SIGKILL');
  process.kill(serve!.pid, 'SIGKILL');
  await serve!.stop(0);
  serve = await startServer(env, { timeoutMs: 120_000, args: ['--no-digest'] });
  rssSegments.push({ pid: serve.pid });
  windows.push({ name: 'serve SIGKILL + restart', start, end: Date.now() });
  log(`serve back (pid ${serve.pid}) after ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

async function smtpFaults(durationMs: number): Promise<void> {
  const start = Date.now();
  await setSmtp('down');
  await sleep(durationMs * 0.55);
  await setSmtp('4xx');
  await sleep(durationMs * 0.27);
  await setSmtp('5xx');
  await sleep(durationMs * 0.18);
  await setSmtp('up');
  windows.push({ name: 'SMTP down, then 4xx, then 5xx', start, end: Date.now() });
}

// ---------- main ----------

async function main(): Promise<number> {
  const durationMs = minutes * 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-soak-'));
  await admin(`CREATE DATABASE "${dbName}"`);
  const worker: { child?: ReturnType<typeof startCli> } = {};
  let opened: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    const slice = await writeSlice(join(dir, 'slice.jsonl'), Number(values.lines));
    const env: Record<string, string> = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    log(`importing ${values.lines} lines of the corpus into ${dbName}`);
    const imported = await runCli(['import', slice], env);
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const refit = await runCli(['refit'], env);
    if (refit.code !== 0) throw new Error(`refit failed: ${refit.stderr}`);

    smtpPort = await smtpListen(0);
    const port = await freePort();
    const siteEnv: Record<string, string> = {
      ...env,
      PORT: String(port),
      PAPERBOY_SOURCES: 'none',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PAPERBOY_DIGEST_CRON: '* * * * *',
      PAPERBOY_REFIT_CRON: 'off',
      PAPERBOY_SECRET: 'soak-secret-soak-secret-soak-secret-0123456789',
      PAPERBOY_API_RATE_LIMIT: '0',
      PAPERBOY_TRUST_PROXY: 'true',
      PAPERBOY_MAIL_CONCURRENCY: String(MAIL_CONCURRENCY),
      PAPERBOY_MAIL_RETRY_SECONDS: '5',
      PAPERBOY_BASE_URL: `http://127.0.0.1:${port}`,
    };
    serve = await startServer({ ...siteEnv, LOG_LEVEL: 'info' }, { timeoutMs: 120_000, args: ['--no-digest'] });
    baseUrl = serve.url;
    rssSegments.push({ pid: serve.pid });
    worker.child = startCli(['worker'], siteEnv);
    log(`serve ${serve.url} (pid ${serve.pid}), worker pid ${worker.child.pid}, SMTP 127.0.0.1:${smtpPort}`);

    opened = await openStore({ databaseUrl, dataDir: dir });
    const db = opened.db;
    papers = (await db.selectFrom('papers').select('id').limit(400).execute()).map((r) => r.id);
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client: Client = { ip: `10.77.0.${i + 1}`, accounts: [] };
      for (let j = 0; j < ACCOUNTS_PER_CLIENT; j++) {
        const email = `soak-${i}-${j}@example.org`;
        const { account } = await accountForEmail(db, email, new Date(Date.now() - 3 * 86_400_000));
        client.accounts.push({ id: account.id, email, token: await createSession(db, account.id, new Date()) });
      }
      clients.push(client);
    }

    // Faults, spread over the run, all over by 80% of it.
    const trafficEnd = Date.now() + durationMs;
    const t0 = Date.now();
    const at = (f: number) => sleep(Math.max(0, t0 + f * durationMs - Date.now()));
    const faults = (async () => {
      await at(0.15);
      await restartPostgres();
      await at(0.3);
      await smtpFaults(0.22 * durationMs);
      await at(0.62);
      await killServe({ ...siteEnv, LOG_LEVEL: 'info' });
      baseUrl = serve!.url;
    })();
    // New confirmed subscribers every few seconds, due at once (daily at 00:00 UTC), until 85% of the run.
    const subscribing = (async () => {
      let n = 0;
      while (Date.now() < t0 + 0.85 * durationMs) {
        const email = `soak-sub-${n++}@example.org`;
        try {
          const out = await subscribe(
            db,
            email,
            {
              frequency: 'daily',
              hour: 0,
              timeZone: 'UTC',
              weekday: 1,
              trending: true,
              alerts: [{ kind: 'category', value: pick(['cs.LG', 'cs.CV', 'cs.CL', 'cs.AI']) }],
            },
            new Date(),
          );
          if (out.kind === 'confirm') {
            const s = await confirm(db, out.token, new Date());
            if (s) subscribers.push({ id: s.id, email, confirmedAt: Date.now() });
          }
        } catch {
          // PostgreSQL restarting: this subscription is simply not made.
        }
        await sleep(3000);
      }
    })();
    const rssTimer = setInterval(() => {
      const seg = rssSegments[rssSegments.length - 1]!;
      const kb = rssKb(seg.pid);
      if (kb === undefined) return;
      // The start of a lifetime is taken after 20 s of traffic (warm caches, a fitted model loaded).
      if (seg.first === undefined && Date.now() - (windows.at(-1)?.end ?? t0) > 20_000) seg.first = kb;
      if (seg.first !== undefined) seg.last = kb;
    }, 1000);
    await Promise.all([...clients.map((c) => clientLoop(c, () => Date.now() >= trafficEnd)), faults, subscribing]);
    clearInterval(rssTimer);
    log(`traffic over: ${samples.length} requests; settling (outbox drain, at least 2 digest ticks)`);

    // Settle: at least two schedule ticks after the last subscriber, then until nothing is pending or sending.
    const settleStart = Date.now();
    await sleep(125_000);
    while (Date.now() - settleStart < 360_000) {
      const busy = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirstOrThrow();
      if (Number(busy.n) === 0) break;
      await sleep(5000);
    }
    await sleep(3000);

    // ---------- verification ----------
    let votesChecked = 0;
    let votesMissing = 0;
    let votesExtra = 0;
    let votesUnknown = 0;
    for (const [key, upvoted] of votes) {
      if (upvoted === undefined) {
        votesUnknown++;
        continue;
      }
      const [accountId, paperId] = key.split('|') as [string, string];
      const row = await db
        .selectFrom('paper_votes')
        .select('points')
        .where('account_id', '=', accountId)
        .where('paper_id', '=', paperId)
        .executeTakeFirst();
      votesChecked++;
      if (upvoted && !row) {
        votesMissing++;
        console.log(`LOST VOTE: account ${accountId} paper ${paperId} acknowledged upvoted, no row`);
      }
      if (!upvoted && row) {
        votesExtra++;
        console.log(`LOST UNVOTE: account ${accountId} paper ${paperId} acknowledged taken back, row present`);
      }
    }
    const commentIds = new Set(
      comments.length
        ? (
            await db
              .selectFrom('comments')
              .select('id')
              .where(
                'id',
                'in',
                comments.map((c) => c.id),
              )
              .execute()
          ).map((r) => r.id)
        : [],
    );
    const commentsMissing = comments.filter((c) => !commentIds.has(c.id));
    for (const c of commentsMissing) console.log(`LOST COMMENT: ${c.id} by ${c.accountId} on ${c.paperId}`);

    const subRows = subscribers.length
      ? await db
          .selectFrom('subscribers')
          .select(['id', 'email', 'last_period', 'status'])
          .where(
            'id',
            'in',
            subscribers.map((s) => s.id),
          )
          .execute()
      : [];
    const outbox = subscribers.length
      ? await db
          .selectFrom('outbox')
          .select(['subscriber_id', 'idempotency_key', 'message_id', 'status', 'last_error'])
          .where('kind', '=', 'digest')
          .where(
            'subscriber_id',
            'in',
            subscribers.map((s) => s.id),
          )
          .execute()
      : [];
    const byMessageId = new Map<string, number>();
    for (const d of delivered) byMessageId.set(d.messageId, (byMessageId.get(d.messageId) ?? 0) + 1);
    let composed = 0;
    let deliveredOnce = 0;
    let pending = 0;
    let refused5xx = 0;
    let empty = 0;
    let duplicated = 0;
    const lost: string[] = [];
    for (const s of subRows) {
      const rows = outbox.filter((o) => o.subscriber_id === s.id);
      if (rows.length === 0) {
        if (s.last_period) empty++;
        else if (s.status === 'confirmed') lost.push(`${s.email}: confirmed, never composed (last_period null)`);
        continue;
      }
      for (const o of rows) {
        composed++;
        const n = byMessageId.get(o.message_id) ?? 0;
        if (n > 1) duplicated += n - 1;
        if (n >= 1) deliveredOnce++;
        else if (o.status === 'pending' || o.status === 'sending') pending++;
        else if (o.status === 'failed' && /\b5\d\d\b/.test(o.last_error ?? '')) refused5xx++;
        else lost.push(`${s.email}: ${o.idempotency_key} ${o.status}, not delivered (${o.last_error ?? ''})`);
      }
    }
    for (const l of lost) console.log(`LOST DIGEST: ${l}`);

    // ---------- the table ----------
    const inFault = (t: number) => windows.some((w) => t >= w.start && t <= w.end + GRACE_MS);
    const outside = samples.filter((s) => !inFault(s.at));
    const inside = samples.filter((s) => inFault(s.at));
    const lat = outside
      .filter((s) => s.status > 0)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const p = (q: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]! : Number.NaN);
    const count = (xs: Sample[], f: (s: Sample) => boolean) => xs.filter(f).length;
    const kinds = ['read', 'search', 'vote', 'comment'];
    const rows: [string, string][] = [
      ['processes', '1 serve --no-digest + 1 worker (two serves wait for the scale-out issue)'],
      [
        'requests (outside / inside faults)',
        `${outside.length} / ${inside.length}  (${kinds.map((k) => `${k} ${count(samples, (s) => s.kind === k)}`).join(', ')})`,
      ],
      ['5xx outside fault windows', String(count(outside, (s) => s.status >= 500))],
      ['connection errors outside fault windows', String(count(outside, (s) => s.status === 0))],
      ['5xx inside fault windows', String(count(inside, (s) => s.status >= 500))],
      ['connection errors inside fault windows', String(count(inside, (s) => s.status === 0))],
      ['other non-2xx/3xx outside (4xx)', String(count(outside, (s) => s.status >= 400 && s.status < 500))],
      ['p50 / p99 latency outside faults', `${p(0.5).toFixed(1)} ms / ${p(0.99).toFixed(1)} ms`],
      [
        'acknowledged votes checked / unknown',
        `${votesChecked} / ${votesUnknown} (unknown: last toggle not acknowledged)`,
      ],
      ['acknowledged comments checked', String(comments.length)],
      ['LOST acknowledged writes (must be 0)', String(votesMissing + votesExtra + commentsMissing.length)],
      [
        'subscribers / digests composed / empty',
        `${subscribers.length} / ${composed} / ${empty} (empty: nothing new for them, no mail by design)`,
      ],
      ['digests delivered / still pending', `${deliveredOnce} / ${pending}`],
      ['digests refused by the 5xx window (failed by design)', String(refused5xx)],
      ['LOST digests (must be 0)', String(lost.length)],
      [
        'duplicated digests',
        `${duplicated} (bound: ${MAIL_CONCURRENCY} per kill; the worker was not killed, so expected 0)`,
      ],
      ['SMTP refusals answered 4xx / 5xx', `${refused['4xx']} / ${refused['5xx']}`],
      ...rssSegments.map((s, i): [string, string] => {
        const change = s.first && s.last ? ((s.last - s.first) / s.first) * 100 : Number.NaN;
        return [
          `serve RSS, lifetime ${i + 1} (pid ${s.pid}) start / end`,
          `${((s.first ?? 0) / 1024).toFixed(0)} MB / ${((s.last ?? 0) / 1024).toFixed(0)} MB (${change >= 0 ? '+' : ''}${change.toFixed(1)}%${Math.abs(change) <= 10 ? ', flat within 10%' : ', NOT within 10%'})`,
        ];
      }),
    ];
    console.log(
      `\nbench/soak: ${minutes} min, ${CLIENTS} clients, PostgreSQL ${PG_VERSION}, ${values.lines} papers (dates moved to the last 3 days)`,
    );
    console.log(
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    );
    console.log('fault windows (each + 15 s recovery grace):');
    for (const w of windows)
      console.log(`  ${w.name}: ${((w.start - t0) / 1000).toFixed(0)} s - ${((w.end - t0) / 1000).toFixed(0)} s`);
    for (const n of notInjected) console.log(`  NOT INJECTED: ${n}`);
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log('');
    for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v}`);
    return votesMissing + votesExtra + commentsMissing.length + lost.length === 0 ? 0 : 1;
  } finally {
    await opened?.store.close();
    worker.child?.kill('SIGTERM');
    await serve?.stop();
    if (worker.child) await worker.child.result;
    if (smtpServer) await new Promise<void>((resolve) => smtpServer!.close(() => resolve()));
    await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error(e));
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
