import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacm } from '../bench/search-collections.js';
import { loadConfig } from '../src/config/config.js';
import { createDigestRunner } from '../src/digest/run.js';
import { MIN_MATCH } from '../src/digest/sources.js';
import { confirm, searchAlertValue, subscribe } from '../src/digest/subscribers.js';
import { createSmtpTransport } from '../src/mail/transport.js';
import { createSearchService, type SearchService } from '../src/search/search.js';
import { startTestSmtp, type TestSmtp } from './smtp-server.js';
import { freshStore, type TestStore } from './stores.js';

const DAY = '2026-07-01';
const NOW = new Date(`${DAY}T09:00:00Z`);

/**
 * The saved-search threshold on a judged collection, through the real digest: every judged CACM query is one
 * subscriber's alert, the collection is the day's papers, and the mails read back from the SMTP server are judged.
 */
describe('saved-search alerts on CACM, judged', () => {
  const collection = cacm();
  let t: TestStore;
  let smtp: TestSmtp;
  let search: SearchService;
  const alertOf = new Map<string, string>();

  beforeAll(async () => {
    t = await freshStore('sqlite');
    const records = collection.records.map((r) => ({ ...r, listedOn: DAY }));
    for (let i = 0; i < records.length; i += 1000) await t.store.upsertPapers(records.slice(i, i + 1000));
    search = await createSearchService(t.store, t.db);
    smtp = await startTestSmtp();
    for (const [id, q] of collection.queries) {
      if (!collection.qrels.has(id)) continue;
      const email = `q${id}@example.org`;
      const value = searchAlertValue(q)!;
      alertOf.set(email, id);
      const out = await subscribe(
        t.db,
        email,
        {
          frequency: 'daily',
          hour: 8,
          timeZone: 'UTC',
          weekday: 1,
          trending: false,
          alerts: [{ kind: 'search', value }],
        },
        NOW,
      );
      if (out.kind === 'confirm') await confirm(t.db, out.token, NOW);
    }
  }, 120_000);
  afterAll(async () => {
    search.close();
    await smtp.close();
    await t.dispose();
  });

  it('sends papers that are relevant at least half the time, where padding to 10 would not be', async () => {
    const transport = createSmtpTransport(smtp.url, { connections: 2 });
    const result = await createDigestRunner({
      store: t.store,
      db: t.db,
      transport,
      secret: 'a-test-secret-that-is-long-enough-to-pass',
      search: async () => search,
      clock: () => NOW,
      config: loadConfig({
        PAPERBOY_BASE_URL: 'https://papers.example.org',
        SMTP_URL: smtp.url,
        PAPERBOY_MAIL_RATE: '0',
      }),
    }).run(NOW);
    transport.close();
    expect(result.sent).toBe(result.composed);

    let sent = 0;
    let relevant = 0;
    for (const mail of smtp.received) {
      const judged = collection.qrels.get(alertOf.get(mail.to)!)!;
      const ids = [...(mail.parsed.html as string).matchAll(/\/papers\/(cacm-\d+)"/g)].map((m) => m[1]!);
      const papers = new Set(ids);
      sent += papers.size;
      relevant += [...papers].filter((id) => (judged.get(id) ?? 0) > 0).length;
    }
    // Some queries send something; most of what is sent is relevant.
    expect(smtp.received.length).toBeGreaterThanOrEqual(3);
    expect(relevant / sent).toBeGreaterThanOrEqual(0.5);

    // The same searches padded to 10, as before the threshold: most of it is not relevant.
    let padded = 0;
    let paddedRelevant = 0;
    for (const [id, q] of collection.queries) {
      const judged = collection.qrels.get(id);
      if (!judged) continue;
      const hits = (await search.search({ q, mode: 'keyword', limit: 10 })).hits;
      padded += hits.length;
      paddedRelevant += hits.filter((h) => (judged.get(h.paper.id) ?? 0) > 0).length;
      // Every hit of a mail is one the threshold lets through.
      for (const h of (await search.search({ q, mode: 'keyword', limit: 10, minMatch: MIN_MATCH })).hits)
        expect(h.match).toBeGreaterThanOrEqual(MIN_MATCH);
    }
    expect(paddedRelevant / padded).toBeLessThan(0.45);
  }, 120_000);
});
