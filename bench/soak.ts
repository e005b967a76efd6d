// bench/soak: the real site on PostgreSQL under mixed traffic while faults are injected (issue 13, item 4).
// Creates its own PostgreSQL database (dropped at the end), imports a slice of the corpus (its listing dates moved to
// the last three days so that digests have something to carry) and refits; starts a real SMTP server and an arXiv API
// on loopback, TWO `paperboy serve --no-digest` (A and B, on one database; half the clients use each) and ONE
// `paperboy worker`;
// drives reads, searches, votes, comments, submissions, sign-ins (through the mailed link) and new subscriptions from
// a few clients and imports a dump beside the site; restarts PostgreSQL, takes the SMTP server down and has it answer
// 4xx then 5xx, and kills serve A and the worker with SIGKILL. Then it checks every acknowledged write, mail and digest,
// and compares serve's memory once warm with its memory at the end of each lifetime.
// serve sets V8's heap growth itself (src/cli/serve.ts, HEAP_GROWING_PERCENT): without it, RSS grew by half over the
// first minutes of traffic while the live heap stayed flat. --logs DIR keeps each serve's log at debug level, with its
// memory (RSS, heap reserved and used, outside the heap) every 5 s and at each import batch, and V8's line for each
// collection (--trace-gc: "Mark-Compact 140.1 (190.2) -> 121.6 (196.4) MB" is the live heap after a full one).
// Usage: npm run bench:soak [-- --minutes 10] [--clients 6] [--lines 3000] [--heap-snapshots] [--keep-heap-snapshots DIR]
//        [--logs DIR]
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
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
import { apiFeed, type RawPaper } from '../test/arxiv-fixtures.js';
import { type RunningServer, startServer } from '../test/browser/server.js';
import { root, runCli, startCli } from '../test/cli.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '6' },
    lines: { type: 'string', default: '3000' },
    /**
     * Also measure serve's live heap with heap snapshots. A snapshot makes V8 allocate several times the heap for its
     * own bookkeeping, which the process keeps (measured: 182 MB RSS before one, 1,450 MB after), so with it the RSS
     * figures only say what a snapshot costs: RSS is then read after the warm snapshot, on both sides.
     */
    'heap-snapshots': { type: 'boolean', default: false },
    /** Keep serve's heap snapshots (start and end of each lifetime) in this folder, to find what grew; implies the above. */
    'keep-heap-snapshots': { type: 'string' },
    /** Keep each serve's log (at debug level: its memory every few seconds) in this folder. */
    logs: { type: 'string' },
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
const SERVE_LOG_LEVEL = values.logs ? 'debug' : 'info';
/** Writes a serve's log to the --logs folder, named by its role and pid. */
function keepLog(name: string, s: RunningServer | undefined): void {
  if (values.logs && s) writeFileSync(join(values.logs, `${name}-${s.pid}.log`), s.output());
}
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

/** The first `lines` papers of the corpus (imported before the run), the next 300 (imported during it) and the next
 * 400 (not imported: "on arXiv" only, submitted during the run through a loopback arXiv API). */
async function writeSlices(dir: string, lines: number): Promise<{ first: string; later: string; laterIds: string[] }> {
  const out: Record<string, unknown>[] = [];
  const rl = createInterface({ input: createReadStream(values.file).pipe(createGunzip()) });
  const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
  for await (const line of rl) {
    if (!line.trim()) continue;
    const paper = JSON.parse(line) as Record<string, unknown>;
    paper.listing_date = day(out.length % 3);
    out.push(paper);
    if (out.length >= lines + 700) break;
  }
  rl.close();
  const write = (name: string, part: Record<string, unknown>[]) => {
    writeFileSync(join(dir, name), `${part.map((p) => JSON.stringify(p)).join('\n')}\n`);
    return join(dir, name);
  };
  const later = out.slice(lines, lines + 300);
  onArxivOnly = out.slice(lines + 300) as unknown as RawPaper[];
  return {
    first: write('first.jsonl', out.slice(0, lines)),
    later: write('later.jsonl', later),
    laterIds: later.map((p) => String(p.id)),
  };
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
/** The sign-in links mailed to each address, newest last. */
const signinLinks = new Map<string, string[]>();
const refused = { '4xx': 0, '5xx': 0 };
let smtpServer: SMTPServer | undefined;
let smtpMode: SmtpMode = 'up';
let smtpPort = 0;
let arxivServer: HttpServer | undefined;
let importAttempts = 0;
let laterImported = false;

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
        const link = /\/signin\/verify\?token=([A-Za-z0-9_%-]+)/.exec(raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='));
        for (const r of session.envelope.rcptTo) {
          const to = r.address.toLowerCase();
          delivered.push({ messageId, to, at: Date.now() });
          if (link) signinLinks.set(to, [...(signinLinks.get(to) ?? []), decodeURIComponent(link[1]!)]);
        }
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
/** The second serve on the same database: clients with an odd address talk to it (it is never killed). */
let baseUrlB = '';
const siteFor = (ip: string) => (baseUrlB && Number(ip.split('.').pop()) % 2 === 1 ? baseUrlB : baseUrl);

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
    const res = await fetch(siteFor(ip) + path, {
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
/** Papers on the loopback arXiv only, first published a minute before they are asked for: what clients submit. */
let onArxivOnly: RawPaper[] = [];
let nextSubmission = 0;
const submissions: { accountId: string; paperId: string }[] = [];
interface SignIn {
  email: string;
  ip: string;
  csrfCookie: string;
  nonce: string;
  session?: string;
}
const signins: SignIn[] = [];

function setCookies(res: Response | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res?.headers.getSetCookie() ?? []) {
    const m = /^([^=]+)=([^;]*)/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}
const formCsrf = (html: string | undefined) => /name="csrf" value="([^"]+)"/.exec(html ?? '')?.[1];
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
    } else if (roll < 0.935) {
      const paperId = onArxivOnly[nextSubmission++]?.id;
      if (!paperId) continue;
      const acc = pick(client.accounts);
      if (!acc.csrf && !(await signedCsrf(client, acc, paper))) continue;
      const r = await request('submit', client.ip, '/submit', {
        form: { csrf: acc.csrf!, paper: paperId },
        cookie: `pb_session=${acc.token}; pb_csrf=${acc.csrfCookie ?? ''}`,
      });
      if (r.status === 303 && r.res?.headers.get('location')?.endsWith(`/papers/${paperId}`)) {
        submissions.push({ accountId: acc.id, paperId });
        corpusGrew = Date.now();
      } else if (r.status === 403) acc.csrf = undefined;
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

/** Asks for a sign-in link as a new browser would: the form, then the address. */
async function askSignin(n: number): Promise<void> {
  const ip = `10.78.${(n >> 8) & 255}.${n & 255}`;
  const email = `soak-signin-${n}@example.org`;
  const form = await request('signin', ip, '/signin');
  const csrfCookie = setCookies(form.res).get('pb_csrf');
  const csrf = formCsrf(form.text);
  if (!csrfCookie || !csrf) return;
  const r = await request('signin', ip, '/signin', {
    form: { csrf, email, next: '/' },
    cookie: `pb_csrf=${csrfCookie}`,
  });
  const nonce = setCookies(r.res).get('pb_signin');
  if (r.status === 200 && nonce && /Check your inbox/.test(r.text ?? ''))
    signins.push({ email, ip, csrfCookie, nonce });
}

/** Follows the mailed link of every sign-in whose mail has come: the confirmation page, then its button. */
async function completeSignins(): Promise<void> {
  for (const s of signins) {
    const link = signinLinks.get(s.email)?.at(-1);
    if (s.session || !link) continue;
    const path = `/signin/verify?token=${encodeURIComponent(link)}`;
    const cookie = `pb_csrf=${s.csrfCookie}; pb_signin=${s.nonce}`;
    const page = await request('signin', s.ip, path, { cookie });
    const csrf = formCsrf(page.text);
    if (page.status !== 200 || !csrf) continue;
    const r = await request('signin', s.ip, path, { form: { csrf }, cookie });
    const session = setCookies(r.res).get('pb_session');
    if (r.status === 303 && session) s.session = session;
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
let serveB: RunningServer | undefined;
/**
 * A serve process from start to kill. Its memory is taken once it is warm (isWarm: caches full, the model loaded, the
 * papers those at its end) and again at its end: RSS, and with --heap-snapshots the live JavaScript heap, which a heap
 * snapshot measures after a full collection (RSS also holds garbage not yet collected, so it moves with the collector's
 * pace).
 */
interface Lifetime {
  pid: number;
  started: number;
  rss: { first?: number; last?: number };
  heap: { first?: number; last?: number };
  /** The papers in the store at each measurement: the search index grows with them, as it should. */
  papers: { first?: number; last?: number };
}
let countPapers: () => Promise<number | undefined> = async () => undefined;
const lifetimes: Lifetime[] = [];
/** Serve B's one lifetime, measured once warm and when the traffic is over. */
let lifeB: Lifetime | undefined;
const WARM_MS = 60_000;
/**
 * When the corpus last grew (a submission acknowledged, an attempt of the import beside the site over). A serve's
 * index and For-you vectors grow with the papers, as they should, and each new paper's text empties its search,
 * related and page caches, which fill again within seconds once papers stop coming (serve B's live heap after each
 * full collection in --logs, a 5-minute run with the import at 40%: 91-96 MB while submissions came, 111-118 MB
 * seconds after they stopped, 122-129 MB from the import to the end): a warm reading taken before the corpus is final
 * compares two corpora.
 */
let corpusGrew = 0;
/** When serve A is killed (0.62 of the run): its first lifetime's warm reading must be over by then. */
let killAt = Number.POSITIVE_INFINITY;
/** The warm reading under way, which the kill waits for. */
let measuring: Promise<void> = Promise.resolve();
/**
 * Warm: WARM_MS since the serve started, PostgreSQL last restarted and the corpus last grew. The other faults hit the
 * mail server and the worker, and the heap snapshots pause one serve: none changes what a serve holds.
 */
const isWarm = (life: Lifetime) => {
  const restarted = windows.filter((w) => w.name === 'PostgreSQL restart').at(-1)?.end ?? 0;
  return Date.now() - Math.max(life.started, restarted, corpusGrew) >= WARM_MS;
};
let heapDir = '';
const snapshots = values['heap-snapshots'] || values['keep-heap-snapshots'] !== undefined;
const serveNodeArgs = () => [
  ...(snapshots ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${heapDir}`] : []),
  ...(values.logs ? ['--trace-gc'] : []),
];
/** RSS moves with the collector's pace: each reading is the median of one per second over this many seconds. */
const RSS_SAMPLES = 10;

/**
 * The live heap of `pid` in bytes: a snapshot written on SIGUSR2 (serve pauses meanwhile), summed. `name` (A1, B...)
 * and `when` (warm, end) name the kept file.
 */
async function liveHeap(pid: number, name: string, when: 'warm' | 'end'): Promise<number | undefined> {
  const start = Date.now();
  const before = new Set(readdirSync(heapDir));
  try {
    process.kill(pid, 'SIGUSR2');
  } catch (error) {
    log(`no heap snapshot of ${name} (pid ${pid}): ${(error as Error).message}`);
    return undefined;
  }
  let file: string | undefined;
  let size = -1;
  while (Date.now() - start < 90_000) {
    await sleep(1000);
    file ??= readdirSync(heapDir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const now = statSync(join(heapDir, file)).size;
    if (now === size && now > 0) break;
    size = now;
  }
  windows.push({ name: 'heap snapshot', start, end: Date.now() });
  if (!file) return undefined;
  const path = join(heapDir, file);
  let snap: { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  try {
    snap = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    log(`heap snapshot of ${name} (pid ${pid}) unreadable, the serve killed while writing it? ${String(error)}`);
    return undefined;
  }
  const width = snap.snapshot.meta.node_fields.length;
  const at = snap.snapshot.meta.node_fields.indexOf('self_size');
  let bytes = 0;
  for (let i = at; i < snap.nodes.length; i += width) bytes += snap.nodes[i]!;
  if (values['keep-heap-snapshots'])
    renameSync(path, join(values['keep-heap-snapshots'], `${name}-${when}-${pid}-${file}`));
  else rmSync(path);
  return bytes;
}

/**
 * The memory of the current serve and of serve B once warm, unless taken already, and only before `until`: a reading
 * taken as the traffic ends would compare the end with itself.
 */
async function memoryWhenWarm(until: number): Promise<void> {
  const life = lifetimes.at(-1)!;
  const untilA = lifetimes.length === 1 ? Math.min(until, killAt - WARM_MS / 2) : until;
  if (life.rss.first === undefined && isWarm(life) && Date.now() < untilA && rssKb(life.pid) !== undefined) {
    if (snapshots) life.heap.first = await liveHeap(life.pid, `A${lifetimes.length}`, 'warm');
    life.rss.first = await steadyRssKb(life.pid);
    life.papers.first = await countPapers();
    log(`serve ${life.pid} warm: RSS ${mb(life.rss.first)}${snapshots ? `, live heap ${mb(life.heap.first, 1)}` : ''}`);
  }
  if (lifeB && lifeB.rss.first === undefined && isWarm(lifeB) && Date.now() < until && rssKb(lifeB.pid) !== undefined) {
    if (snapshots) lifeB.heap.first = await liveHeap(lifeB.pid, 'B', 'warm');
    lifeB.rss.first = await steadyRssKb(lifeB.pid);
    lifeB.papers.first = await countPapers();
    log(
      `serve B ${lifeB.pid} warm: RSS ${mb(lifeB.rss.first)}${snapshots ? `, live heap ${mb(lifeB.heap.first, 1)}` : ''}`,
    );
  }
}

/** The memory of the current serve at its end (before a kill, or when the traffic is over). */
async function memoryAtEnd(): Promise<void> {
  const life = lifetimes.at(-1)!;
  if (life.rss.first === undefined) return;
  life.rss.last = await steadyRssKb(life.pid);
  if (snapshots) life.heap.last = await liveHeap(life.pid, `A${lifetimes.length}`, 'end');
  life.papers.last = await countPapers();
  log(`serve ${life.pid} end: RSS ${mb(life.rss.last)}${snapshots ? `, live heap ${mb(life.heap.last, 1)}` : ''}`);
}

/** Kilobytes (RSS) or bytes (heap, with `bytesUnit`) as MB. */
const mb = (n: number | undefined, bytesUnit?: 1) =>
  n === undefined ? '?' : `${(bytesUnit ? n / 2 ** 20 : n / 1024).toFixed(0)} MB`;

async function steadyRssKb(pid: number): Promise<number | undefined> {
  const seen: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    const kb = rssKb(pid);
    if (kb !== undefined) seen.push(kb);
    await sleep(1000);
  }
  seen.sort((a, b) => a - b);
  return seen[Math.floor(seen.length / 2)];
}

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
  await memoryAtEnd();
  const start = Date.now();
  log('fault: serve SIGKILL');
  process.kill(serve!.pid, 'SIGKILL');
  await serve!.stop(0);
  keepLog(`serve-A${lifetimes.length}`, serve);
  serve = await startServer(env, { timeoutMs: 120_000, args: ['--no-digest'], nodeArgs: serveNodeArgs() });
  lifetimes.push({ pid: serve.pid, started: Date.now(), rss: {}, heap: {}, papers: {} });
  windows.push({ name: 'serve SIGKILL + restart', start, end: Date.now() });
  log(`serve back (pid ${serve.pid}) after ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

async function killWorker(worker: { child?: ReturnType<typeof startCli> }, env: Record<string, string>): Promise<void> {
  const start = Date.now();
  log('fault: worker SIGKILL');
  worker.child!.kill('SIGKILL');
  await worker.child!.result;
  worker.child = startCli(['worker'], env);
  windows.push({ name: 'worker SIGKILL + restart', start, end: Date.now() });
  log(`worker back (pid ${worker.child.pid})`);
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
  heapDir = join(dir, 'heap');
  mkdirSync(heapDir);
  await admin(`CREATE DATABASE "${dbName}"`);
  const worker: { child?: ReturnType<typeof startCli> } = {};
  let opened: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    const slices = await writeSlices(dir, Number(values.lines));
    const env: Record<string, string> = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    log(`importing ${values.lines} lines of the corpus into ${dbName}`);
    const imported = await runCli(['import', slices.first], env);
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const refit = await runCli(['refit'], env);
    if (refit.code !== 0) throw new Error(`refit failed: ${refit.stderr}`);

    smtpPort = await smtpListen(0);
    const byId = new Map(onArxivOnly.map((p) => [p.id, p]));
    arxivServer = createHttpServer((req, res) => {
      const ids = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('id_list')?.split(',') ?? [];
      const published = `${new Date(Date.now() - 60_000).toISOString().slice(0, 19)}Z`;
      const found = ids.flatMap((id) => (byId.has(id) ? [{ paper: byId.get(id)!, published }] : []));
      res.writeHead(200, { 'Content-Type': 'application/atom+xml; charset=utf-8' }).end(apiFeed(found));
    });
    await new Promise<void>((resolve) => arxivServer!.listen(0, '127.0.0.1', resolve));
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
      PAPERBOY_ARXIV_API_URL: `http://127.0.0.1:${(arxivServer.address() as AddressInfo).port}/api/query`,
      PAPERBOY_ARXIV_DELAY_MS: '0',
      // The index and For-you snapshot files of this run's database, not the checkout's ./data.
      PAPERBOY_DATA_DIR: join(dir, 'data'),
    };
    serve = await startServer(
      { ...siteEnv, LOG_LEVEL: SERVE_LOG_LEVEL },
      { timeoutMs: 120_000, args: ['--no-digest'], nodeArgs: serveNodeArgs() },
    );
    baseUrl = serve.url;
    lifetimes.push({ pid: serve.pid, started: Date.now(), rss: {}, heap: {}, papers: {} });
    serveB = await startServer(
      { ...siteEnv, PORT: String(await freePort()), LOG_LEVEL: SERVE_LOG_LEVEL },
      { timeoutMs: 120_000, args: ['--no-digest'], nodeArgs: serveNodeArgs() },
    );
    baseUrlB = serveB.url;
    lifeB = { pid: serveB.pid, started: Date.now(), rss: {}, heap: {}, papers: {} };
    worker.child = startCli(['worker'], siteEnv);
    log(
      `serve A ${serve.url} (pid ${serve.pid}), serve B ${serveB.url} (pid ${serveB.pid}), worker pid ${worker.child.pid}, SMTP 127.0.0.1:${smtpPort}`,
    );

    opened = await openStore({ databaseUrl, dataDir: dir });
    const db = opened.db;
    countPapers = () =>
      db
        .selectFrom('papers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n))
        .catch(() => undefined);
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
    killAt = t0 + 0.62 * durationMs;
    const at = (f: number) => sleep(Math.max(0, t0 + f * durationMs - Date.now()));
    const faults = (async () => {
      await at(0.15);
      await restartPostgres();
      await at(0.3);
      await smtpFaults(0.22 * durationMs);
      await at(0.62);
      await measuring;
      await killServe({ ...siteEnv, LOG_LEVEL: SERVE_LOG_LEVEL });
      baseUrl = serve!.url;
      await at(0.75);
      await killWorker(worker, siteEnv);
    })();
    // A dump imported beside the running site, retried until it goes through (PostgreSQL may be restarting). Early,
    // so that every serve's warm reading comes after it (see corpusGrew) with time left before its end.
    const importing = (async () => {
      await at(0.1);
      for (let attempt = 1; attempt <= 20; attempt++) {
        log(`import beside the site: attempt ${attempt} (t0 ${t0})`);
        const run = await runCli(['import', slices.later], env);
        importAttempts = attempt;
        corpusGrew = Date.now();
        if (run.code === 0) {
          laterImported = true;
          log(`import beside the site: done (attempt ${attempt})`);
          return;
        }
        await sleep(5000);
      }
    })();
    const signingIn = (async () => {
      let n = 0;
      while (Date.now() < t0 + 0.85 * durationMs) {
        await askSignin(n++);
        await completeSignins();
        await sleep(4000);
      }
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
    const watching = (async () => {
      while (Date.now() < trafficEnd) {
        measuring = memoryWhenWarm(trafficEnd - WARM_MS / 2);
        await measuring;
        await sleep(1000);
      }
    })();
    await Promise.all([
      ...clients.map((c) => clientLoop(c, () => Date.now() >= trafficEnd)),
      faults,
      subscribing,
      importing,
      signingIn,
      watching,
    ]);
    await memoryAtEnd();
    if (lifeB?.rss.first !== undefined) {
      lifeB.rss.last = await steadyRssKb(lifeB.pid);
      if (snapshots) lifeB.heap.last = await liveHeap(lifeB.pid, 'B', 'end');
      lifeB.papers.last = await countPapers();
      log(
        `serve B ${lifeB.pid} end: RSS ${mb(lifeB.rss.last)}${snapshots ? `, live heap ${mb(lifeB.heap.last, 1)}` : ''}`,
      );
    }
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
      await completeSignins();
      if (Number(busy.n) === 0) break;
      await sleep(5000);
    }
    await sleep(3000);
    await completeSignins();

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

    const submitted = new Set(
      submissions.length
        ? (
            await db
              .selectFrom('submissions')
              .select(['paper_id', 'account_id'])
              .where(
                'paper_id',
                'in',
                submissions.map((x) => x.paperId),
              )
              .execute()
          ).map((r) => `${r.account_id}|${r.paper_id}`)
        : [],
    );
    const submissionsMissing = submissions.filter((x) => !submitted.has(`${x.accountId}|${x.paperId}`));
    for (const x of submissionsMissing) console.log(`LOST SUBMISSION: ${x.paperId} by ${x.accountId}`);
    const laterPresent = Number(
      (
        await db
          .selectFrom('papers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', 'in', slices.laterIds)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const importMissing = laterImported ? slices.laterIds.length - laterPresent : 0;
    if (importMissing) console.log(`LOST IMPORTED PAPERS: ${importMissing} of ${slices.laterIds.length}`);
    // A sign-in mail still pending, or refused for good by the 5xx window (as a real server's 5xx would), is not lost.
    const signinRows = await db
      .selectFrom('outbox')
      .select(['recipient', 'status', 'last_error'])
      .where('idempotency_key', 'like', 'signin:%')
      .execute();
    const signinPending = new Set(
      signinRows.filter((r) => r.status === 'pending' || r.status === 'sending').map((r) => r.recipient.toLowerCase()),
    );
    const signinRefused = new Set(
      signinRows
        .filter((r) => r.status === 'failed' && /\b5\d\d\b/.test(r.last_error ?? ''))
        .map((r) => r.recipient.toLowerCase()),
    );
    const signinMailLost = signins.filter(
      (x) => !signinLinks.has(x.email) && !signinPending.has(x.email) && !signinRefused.has(x.email),
    );
    for (const x of signinMailLost) console.log(`LOST SIGN-IN MAIL: ${x.email}`);
    let sessionsBroken = 0;
    for (const x of signins.filter((y) => y.session)) {
      const r = await request('check', x.ip, '/account', { cookie: `pb_session=${x.session}` });
      if (r.status !== 200) {
        sessionsBroken++;
        console.log(`LOST SESSION: ${x.email} signed in, /account answers ${r.status}`);
      }
    }
    const lostWrites =
      votesMissing +
      votesExtra +
      commentsMissing.length +
      submissionsMissing.length +
      importMissing +
      signinMailLost.length +
      sessionsBroken;

    // ---------- the table ----------
    // A request counts as inside a fault when it was in flight at any moment of the window (or its grace).
    const inFault = (s: Sample) => windows.some((w) => s.at + s.ms >= w.start && s.at <= w.end + GRACE_MS);
    const outside = samples.filter((s) => !inFault(s));
    const inside = samples.filter((s) => inFault(s));
    const lat = outside
      .filter((s) => s.status > 0)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const p = (q: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]! : Number.NaN);
    const count = (xs: Sample[], f: (s: Sample) => boolean) => xs.filter(f).length;
    const kinds = ['read', 'search', 'vote', 'comment', 'submit', 'signin'];
    const change = (a?: number, b?: number) => {
      if (!a || !b) return '(not measured: it ended too soon after its start, a PostgreSQL restart or a new paper)';
      const pct = ((b - a) / a) * 100;
      return `(${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%${Math.abs(pct) <= 10 ? ', flat within 10%' : ', NOT within 10%'})`;
    };
    const rows: [string, string][] = [
      ['processes', '2 serve --no-digest on one database (A killed and restarted, B throughout) + 1 worker'],
      ['faults injected', windows.map((w) => w.name).join('; ')],
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
      ['acknowledged submissions checked', String(submissions.length)],
      [
        'import beside the site',
        laterImported
          ? `${laterPresent} / ${slices.laterIds.length} papers present (attempts: ${importAttempts})`
          : `did not go through in ${importAttempts} attempts`,
      ],
      [
        'sign-ins asked / mailed / completed / refused by the 5xx window',
        `${signins.length} / ${signins.filter((x) => signinLinks.has(x.email)).length} / ${signins.filter((x) => x.session).length} / ${signins.filter((x) => !signinLinks.has(x.email) && signinRefused.has(x.email)).length}`,
      ],
      ['LOST acknowledged writes (must be 0)', String(lostWrites)],
      [
        'subscribers / digests composed / empty',
        `${subscribers.length} / ${composed} / ${empty} (empty: nothing new for them, no mail by design)`,
      ],
      ['digests delivered / still pending', `${deliveredOnce} / ${pending}`],
      ['digests refused by the 5xx window (failed by design)', String(refused5xx)],
      ['LOST digests (must be 0)', String(lost.length)],
      ['duplicated digests', `${duplicated} (bound: ${MAIL_CONCURRENCY} per kill of the sending worker; killed once)`],
      ['SMTP refusals answered 4xx / 5xx', `${refused['4xx']} / ${refused['5xx']}`],
      ...lifetimes.flatMap((l, i): [string, string][] => {
        const heap: [string, string][] = snapshots
          ? [
              [
                `serve A${i + 1} (pid ${l.pid}) live heap, warm / end`,
                `${mb(l.heap.first, 1)} / ${mb(l.heap.last, 1)} ${change(l.heap.first, l.heap.last)}`,
              ],
            ]
          : [];
        return [
          ...heap,
          [
            `serve A${i + 1} (pid ${l.pid}) RSS, warm / end${snapshots ? ' (both after a heap snapshot)' : ''}`,
            `${mb(l.rss.first)} / ${mb(l.rss.last)} ${change(l.rss.first, l.rss.last)}; papers ${l.papers.first ?? '?'} / ${l.papers.last ?? '?'}`,
          ],
        ];
      }),
      ...(lifeB
        ? [
            ...(snapshots
              ? [
                  [
                    `serve B (pid ${lifeB.pid}) live heap, warm / end`,
                    `${mb(lifeB.heap.first, 1)} / ${mb(lifeB.heap.last, 1)} ${change(lifeB.heap.first, lifeB.heap.last)}`,
                  ] as [string, string],
                ]
              : []),
            [
              `serve B (pid ${lifeB.pid}) RSS, warm / end${snapshots ? ' (both after a heap snapshot)' : ''}`,
              `${mb(lifeB.rss.first)} / ${mb(lifeB.rss.last)} ${change(lifeB.rss.first, lifeB.rss.last)}; papers ${lifeB.papers.first ?? '?'} / ${lifeB.papers.last ?? '?'}`,
            ] as [string, string],
          ]
        : []),
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
    return lostWrites + lost.length === 0 && laterImported ? 0 : 1;
  } finally {
    await opened?.store.close();
    worker.child?.kill('SIGTERM');
    await serve?.stop();
    await serveB?.stop();
    keepLog(`serve-A${lifetimes.length}`, serve);
    keepLog('serve-B', serveB);
    if (worker.child) await worker.child.result;
    if (smtpServer) await new Promise<void>((resolve) => smtpServer!.close(() => resolve()));
    arxivServer?.close();
    await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error(e));
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
