import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startCli } from './cli.js';
import { closedPort } from './ports.js';
import { engines, freshStore, type TestStore } from './stores.js';

/** Many `serve` processes on one store: shared rate limits, and `serve --processes N` on one port. */

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

/** Starts `paperboy serve` with `args` and resolves once `listeners` processes log that they listen. */
async function serve(args: string[], env: Record<string, string>, listeners = 1) {
  const child = startCli(['serve', ...args], { LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const listening = () => out.split('\n').filter((l) => l.includes('Paperboy is listening on http://'));
  const end = Date.now() + 30_000;
  while (listening().length < listeners) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`serve did not start:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /listening on (http:\/\/[^\s;"]+)/.exec(listening()[0]!)![1]!;
  return { child, url, output: () => out };
}

/** A request on a connection of its own, so that the processes sharing a port take turns. */
function request(url: string): Promise<{ status: number; pid: string | undefined }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, pid: res.headers['paperboy-pid'] as string | undefined }));
    }).on('error', reject);
  });
}

/** A Hugging Face daily_papers API on loopback that lists nothing and counts what it is asked. */
async function fakeHf() {
  const asked: string[] = [];
  const hf = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
  });
  servers.push(hf);
  await new Promise<void>((resolve) => hf.listen(0, '127.0.0.1', resolve));
  const env = {
    PAPERBOY_SOURCES: 'hf-daily',
    PAPERBOY_HF_API_URL: `http://127.0.0.1:${(hf.address() as AddressInfo).port}/api`,
  };
  return { asked, env };
}

async function until(test: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(engines)('processes on one %s store', (engine) => {
  it('share the API rate limit, and harvest once when started together', { timeout: 90_000 }, async () => {
    const t = await freshStore(engine);
    stores.push(t);
    const hf = await fakeHf();
    const env = { ...t.env, PORT: '0', PAPERBOY_API_RATE_LIMIT: '5', ...hf.env };
    const [a, b] = await Promise.all([serve([], env), serve([], env)]);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(`${i % 2 ? b!.url : a!.url}/api/daily_papers`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

    await until(() => `${a!.output()}${b!.output()}`.includes('harvested hf-daily'));
    const harvests = await t.db.selectFrom('job_runs').selectAll().where('job', '=', 'harvest').execute();
    expect(harvests).toHaveLength(1);
    expect(hf.asked).toHaveLength(7);
  });

  it('serve --processes 2 answers on one port from two processes and harvests once', { timeout: 90_000 }, async () => {
    const t = await freshStore(engine);
    stores.push(t);
    const hf = await fakeHf();
    const port = await closedPort();
    const s = await serve(['--processes', '2'], { ...t.env, PORT: String(port), ...hf.env }, 2);
    const pids = new Set<string>();
    for (let i = 0; i < 20 && pids.size < 2; i++) {
      const res = await request(`${s.url}/healthz`);
      expect(res.status).toBe(200);
      pids.add(res.pid!);
    }
    expect(pids.size).toBe(2);
    expect(pids).not.toContain(String(s.child.pid));

    await until(() => s.output().includes('harvested hf-daily'));
    const harvests = await t.db.selectFrom('job_runs').selectAll().where('job', '=', 'harvest').execute();
    expect(harvests).toHaveLength(1);
    // One harvest of an empty store asks for the last 7 days, once each.
    expect(hf.asked).toHaveLength(7);
    expect(s.output().match(/harvested hf-daily/g)).toHaveLength(1);

    // A process that dies is replaced.
    const [gone] = [...pids];
    process.kill(Number(gone), 'SIGKILL');
    await until(() => s.output().includes(`web process ${gone} ended`));
    const now = new Set<string>();
    await until(async () => {
      const res = await request(`${s.url}/healthz`).catch(() => undefined);
      if (res?.status === 200) now.add(res.pid!);
      return [...now].some((pid) => !pids.has(pid));
    });
    for (const pid of now) pids.add(pid);

    s.child.kill('SIGTERM');
    const result = await s.child.result;
    expect(result.code).toBe(0);
    for (const pid of pids) expect(() => process.kill(Number(pid), 0)).toThrow();
  });
});
