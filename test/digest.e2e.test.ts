import { afterEach, describe, expect, it } from 'vitest';
import { confirm, subscribe } from '../src/digest/subscribers.js';
import { outboxCounts } from '../src/mail/outbox.js';
import { runCli, startCli } from './cli.js';
import { startTestSmtp, type TestSmtp } from './smtp-server.js';
import { engines, freshStore, type TestStore } from './stores.js';

const SUBSCRIBERS = 40;
const CONCURRENCY = 2;
const NOW = '2026-07-01T09:00:00Z';

describe.each(engines)('digest delivery killed and restarted on %s', (engine) => {
  let t: TestStore | undefined;
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await smtp?.close();
    await t?.dispose();
  });

  it('sends every due digest exactly once, but for at most the messages on the wire at the kill', async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(
      Array.from({ length: 5 }, (_, i) => ({
        id: `2607.0${1000 + i}`,
        source: 'arxiv-api' as const,
        version: 1,
        title: `A paper for the kill test ${i}`,
        abstract: 'Delivery that loses nothing and doubles nothing.',
        authors: ['Ada Lovelace'],
        categories: ['cs.LG'],
        listedOn: '2026-07-01',
        upvotes: 1,
      })),
    );
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const out = await subscribe(
        t.db,
        `reader${i}@example.org`,
        { frequency: 'weekdays', hour: 8, timeZone: 'UTC', weekday: 1, trending: true, alerts: [] },
        new Date(NOW),
      );
      if (out.kind === 'confirm') await confirm(t.db, out.token, new Date(NOW));
    }
    // A slow server keeps messages on the wire long enough to kill the sender in the middle of the batch.
    smtp = await startTestSmtp({ delayMs: 60 });
    const env = {
      ...t.env,
      SMTP_URL: smtp.url,
      PAPERBOY_SECRET: 'kill-test-secret-kill-test-secret-0123456789',
      PAPERBOY_BASE_URL: 'http://paperboy.test',
      PAPERBOY_MAIL_RATE: '0',
      PAPERBOY_MAIL_CONCURRENCY: String(CONCURRENCY),
      PAPERBOY_MAIL_LEASE_SECONDS: '1',
      PAPERBOY_DIGEST_BATCH: '7',
    };
    const first = startCli(['digest', 'run', '--now', NOW], env);
    await smtp.waitFor(SUBSCRIBERS / 3, 30_000);
    first.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const beforeRestart = smtp.received.length;
    expect(beforeRestart).toBeLessThan(SUBSCRIBERS);

    // Messages the killed process had claimed stay reserved for their lease (1 s here), then are sent again.
    await new Promise((r) => setTimeout(r, 1200));
    const second = await runCli(['digest', 'run', '--now', NOW], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/outbox: 0 waiting, 0 in flight, 40 sent, 0 failed/);
    const third = await runCli(['digest', 'run', '--now', NOW], env);
    expect(third.stdout).toMatch(/digests: 0 composed/);

    const perAddress = new Map<string, string[]>();
    for (const r of smtp.received) perAddress.set(r.to, [...(perAddress.get(r.to) ?? []), r.parsed.messageId ?? '']);
    expect(perAddress.size).toBe(SUBSCRIBERS);
    const duplicates = [...perAddress.values()].filter((ids) => ids.length > 1);
    console.log(
      `kill test (${engine}): ${beforeRestart} accepted before the kill, ${smtp.received.length} in all, ${duplicates.length} sent twice (bound: ${CONCURRENCY})`,
    );
    expect(duplicates.length).toBeLessThanOrEqual(CONCURRENCY);
    // A message sent again is the same message: receivers can drop it by its Message-ID.
    for (const ids of duplicates) expect(new Set(ids).size).toBe(1);
    expect(Math.max(...[...perAddress.values()].map((ids) => ids.length))).toBeLessThanOrEqual(2);
    expect(await outboxCounts(t.db)).toEqual({ pending: 0, sending: 0, sent: SUBSCRIBERS, failed: 0 });
  });
});
