import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { root } from './cli.js';
import { engines, freshStore, type TestStore } from './stores.js';

/** Scheduled runs across real processes on one store: each period once, and a killed claimant's run taken over. */

interface Probe {
  child: ChildProcess;
  pid: number;
  lines: string[];
  exited: Promise<void>;
}

const probes: Probe[] = [];
const stores: TestStore[] = [];
afterEach(async () => {
  for (const p of probes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
  for (const t of stores.splice(0)) await t.dispose();
});

function startProbe(env: Record<string, string>, sleepMs: number): Promise<Probe> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/scheduled-probe.ts', String(sleepMs)], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'error', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const probe: Probe = {
    child,
    pid: child.pid!,
    lines: [],
    exited: new Promise((resolve) => child.on('close', () => resolve())),
  };
  probes.push(probe);
  let rest = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        probe.lines.push(line);
        if (line.startsWith('ready ')) resolve(probe);
      }
    });
    child.on('close', (code) => reject(new Error(`the probe ended before it was ready (exit code ${code})`)));
  });
}

/** Every "start"/"end" line of every probe, as [what, period, pid]. */
function events(all: Probe[]): [string, string, number][] {
  return all.flatMap((p) =>
    p.lines
      .map((l) => l.split(' '))
      .filter(([what]) => what === 'start' || what === 'end')
      .map(([what, period, pid]) => [what!, period!, Number(pid)] as [string, string, number]),
  );
}

async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopAll(all: Probe[]): Promise<void> {
  for (const p of all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(all.map((p) => p.exited));
}

describe.each(engines)('scheduled runs across processes on %s', (engine) => {
  it('runs each period once among three processes with a schedule every second', { timeout: 60_000 }, async () => {
    const t = await freshStore(engine);
    stores.push(t);
    const env = { ...t.env, PAPERBOY_TRENDING_CRON: '* * * * * *' };
    const all = await Promise.all([0, 1, 2].map(() => startProbe(env, 300)));
    await until(() => new Set(events(all).map(([, period]) => period)).size >= 4, 20_000, 'four periods');
    await stopAll(all);

    const starts = events(all).filter(([what]) => what === 'start');
    const ends = events(all).filter(([what]) => what === 'end');
    const periods = starts.map(([, period]) => period);
    expect(new Set(periods).size).toBe(periods.length);
    expect(ends.map(([, period]) => period).sort()).toEqual([...periods].sort());
    const rows = await t.db.selectFrom('job_runs').selectAll().where('job', '=', 'trending').execute();
    expect(rows.map((r) => r.period).sort()).toEqual([...periods].sort());
    expect(rows.every((r) => r.attempts === 1 && r.finished_at !== null)).toBe(true);
  });

  it('takes over the run of a claimant killed with SIGKILL, after the lease', { timeout: 60_000 }, async () => {
    const t = await freshStore(engine);
    stores.push(t);
    const env = { ...t.env, PAPERBOY_TRENDING_CRON: '*/5 * * * * *', PAPERBOY_JOB_LEASE_SECONDS: '1' };
    const all = await Promise.all([0, 1, 2].map(() => startProbe(env, 2500)));
    await until(() => events(all).some(([what]) => what === 'start'), 20_000, 'a first run');
    const [, period, claimant] = events(all).find(([what]) => what === 'start')!;
    const killedAt = Date.now();
    all.find((p) => p.pid === claimant)!.child.kill('SIGKILL');
    const done = () => events(all).some(([what, p]) => what === 'end' && p === period);
    await until(done, 15_000, 'the run taken over to end');
    const tookOver = events(all).find(([what, p, pid]) => what === 'start' && p === period && pid !== claimant)!;
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
    await stopAll(all);

    const runs = events(all).filter(([, p]) => p === period);
    expect(runs.filter(([what]) => what === 'start').map(([, , pid]) => pid)).toEqual(
      expect.arrayContaining([claimant, tookOver[2]]),
    );
    expect(runs).toHaveLength(3);
    expect(runs.filter(([what]) => what === 'end')).toEqual([['end', period, tookOver[2]]]);
    const starts = events(all).filter(([what, p]) => what === 'start' && p !== period);
    expect(new Set(starts.map(([, p]) => p)).size).toBe(starts.length);
    const row = await t.db
      .selectFrom('job_runs')
      .selectAll()
      .where('job', '=', 'trending')
      .where('period', '=', period)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
    expect(row.claimed_by).toContain(`:${tookOver[2]}:`);
    expect(row.finished_at).not.toBeNull();
  });
});
