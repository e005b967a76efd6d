import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { shared, startCli } from './cli.js';
import { closedPort } from './ports.js';
import { type Engine, engines, freshStore, type TestStore } from './stores.js';

/** `paperboy serve` as a user runs it: the real program on a free port, with sources replayed on loopback. */

type Child = ReturnType<typeof startCli>;
const children: Child[] = [];
const stores: TestStore[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await child.result;
  }
  for (const t of stores.splice(0)) await t.dispose();
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Starts `paperboy serve` on PORT=0 and resolves once it logs the address it listens on. */
async function startServe(engine: Engine, env: Record<string, string>) {
  const t = await freshStore(engine);
  stores.push(t);
  const child = startCli(['serve'], { ...t.env, PORT: '0', LOG_LEVEL: 'info', ...env });
  children.push(child);
  let out = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.on('close', () => {
    for (const w of waiters) w();
  });
  const logs = (): LogLine[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  /** Resolves with the first log line that matches, or fails after `ms` (or when the process ends) with the output so far. */
  const waitFor = (test: (line: LogLine) => boolean, ms = 20_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const line = logs().find(test);
        if (line) done(() => resolve(line));
        else if (child.exitCode !== null || child.signalCode !== null)
          done(() => reject(new Error(`paperboy serve ended early:\n${out}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out; the log so far:\n${out}`))), ms);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });
  const listening = await waitFor((l) => /listening on http:\/\//.test(l.msg));
  const url = /listening on (http:\/\/[^\s;]+)/.exec(listening.msg)![1]!;
  return { child, t, url, logs, waitFor, output: () => out };
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

interface RawPaper {
  id: string;
  title: string;
  summary: string;
  authors: string[];
}

/** Real papers of one raw arXiv day, as Hugging Face's daily_papers would list them (no recorded response exists). */
const RAW: RawPaper[] = readFileSync(join(shared, 'fixtures/daily_arxiv_raw/2026-07-01.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 3)
  .map((l) => JSON.parse(l) as RawPaper);
const HOSTILE = `${RAW[1]!.title} <script>alert(1)</script>`;

/** On the feed day `day` (today by the child's clock, so that any "today" view of the site lists them). */
function dailyEntry(p: RawPaper, title: string, upvotes: number, day: string) {
  const submitter = {
    _id: 'u1',
    avatarUrl: 'https://example.org/a.png',
    isPro: false,
    fullname: 'A. K.',
    user: 'akhaliq',
    type: 'user',
  };
  return {
    paper: {
      id: p.id,
      authors: p.authors.map((name, j) => ({ _id: `a${j}`, name, hidden: false })),
      publishedAt: `${day}T00:00:00.000Z`,
      title,
      summary: p.summary,
      upvotes,
      discussionId: `d-${p.id}`,
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      submittedOnDailyAt: `${day}T06:02:03.000Z`,
      submittedOnDailyBy: submitter,
      withdrawnAt: null,
    },
    publishedAt: `${day}T06:02:03.000Z`,
    title,
    summary: p.summary,
    numComments: 2,
    submittedBy: submitter,
    isAuthorParticipating: false,
  };
}

describe('paperboy serve', () => {
  it('on an empty store says what to do, on the page and in the log', async () => {
    const s = await startServe('sqlite', {});
    const home = await get(`${s.url}/`);
    expect(home.status).toBe(200);
    expect(home.text).toContain('The store is empty');
    expect(home.text).toContain('npx paperboy import');
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ ok: true, papers: 0 });
    const warning = s.logs().find((l) => l.msg.includes('store is empty'));
    expect(warning?.msg).toContain('npx paperboy import');
    expect(s.logs().some((l) => l.msg.includes('harvesting is off'))).toBe(true);
  });

  it('answers an oversized request with the JSON error the API documents, without resetting the connection', async () => {
    const s = await startServe('sqlite', {});
    for (const size of [20_000, 100_000]) {
      const res = await fetch(`${s.url}/api/search?q=${'x'.repeat(size)}`);
      expect(res.status).toBe(431);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('request_too_large');
      expect(body.error.message).toContain('16 KB');
    }
    // A malformed request is still answered 400, as Node does without a listener, not cut off.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(s.url).port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    // The process goes on serving.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('offline: keeps serving and says so once per source, however many harvests fail', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const s = await startServe('sqlite', {
      LOG_LEVEL: 'debug',
      PAPERBOY_SOURCES: 'hf-daily,arxiv-oai:cs.AI',
      PAPERBOY_HF_API_URL: `${closed}/api`,
      PAPERBOY_ARXIV_OAI_URL: `${closed}/oai`,
      PAPERBOY_HARVEST_CRON: '*/1 * * * * *',
      PAPERBOY_ARXIV_DELAY_MS: '0',
      PAPERBOY_HTTP_RETRIES: '0',
    });
    await s.waitFor((l) => l.msg === 'harvest round 2 done');
    for (const path of ['/', '/healthz']) expect((await get(`${s.url}${path}`)).status).toBe(200);
    await s.waitFor((l) => l.msg === 'harvest round 4 done');
    for (const path of ['/', '/healthz']) expect((await get(`${s.url}${path}`)).status).toBe(200);

    const offline = s.logs().filter((l) => /offline/i.test(l.msg));
    expect(offline.map((l) => l.source)).toEqual(['hf-daily', 'arxiv-oai:cs (cs.AI)']);
    for (const line of offline) {
      expect(line.msg).toMatch(/^offline: .*Could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      expect(line.msg).toContain('keeps serving');
    }
    expect(s.logs().filter((l) => l.level >= 50)).toEqual([]);
    // The empty front page says why.
    const home = (await get(`${s.url}/`)).text;
    expect(home).toMatch(/The last harvest, at \d\d:\d\d UTC on [^,]+, could not reach its sources:/);
    expect(home).toMatch(/<strong>hf-daily<\/strong>: Could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('SIGTERM ends the process with code 0', async () => {
    const s = await startServe('sqlite', {});
    expect((await get(`${s.url}/healthz`)).status).toBe(200);
    s.child.kill('SIGTERM');
    const result = await s.child.result;
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(s.logs().some((l) => l.msg === 'shutting down')).toBe(true);
  });

  it('refuses an unknown source before listening, naming it', async () => {
    const t = await freshStore('sqlite');
    stores.push(t);
    const child = startCli(['serve'], {
      ...t.env,
      PORT: '0',
      LOG_LEVEL: 'info',
      PAPERBOY_SOURCES: 'hf-daily,arxiv-oai:cs.XX.YY',
    });
    children.push(child);
    const result = await child.result;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^paperboy: Unknown source "arxiv-oai:cs\.XX\.YY" in PAPERBOY_SOURCES/);
    expect(result.stdout).not.toContain('listening on');
  });
});

describe.each(engines)('paperboy serve on %s with a working source', (engine) => {
  it('shows the harvested papers, with their titles escaped', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const entries = [
      dailyEntry(RAW[0]!, RAW[0]!.title, 42, today),
      dailyEntry(RAW[1]!, HOSTILE, 7, today),
      dailyEntry(RAW[2]!, RAW[2]!.title, 3, today),
    ];
    const dates: string[] = [];
    const hf = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/api/daily_papers') return void res.writeHead(404).end('{"error":"Not Found"}');
      dates.push(url.searchParams.get('date')!);
      // The same three papers whatever the day: the harvest's dates follow the child's clock.
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(url.searchParams.get('p') === '0' ? entries : []));
    });
    servers.push(hf);
    await new Promise<void>((resolve) => hf.listen(0, '127.0.0.1', resolve));

    const s = await startServe(engine, {
      PAPERBOY_SOURCES: 'hf-daily',
      PAPERBOY_HF_API_URL: `http://127.0.0.1:${(hf.address() as AddressInfo).port}/api`,
    });
    const harvested = await s.waitFor((l) => l.msg.startsWith('harvested hf-daily'));
    expect(harvested).toMatchObject({ source: 'hf-daily', new: 3, updated: 0, rejected: 0 });
    expect(dates).toHaveLength(7);
    expect(dates.at(-1)).toBe(today);

    const home = await get(`${s.url}/`);
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('The store is empty');
    for (const p of RAW) expect(home.text).toContain(`/papers/${p.id}`);
    expect(home.text).toContain(RAW[0]!.title);
    expect(home.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(home.text).not.toContain('<script>alert(1)</script>');

    const page = await get(`${s.url}/papers/${RAW[1]!.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain(`https://arxiv.org/abs/${RAW[1]!.id}`);

    const plain = await get(`${s.url}/papers/${RAW[0]!.id}`);
    expect(plain.status).toBe(200);
    expect(plain.text).toContain(RAW[0]!.title);
    expect((await get(`${s.url}/papers/2601.99999`)).status).toBe(404);
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ ok: true, papers: 3 });
    expect(await s.t.store.getPaper(RAW[0]!.id)).toMatchObject({ upvotes: 42, submittedBy: 'akhaliq', dailyOn: today });
  });
});
