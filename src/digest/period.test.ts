import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../../test/smtp-server.js';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import { accountForEmail } from '../accounts/accounts.js';
import { toggleVote } from '../accounts/votes.js';
import { loadConfig } from '../config/config.js';
import { openForYou } from '../foryou/for-you.js';
import { createSmtpTransport, type MailTransport } from '../mail/transport.js';
import type { PaperRecord } from '../model/record.js';
import { createSearchService, type SearchService } from '../search/search.js';
import { startFollowDigest } from './follows.js';
import { digestHeaders } from './links.js';
import { HTML_BUDGET, SUBJECT_CHARS } from './render.js';
import { createDigestRunner } from './run.js';
import { confirm, type Preferences, searchAlertValue, subscribe } from './subscribers.js';

const BASE = 'https://papers.example.org';
const SECRET = 'a-test-secret-that-is-long-enough-to-pass';
/** Monday 29 June 2026 to Sunday 5 July 2026: one ISO week (2026-W27). */
const WEEK = ['2026-06-29', '2026-06-30', '2026-07-01', '2026-07-02', '2026-07-03'];

let n = 0;
function paper(day: string, over: Partial<PaperRecord> = {}): PaperRecord {
  n++;
  return {
    id: `2607.${String(20000 + n)}`,
    source: 'arxiv-api',
    version: 1,
    title: `Study ${n} of language`,
    abstract: `We study question ${n} about language. It matters for everyone. `.repeat(4),
    authors: ['Ada Lovelace', 'Alan Turing'],
    primaryCategory: 'cs.CL',
    categories: ['cs.CL'],
    listedOn: day,
    upvotes: 0,
    ...over,
  };
}

const prefs = (over: Partial<Preferences> = {}): Preferences => ({
  frequency: 'daily',
  hour: 8,
  timeZone: 'UTC',
  weekday: 1,
  trending: false,
  alerts: [],
  ...over,
});

describe.each(engines)('what a digest carries, on %s', (engine) => {
  let t: TestStore;
  let smtp: TestSmtp;
  let transport: MailTransport;
  let search: SearchService;

  const run = (now: string) =>
    createDigestRunner({
      store: t.store,
      db: t.db,
      transport,
      secret: SECRET,
      search: async () => search,
      clock: () => new Date(now),
      config: loadConfig({ PAPERBOY_BASE_URL: BASE, SMTP_URL: smtp.url, PAPERBOY_MAIL_RATE: '0' }),
    }).run(new Date(now));
  async function subscriber(email: string, p: Preferences): Promise<void> {
    const out = await subscribe(t.db, email, p, new Date('2026-06-28T00:00:00Z'));
    if (out.kind !== 'confirm') throw new Error(out.kind);
    await confirm(t.db, out.token, new Date('2026-06-28T00:00:00Z'));
  }
  const mails = (to: string) => smtp.received.filter((r) => r.to === to).map((r) => r.parsed);

  beforeEach(async () => {
    t = await freshStore(engine);
    search = await createSearchService(t.store, t.db);
    smtp = await startTestSmtp();
    transport = createSmtpTransport(smtp.url, { connections: 2 });
  });
  afterEach(async () => {
    transport.close();
    search.close();
    await smtp.close();
    await t.dispose();
  });

  it('ranks the whole week in a weekly digest, most upvoted first, and says how many more there are', async () => {
    // 6 papers a day; on each day one is upvoted, more on later days but most on Tuesday.
    const week = WEEK.flatMap((day, d) =>
      Array.from({ length: 6 }, (_, i) => paper(day, { upvotes: i === 0 ? (d === 1 ? 50 : d + 1) : 0 })),
    );
    await t.store.upsertPapers(week);
    await search.settled();
    await subscriber(
      'wes@example.org',
      prefs({ frequency: 'weekly', weekday: 7, trending: true, alerts: [{ kind: 'category', value: 'cs.CL' }] }),
    );
    expect(await run('2026-07-05T09:00:00Z')).toMatchObject({ composed: 1 });
    const [mail] = mails('wes@example.org');
    const text = mail!.text ?? '';
    // The category ranks all 30 papers of the week: the upvoted ones of every day first, Tuesday's on top.
    expect(mail!.subject).toBe(`${week[6]!.title} — and 29 more papers`);
    expect(mail!.subject!.length).toBeLessThanOrEqual(SUBJECT_CHARS);
    expect(text).toMatch(/NEW IN CS\.CL\n10 of 30 new papers/);
    const order = [...text.matchAll(/^\* (Study \d+) of language$/gm)].map((m) => m[1]);
    expect(order.slice(0, 5)).toEqual([6, 24, 18, 12, 0].map((i) => week[i]!.title.replace(' of language', '')));
    const days = new Set(week.filter((p) => text.includes(p.id)).map((p) => p.listedOn));
    expect(days.size).toBe(5);
    expect(text).toContain(`And 20 more: ${BASE}/search?cat=cs.CL&from=2026-06-29&to=2026-07-05&sort=date`);
    // Trending is the community's selection (the upvoted papers), all already shown above: no section repeats them.
    expect(text).not.toContain('TRENDING');
    expect(mail!.html).toContain('And 20 more on the site');
  });

  it('sends only what is new since the last digest: no leftovers, no mail when nothing is new', async () => {
    const thursday = Array.from({ length: 14 }, () => paper('2026-07-02'));
    await t.store.upsertPapers(thursday);
    await search.settled();
    await subscriber('dan@example.org', prefs({ alerts: [{ kind: 'category', value: 'cs.CL' }] }));
    expect(await run('2026-07-02T09:00:00Z')).toMatchObject({ composed: 1 });
    expect(mails('dan@example.org')[0]!.text).toMatch(/10 of 14 new papers[\s\S]*And 4 more: /);

    // Friday: nothing listed in cs.CL (another category moves on): no mail, not the 4 left over.
    await t.store.upsertPapers([paper('2026-07-03', { categories: ['math.AG'], primaryCategory: 'math.AG' })]);
    expect(await run('2026-07-03T09:00:00Z')).toMatchObject({ composed: 0, empty: 1 });

    // Monday: one new cs.CL paper, and one of Thursday's listing that arrived late (arXiv's weekend batch): the mail
    // has these two alone.
    const monday = paper('2026-07-06');
    const late = paper('2026-07-02');
    await t.store.upsertPapers([monday, late]);
    await search.settled();
    expect(await run('2026-07-06T09:00:00Z')).toMatchObject({ composed: 1 });
    const last = mails('dan@example.org').at(-1)!;
    expect(last.text).toMatch(/NEW IN CS\.CL\n2 new papers\n/);
    expect(last.text).toContain(monday.id);
    expect(last.text).toContain(late.id);
    for (const p of thursday) expect(last.text).not.toContain(p.id);
  });

  it('keeps a mail with 24 alerts under the size Gmail clips at, with the unsubscribe link and links to the rest', async () => {
    const categories = Array.from({ length: 24 }, (_, i) => `cs.X${String.fromCharCode(65 + i)}`);
    const long = 'An abstract sentence that goes on for a while about methods and results. '.repeat(12);
    await t.store.upsertPapers(
      categories.flatMap((c) =>
        Array.from({ length: 15 }, () =>
          paper('2026-07-02', {
            categories: [c],
            primaryCategory: c,
            abstract: long,
            title: `A rather long title about ${c} that takes up room in the mail ${n}`,
          }),
        ),
      ),
    );
    await subscriber('max@example.org', prefs({ alerts: categories.map((value) => ({ kind: 'category', value })) }));
    expect(await run('2026-07-02T09:00:00Z')).toMatchObject({ composed: 1 });
    const [mail] = mails('max@example.org');
    expect(Buffer.byteLength(mail!.html || '')).toBeLessThanOrEqual(HTML_BUDGET);
    expect(mail!.html).toContain('>Unsubscribe</a>');
    // Every alert still has its section, and each links to the rest of its papers.
    for (const c of categories) expect(mail!.html).toContain(`New in ${c}`);
    expect((mail!.html as string).match(/more on the site/g)?.length).toBe(24);
  });

  it('opens with what the reader likes, For you, saying why, for a reader with an account', async () => {
    const liked = paper('2026-06-20', {
      title: 'Constacyclic codes over finite chain rings',
      abstract: 'We study constacyclic codes and their duals over finite chain rings, with Gray maps and bounds.',
      categories: ['cs.IT'],
      primaryCategory: 'cs.IT',
    });
    const match = paper('2026-07-02', {
      title: 'Quasi-twisted and constacyclic codes over chain rings',
      abstract: 'New constacyclic codes over finite chain rings, their duals and Gray images, with bounds.',
      categories: ['cs.IT'],
      primaryCategory: 'cs.IT',
    });
    const others = Array.from({ length: 6 }, (_, i) =>
      paper('2026-07-02', {
        title: `Vision transformers for images ${i}`,
        abstract: `Image classification with attention layers and pretraining on large photo collections ${i}.`,
        categories: ['cs.CV'],
        primaryCategory: 'cs.CV',
        upvotes: 10 + i,
      }),
    );
    await t.store.upsertPapers([liked, match, ...others]);
    const { account } = await accountForEmail(t.db, 'fan@example.org', new Date('2026-06-01T00:00:00Z'));
    await toggleVote(t.store, account, liked.id, new Date('2026-06-21T00:00:00Z'));
    await startFollowDigest(t.db, account, new Date('2026-06-28T00:00:00Z'));
    const forYou = await openForYou(t.store, t.db);
    try {
      await createDigestRunner({
        store: t.store,
        db: t.db,
        transport,
        secret: SECRET,
        search: async () => search,
        forYou: async () => forYou,
        clock: () => new Date('2026-07-02T09:00:00Z'),
        config: loadConfig({ PAPERBOY_BASE_URL: BASE, SMTP_URL: smtp.url, PAPERBOY_MAIL_RATE: '0' }),
      }).run(new Date('2026-07-02T09:00:00Z'));
    } finally {
      forYou.close();
    }
    const [mail] = mails('fan@example.org');
    const text = mail!.text ?? '';
    expect(text).toMatch(/^FOR YOU\n/m);
    // The liked topic's new paper first, with why; the much upvoted others after it.
    expect(text.indexOf(match.title)).toBeLessThan(text.indexOf(others[0]!.title));
    expect(text).toContain(`Close to “${liked.title}”, which you liked`);
    expect(mail!.subject).toMatch(/^Quasi-twisted and constacyclic codes/);
  });

  it('names the followed author in the author line, even far down the list', async () => {
    const authors = ['A One', 'B Two', 'C Three', 'D Four', 'Preslav Nakov', 'F Six'];
    const p = paper('2026-07-02', { authors });
    await t.store.upsertPapers([p]);
    await subscriber('ann@example.org', prefs({ alerts: [{ kind: 'author', value: 'Preslav Nakov' }] }));
    await run('2026-07-02T09:00:00Z');
    const [mail] = mails('ann@example.org');
    expect(mail!.text).toContain('NEW FROM PRESLAV NAKOV');
    expect(mail!.text).toContain('A One, B Two, C Three … Preslav Nakov et al.');
    expect(mail!.html).toContain('<strong>Preslav Nakov</strong>');
  });

  it('shows upvotes only when there are some, and abstracts cut at the end of a sentence', async () => {
    const sentences = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} says one more thing.`).join(' ');
    const p = paper('2026-07-02', { abstract: sentences });
    await t.store.upsertPapers([p]);
    await subscriber('ann@example.org', prefs({ alerts: [{ kind: 'category', value: 'cs.CL' }] }));
    await run('2026-07-02T09:00:00Z');
    const [mail] = mails('ann@example.org');
    expect(mail!.html).not.toContain('&#9650;');
    const shown = /(Sentence number 0[^\n<]*)/.exec(mail!.text ?? '')![1]!;
    expect(shown).toMatch(/thing\.$/);
    expect(shown.length).toBeGreaterThan(400);
    expect(shown.length).toBeLessThanOrEqual(500);
  });
});

describe.each(engines)('when a paper enters its feed day, on %s', (engine) => {
  it('is stamped in commit order, and again only when its feed day changes', async () => {
    const t = await freshStore(engine);
    try {
      const a = paper('2026-07-01');
      await t.store.upsertPapers([a]);
      const at = async (id: string) =>
        (await t.db.selectFrom('papers').select('feed_at').where('id', '=', id).executeTakeFirstOrThrow()).feed_at!;
      const first = await at(a.id);
      // Another paper, then a new version of the first on the same day: the first keeps its time.
      const b = paper('2026-07-01');
      await t.store.upsertPapers([b]);
      expect((await at(b.id)) > first).toBe(true);
      await t.store.upsertPapers([{ ...a, version: 2, title: `${a.title}, revised` }]);
      expect(await at(a.id)).toBe(first);
      // Hugging Face lists it on a later day: it enters that day now, after every paper stored so far.
      await t.store.upsertPapers([
        { id: a.id, source: 'hf-daily', title: a.title, abstract: '', dailyOn: '2026-07-03' },
      ]);
      expect((await at(a.id)) > (await at(b.id))).toBe(true);
      // Writers racing each other take turns: each batch has its own time, later than every one before it.
      const batches = Array.from({ length: 8 }, (_, i) => [paper('2026-07-02'), paper(`2026-07-0${(i % 3) + 1}`)]);
      await Promise.all(batches.map((records) => t.store.upsertPapers(records)));
      const stamps = await Promise.all(batches.map(async ([x, y]) => [await at(x!.id), await at(y!.id)]));
      for (const [x, y] of stamps) expect(x).toBe(y);
      expect(new Set(stamps.map(([x]) => x)).size).toBe(batches.length);
      for (const [x] of stamps) expect(x! > (await at(a.id))).toBe(true);
    } finally {
      await t.dispose();
    }
  });
});

describe('digest headers', () => {
  it('offers one-click unsubscribe only over https or on this machine', () => {
    expect(digestHeaders('https://papers.example.org', 'https://papers.example.org/u')).toMatchObject({
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': 'Paperboy digest <digest.papers.example.org>',
      'Auto-Submitted': 'auto-generated',
    });
    expect(digestHeaders('http://papers.example.org', 'http://papers.example.org/u')).not.toHaveProperty(
      'List-Unsubscribe-Post',
    );
    expect(digestHeaders('http://127.0.0.1:8080', 'http://127.0.0.1:8080/u')).toHaveProperty('List-Unsubscribe-Post');
  });
});

describe('a saved search typed into the form', () => {
  it('is the words of a question, or the query of a search address', () => {
    expect(searchAlertValue('What is known about attention?')).toBe('q=What+is+known+about+attention%3F');
    expect(searchAlertValue('https://papers.example.org/search?q=diffusion&cat=cs.CV')).toBe('q=diffusion&cat=cs.CV');
    expect(searchAlertValue('/search?q=speech')).toBe('q=speech');
    expect(searchAlertValue('q=speech')).toBe('q=speech');
    expect(searchAlertValue('   ')).toBeUndefined();
  });
});
