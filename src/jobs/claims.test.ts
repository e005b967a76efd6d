import { Cron } from 'croner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { createJobClaims, deleteFinishedRuns } from './claims.js';
import { periodKey } from './schedule.js';

describe.each(engines)('job claims on %s', (engine) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore(engine);
  });
  afterAll(() => t.dispose());

  const row = (job: string, period: string) =>
    t.db.selectFrom('job_runs').selectAll().where('job', '=', job).where('period', '=', period).executeTakeFirst();

  it('keeps the records of finished runs until the clean-up drops those older than it is asked', async () => {
    const old = createJobClaims(t.db, { leaseMs: 60_000, owner: 'old', now: () => new Date('2026-01-01T00:00:00Z') });
    const recent = createJobClaims(t.db, {
      leaseMs: 60_000,
      owner: 'new',
      now: () => new Date('2026-03-01T00:00:00Z'),
    });
    await old.run('cleanup-test', 'P-old', async () => {});
    await recent.run('cleanup-test', 'P-new', async () => {});
    let release = () => {};
    const running = old.run('cleanup-test', 'P-running', () => new Promise<void>((resolve) => (release = resolve)));
    await expect.poll(() => row('cleanup-test', 'P-running')).toBeTruthy();
    expect(await deleteFinishedRuns(t.db, new Date('2026-02-01T00:00:00Z'))).toBe(1);
    expect(await row('cleanup-test', 'P-old')).toBeUndefined();
    expect(await row('cleanup-test', 'P-new')).toBeTruthy();
    expect(await row('cleanup-test', 'P-running')).toBeTruthy();
    release();
    await running;
  });

  it('runs a period once: the second process finds it done', async () => {
    const a = createJobClaims(t.db, { leaseMs: 60_000, owner: 'a' });
    const b = createJobClaims(t.db, { leaseMs: 60_000, owner: 'b' });
    let runs = 0;
    const work = async () => {
      runs++;
    };
    expect(await a.run('trending', 'P1', work)).toEqual({ state: 'ran' });
    expect(await b.run('trending', 'P1', work)).toEqual({ state: 'finished' });
    expect(await b.run('trending', 'P2', work)).toEqual({ state: 'ran' });
    expect(runs).toBe(2);
    expect(await row('trending', 'P1')).toMatchObject({ claimed_by: 'a', attempts: 1, error: null });
  });

  it('leaves a run to the process whose heartbeat is fresh', async () => {
    const a = createJobClaims(t.db, { leaseMs: 60_000, owner: 'a' });
    const b = createJobClaims(t.db, { leaseMs: 60_000, owner: 'b' });
    let release = () => {};
    const running = a.run('harvest', 'P1', () => new Promise<void>((resolve) => (release = resolve)));
    await expect.poll(() => row('harvest', 'P1')).toBeTruthy();
    const held = await b.run('harvest', 'P1', async () => {
      throw new Error('must not run');
    });
    expect(held).toMatchObject({ state: 'held', by: 'a' });
    release();
    expect(await running).toEqual({ state: 'ran' });
    expect((await row('harvest', 'P1'))?.finished_at).toBeTruthy();
  });

  it('takes over a claim whose heartbeat is older than the lease, once', async () => {
    // The first claimant's clock says an hour ago: its claim and heartbeats look stale to everyone else.
    const dead = createJobClaims(t.db, { leaseMs: 1000, owner: 'dead', now: () => new Date(Date.now() - 3_600_000) });
    let release = () => {};
    let deadSignal: AbortSignal | undefined;
    const stuck = dead.run('digest', 'P1', (signal) => {
      deadSignal = signal;
      return new Promise<void>((resolve) => (release = resolve));
    });
    await expect.poll(() => row('digest', 'P1')).toBeTruthy();
    const b = createJobClaims(t.db, { leaseMs: 1000, owner: 'b' });
    const c = createJobClaims(t.db, { leaseMs: 1000, owner: 'c' });
    let runs = 0;
    const outcomes = await Promise.all(
      [b, c].map((claims) =>
        claims.run('digest', 'P1', async () => {
          runs++;
        }),
      ),
    );
    const states = outcomes.map((o) => o.state);
    expect(states.filter((s) => s === 'took over')).toHaveLength(1);
    expect(states.filter((s) => s === 'finished' || s === 'held')).toHaveLength(1);
    expect(runs).toBe(1);
    // The claimant that lost its claim is told to stop, at its next heartbeat.
    await expect.poll(() => deadSignal?.aborted, { timeout: 3000 }).toBe(true);
    expect(String(deadSignal?.reason)).toMatch(/another process took over the run for P1/);
    release();
    await stuck;
    // The claimant that came back late does not mark the run as its own.
    expect(await row('digest', 'P1')).toMatchObject({ attempts: 2, error: null });
    expect((await row('digest', 'P1'))?.claimed_by).not.toBe('dead');
  });

  it('records a failed run as done, with its error', async () => {
    const a = createJobClaims(t.db, { leaseMs: 60_000, owner: 'a' });
    await expect(
      a.run('refit', 'P1', async () => {
        throw new Error('out of memory');
      }),
    ).rejects.toThrow('out of memory');
    expect(await row('refit', 'P1')).toMatchObject({ error: 'out of memory' });
    expect((await row('refit', 'P1'))?.finished_at).toBeTruthy();
    expect(await a.run('refit', 'P1', async () => {})).toEqual({ state: 'finished' });
  });
});

describe('period keys', () => {
  it('name the latest scheduled time at or before the moment, whenever the timer fires', () => {
    const hourly = new Cron('17 * * * *', { paused: true, timezone: 'UTC' });
    expect(periodKey(hourly, new Date('2026-12-03T16:17:00.004Z'))).toBe('2026-12-03T16:17:00.000Z');
    expect(periodKey(hourly, new Date('2026-12-03T16:59:59.000Z'))).toBe('2026-12-03T16:17:00.000Z');
    expect(periodKey(hourly, new Date('2026-12-03T17:16:59.999Z'))).toBe('2026-12-03T16:17:00.000Z');
    const nightly = new Cron('23 3 * * *', { paused: true, timezone: 'UTC' });
    expect(periodKey(nightly, new Date('2026-12-03T02:00:00.000Z'))).toBe('2026-12-02T03:23:00.000Z');
    const everySecond = new Cron('* * * * * *', { paused: true, timezone: 'UTC' });
    expect(periodKey(everySecond, new Date('2026-12-03T16:17:05.020Z'))).toBe('2026-12-03T16:17:05.000Z');
  });
});
