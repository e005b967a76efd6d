import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../../test/smtp-server.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { loadConfig } from '../config/config.js';
import { outboxCounts } from '../mail/outbox.js';
import { createSmtpTransport, type MailTransport } from '../mail/transport.js';
import type { PaperRecord } from '../model/record.js';
import { createSearchService, type SearchService } from '../search/search.js';
import { createDigestRunner, type DigestRunner } from './run.js';
import { confirm, getSubscriber, type Preferences, subscribe } from './subscribers.js';

const BASE = 'https://paperboy.test';
const SECRET = 'a-test-secret-that-is-long-enough-to-pass';
/** Wednesday 1 July 2026, 09:00 UTC. */
const WED = new Date('2026-07-01T09:00:00Z');
const at = (day: string) => new Date(`${day}T09:00:00Z`);

let n = 0;
function paper(day: string, over: Partial<PaperRecord> = {}): PaperRecord {
  n++;
  return {
    id: `2607.${String(10000 + n)}`,
    source: 'arxiv-api',
    version: 1,
    title: `Paper number ${n} about learning`,
    abstract: `We study problem ${n}. `.repeat(30),
    authors: ['Ada Lovelace', 'Alan Turing'],
    primaryCategory: 'cs.LG',
    categories: ['cs.LG'],
    listedOn: day,
    // Trending is the community's selection: a paper nobody voted on is not trending.
    upvotes: 1,
    ...over,
  };
}

const prefs = (over: Partial<Preferences> = {}): Preferences => ({
  frequency: 'weekdays',
  hour: 8,
  timeZone: 'UTC',
  weekday: 1,
  trending: true,
  alerts: [],
  ...over,
});

describe.each(engines)('digests on %s', (engine) => {
  let t: TestStore;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let search: SearchService;
  let clock: Date;

  const runner = (env: Record<string, string> = {}): DigestRunner =>
    createDigestRunner({
      store: t.store,
      db: t.db,
      transport,
      secret: SECRET,
      search: async () => search,
      clock: () => clock,
      config: loadConfig({
        PAPERBOY_BASE_URL: BASE,
        SMTP_URL: smtp.url,
        PAPERBOY_MAIL_RATE: '0',
        PAPERBOY_MAIL_FROM: 'Paperboy <digest@paperboy.test>',
        ...env,
      }),
    });
  async function subscriber(email: string, p: Preferences): Promise<string> {
    const out = await subscribe(t.db, email, p, WED);
    if (out.kind !== 'confirm') throw new Error(out.kind);
    await confirm(t.db, out.token, WED);
    return out.subscriber.id;
  }
  async function start(answer?: (to: string, attempt: number) => number | undefined) {
    smtp = await startTestSmtp({ answer });
    transport = createSmtpTransport(smtp.url, { connections: 2 });
  }
  const to = (address: string) => smtp.received.filter((r) => r.to === address);

  beforeEach(async () => {
    t = await freshStore(engine);
    search = await createSearchService(t.store, t.db);
    clock = WED;
  });
  afterEach(async () => {
    transport.close();
    search.close();
    await smtp.close();
    await t.dispose();
  });

  it('sends each due subscriber one digest with its alerts, never a paper twice, nothing when nothing is new', async () => {
    await start();
    const cv = paper('2026-06-30', {
      title: 'Seeing transformers in vision',
      categories: ['cs.CV'],
      primaryCategory: 'cs.CV',
      authors: ['Grace Hopper'],
      githubRepo: undefined,
      codeUrls: ['https://github.com/x/seeing'],
    });
    const older = paper('2026-06-20');
    const rest = [paper('2026-06-30'), paper('2026-07-01'), paper('2026-07-01', { title: 'Diffusion for everything' })];
    await t.store.upsertPapers([cv, older, ...rest]);
    await t.store.upsertPapers([
      { id: rest[0]!.id, source: 'hf-daily', title: rest[0]!.title, abstract: '', dailyOn: '2026-06-30', upvotes: 42 },
    ]);
    await search.settled();
    await subscriber('ann@example.org', prefs());
    await subscriber(
      'bob@example.org',
      prefs({
        trending: false,
        alerts: [
          { kind: 'category', value: 'cs.CV' },
          { kind: 'author', value: 'grace hopper' },
          { kind: 'search', value: 'q=diffusion' },
        ],
      }),
    );
    await subscriber('cat@example.org', prefs({ hour: 10 }));

    const first = await runner().run(WED);
    expect(first).toMatchObject({ subscribers: 3, composed: 2, empty: 0, sent: 2, failed: 0 });
    const [ann] = to('ann@example.org');
    expect(to('cat@example.org')).toHaveLength(0);
    const mail = ann!.parsed;
    expect(mail.from?.value).toEqual([{ name: 'Paperboy', address: 'digest@paperboy.test' }]);
    expect(mail.subject).toBe(`${rest[0]!.title} — and 3 more papers`);
    expect(mail.messageId).toMatch(/^<[\w-]+@paperboy\.test>$/);
    expect(mail.date?.toISOString()).toBe(WED.toISOString());
    expect(ann!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(ann!.raw).toMatch(/^List-Id: Paperboy digest <digest\.paperboy\.test>\r?$/im);
    expect(ann!.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
    expect(ann!.raw).toMatch(
      /^List-Unsubscribe:\s+<https:\/\/paperboy\.test\/subscribe\/unsubscribe\?token=[\w.-]+>\r?$/m,
    );
    for (const p of [cv, ...rest]) expect(mail.html).toContain(`href="${BASE}/papers/${p.id}"`);
    expect(mail.html).not.toContain(older.id);
    expect(mail.html).toContain('&#9650; 42');
    expect(mail.html).toContain(`href="https://arxiv.org/abs/${rest[0]!.id}"`);
    expect(mail.html).toContain(`href="https://arxiv.org/pdf/${rest[0]!.id}"`);
    expect(mail.html).toContain('href="https://github.com/x/seeing"');
    expect(mail.html).toContain('Unsubscribe</a>');
    expect(mail.text).toContain(`${BASE}/papers/${rest[0]!.id}`);
    expect(mail.text).toMatch(/Unsubscribe in one click: https:\/\/paperboy\.test\/subscribe\/unsubscribe\?token=/);

    const bob = to('bob@example.org')[0]!.parsed;
    // A paper appears in the first list that has it (authors, categories, searches): the category's only paper is the
    // author's, so that list is left out.
    expect(bob.subject).toBe('Seeing transformers in vision — and 1 more paper');
    expect(bob.text ?? '').toMatch(
      /NEW FROM GRACE HOPPER[\s\S]*Seeing transformers[\s\S]*“DIFFUSION”[\s\S]*Diffusion for everything/,
    );
    expect(bob.text).not.toContain('NEW IN CS.CV');
    expect((bob.text ?? '').match(/Seeing transformers/g)).toHaveLength(1);
    expect(bob.text).not.toContain('TRENDING');

    // Later the same day: only the subscriber who asked for 10:00 is due now; the others had theirs today.
    expect(await runner().run(new Date('2026-07-01T20:00:00Z'))).toMatchObject({ composed: 1, sent: 1 });
    expect(to('cat@example.org')).toHaveLength(1);
    expect(await runner().run(new Date('2026-07-02T11:00:00Z'))).toMatchObject({ composed: 0, empty: 3, sent: 0 });

    const fresh = [paper('2026-07-02', { title: 'Brand new on Thursday', categories: ['cs.CV'] })];
    await t.store.upsertPapers(fresh);
    await search.settled();
    const friday = await runner().run(new Date('2026-07-03T11:00:00Z'));
    expect(friday).toMatchObject({ composed: 3, sent: 3 });
    for (const who of ['ann', 'bob', 'cat']) {
      const last = to(`${who}@example.org`).at(-1)!.parsed;
      expect(last.html).toContain(fresh[0]!.id);
      for (const p of [cv, ...rest]) expect(last.html).not.toContain(`/papers/${p.id}"`);
    }
    expect(await runner().run(new Date('2026-07-06T11:00:00Z'))).toMatchObject({ composed: 0, empty: 3, sent: 0 });
    expect(smtp.received).toHaveLength(6);
  });

  it('retries a message the server defers (451) and delivers it once accepted', async () => {
    await start((_, attempt) => (attempt === 1 ? 451 : undefined));
    await t.store.upsertPapers([paper('2026-07-01')]);
    await subscriber('dee@example.org', prefs());
    const r = runner({ PAPERBOY_MAIL_RETRY_SECONDS: '60' });
    expect(await r.run(WED)).toMatchObject({ composed: 1, sent: 0, retried: 1 });
    expect(smtp.refused).toEqual([{ to: 'dee@example.org', code: 451 }]);
    clock = new Date(WED.getTime() + 30_000);
    expect(await r.send()).toMatchObject({ sent: 0 });
    clock = new Date(WED.getTime() + 61_000);
    expect(await r.send()).toMatchObject({ sent: 1, retried: 0 });
    expect(to('dee@example.org')).toHaveLength(1);
    expect(await outboxCounts(t.db)).toEqual({ pending: 0, sending: 0, sent: 1, failed: 0 });
  });

  it('gives up on a refused address (550) and suppresses it after the bounce limit', async () => {
    await start((address) => (address === 'gone@example.org' ? 550 : undefined));
    const id = await subscriber('gone@example.org', prefs({ frequency: 'daily' }));
    await subscriber('here@example.org', prefs({ frequency: 'daily' }));
    const r = runner({ PAPERBOY_MAIL_BOUNCE_LIMIT: '2' });
    for (const [i, day] of ['2026-07-01', '2026-07-02', '2026-07-03'].entries()) {
      await t.store.upsertPapers([paper(day)]);
      const result = await r.run(at(day));
      expect(result.failed).toBe(i < 2 ? 1 : 0);
      expect(result.composed).toBe(i < 2 ? 2 : 1);
      expect(result.retried).toBe(0);
    }
    expect((await getSubscriber(t.db, id))?.status).toBe('suppressed');
    expect(smtp.refused.map((x) => x.code)).toEqual([550, 550]);
    expect(to('here@example.org')).toHaveLength(3);
  });
});
