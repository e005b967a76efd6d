import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signedInBrowser } from '../../../test/browser-session.js';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import type { Account } from '../../accounts/accounts.js';
import { collectionPapers, listCollections } from '../../library/collections.js';
import type { PaperRecord } from '../../model/record.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { createApp } from '../app.js';
import { SESSION_COOKIE } from '../session.js';
import { IMPORTS_PER_IP } from './library-actions.js';

const BASE = 'http://paperboy.test';
const SECRET = 'library-test-secret-long-enough-for-the-hmac';
const NOW = new Date('2026-07-03T09:00:00Z');
const HOSTILE = 'Braces } { and $x^2$ at 50% & <script>alert(1)</script>';

const PAPERS: PaperRecord[] = [
  { id: '2607.00001', title: 'Gaussian splatting for everyone', authors: ['Ada Lovelace', 'Alan Turing'] },
  { id: '2607.00002', title: 'Sparse attention at scale', authors: ['Grace Hopper'] },
  { id: '2607.00003', title: HOSTILE, authors: ['Laurens van der Maaten'] },
  { id: 'hep-th/9901001', title: 'The large N limit of superconformal field theories', authors: ['Juan Maldacena'] },
].map((p) => ({
  ...p,
  source: 'arxiv-api' as const,
  abstract: `About ${p.title}.`,
  primaryCategory: 'cs.CL',
  categories: ['cs.CL'],
  submittedAt: '2026-07-01T10:00:00Z',
  listedOn: '2026-07-02',
}));
const [GS, SPARSE, HOST, OLD] = PAPERS.map((p) => p.id) as [string, string, string, string];

describe.each(engines)('the library on the site on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let app: ReturnType<typeof createApp>;
  let ips = 0;
  let people = 0;
  const ip = () => `10.7.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`;
  const reader = () => signedInBrowser(app, t.db, { email: `reader${people++}@example.org`, ip: ip(), now: NOW });
  const collectionOf = async (account: Account, name: string) =>
    (await listCollections(t.db, account.id)).find((c) => c.name === name)!;
  const ids = async (collectionId: string) => (await collectionPapers(t.db, collectionId)).map((i) => i.paper.id);

  beforeAll(async () => {
    t = await freshStore(engine);
    await t.store.upsertPapers(PAPERS);
    search = await createSearchService(t.store, t.db);
    app = createApp(testDeps(t, search, { baseUrl: BASE, trustProxy: true }, { secret: SECRET, clock: () => NOW }));
  });
  afterAll(async () => {
    search?.close();
    await t?.dispose();
  });

  it('saves a paper from a card with one click, with and without JavaScript, and shows it saved', async () => {
    const { browser: b, account } = await reader();
    const day = await (await b.request('/day/2026-07-02')).text();
    expect(day).toContain(`aria-pressed="false" data-save="${GS}"`);
    const csrf = /name="csrf" value="([^"]+)" data-csrf/.exec(day)![1]!;

    // A plain form post goes back to the page it came from.
    const plain = await b.post(`/papers/${GS}/save`, { csrf }, { referer: `${BASE}/day/2026-07-02` });
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/day/2026-07-02');
    const after = await (await b.request('/day/2026-07-02')).text();
    expect(after).toContain(`aria-pressed="true" data-save="${GS}"`);
    expect(after).toContain(`aria-pressed="false" data-save="${SPARSE}"`);
    expect((await b.request(`/papers/${GS}`)).status).toBe(200);
    expect(await (await b.request(`/papers/${GS}`)).text()).toContain(`aria-pressed="true" data-save="${GS}"`);

    // app.js posts with Accept: application/json and gets the new state.
    const json = await b.post(`/papers/${GS}/save`, { csrf }, { accept: 'application/json' });
    expect(await json.json()).toEqual({ saved: false });
    const again = await b.post(`/papers/${OLD}/save`, { csrf }, { accept: 'application/json' });
    expect(await again.json()).toEqual({ saved: true });
    const saved = await collectionOf(account, 'Saved');
    expect(await ids(saved.id)).toEqual([OLD]);
    const missing = await b.post('/papers/2999.00001/save', { csrf }, { accept: 'application/json' });
    expect(missing.status).toBe(404);
  });

  it('sends a signed-out visitor to sign in and back, and refuses a post without its token', async () => {
    const anon = new Browser(app, ip());
    const post = await anon.post(`/papers/${GS}/save`, {}, { referer: `${BASE}/search?q=splatting` });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe(`/signin?next=${encodeURIComponent('/search?q=splatting')}`);
    const json = await anon.post(`/papers/${GS}/save`, {}, { accept: 'application/json' });
    expect(json.status).toBe(401);
    expect(((await json.json()) as { signIn: string }).signIn).toBe(
      `/signin?next=${encodeURIComponent(`/papers/${GS}`)}`,
    );
    const library = await anon.request('/library');
    expect(library.status).toBe(303);
    expect(library.headers.get('location')).toBe('/signin?next=%2Flibrary');

    const { browser: b, account } = await reader();
    for (const csrf of [undefined, 'forged']) {
      const res = await b.post(`/papers/${GS}/save`, csrf ? { csrf } : {}, { accept: 'application/json' });
      expect(res.status).toBe(403);
    }
    expect(await listCollections(t.db, account.id)).toEqual([]);
  });

  it('makes collections, adds papers from the paper page, reorders them and keeps escaped notes', async () => {
    const { browser: b, account } = await reader();
    const csrf = await b.csrf('/library');
    const created = await b.post('/library', { csrf, name: 'Reading group' });
    expect(created.status).toBe(303);
    const col = await collectionOf(account, 'Reading group');
    expect(created.headers.get('location')).toBe(`/library/${col.id}`);

    const paperPage = await (await b.request(`/papers/${GS}`)).text();
    expect(paperPage).toContain('Add to a collection');
    expect(paperPage).toContain(`<option value="${col.id}">Reading group</option>`);
    const added = await b.post('/library/collect', { csrf, collection: col.id, paper: GS, back: `/papers/${GS}` });
    expect(added.headers.get('location')).toBe(`/papers/${GS}`);
    expect(await (await b.request(`/papers/${GS}`)).text()).toMatch(
      /In:\s*<a href="\/library\/[^"]+">Reading group<\/a>/,
    );
    // A new collection with the paper in it, from the paper page.
    await b.post('/library', { csrf, name: 'Old physics', paper: OLD, back: `/papers/${OLD}` });
    expect(await ids((await collectionOf(account, 'Old physics')).id)).toEqual([OLD]);

    for (const paper of [SPARSE, HOST]) await b.post(`/library/${col.id}/papers`, { csrf, action: 'add', paper });
    expect(await ids(col.id)).toEqual([GS, SPARSE, HOST]);
    const up = await b.post(`/library/${col.id}/papers`, { csrf, action: 'up', paper: HOST });
    expect(up.headers.get('location')).toBe(`/library/${col.id}#p-2607.00003`);
    await b.post(`/library/${col.id}/papers`, { csrf, action: 'down', paper: GS });
    expect(await ids(col.id)).toEqual([HOST, GS, SPARSE]);
    await b.post(`/library/${col.id}/papers`, { csrf, action: 'note', paper: GS, note: 'Read <b>§3</b>\u0007 again' });
    await b.post(`/library/${col.id}/papers`, { csrf, action: 'remove', paper: SPARSE });
    expect(await ids(col.id)).toEqual([HOST, GS]);

    const page = await b.request(`/library/${col.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    const html = await page.text();
    expect(html).toContain('Read &lt;b&gt;§3&lt;/b&gt; again');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('Move up');
    expect(html).toContain(`href="/library/${col.id}/export.bib"`);

    const tooLong = await b.post(`/library/${col.id}/papers`, {
      csrf,
      action: 'note',
      paper: GS,
      note: 'x'.repeat(2001),
    });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('at most 2000');
    const overview = await (await b.request('/library')).text();
    expect(overview).toContain('Reading group');
    expect(overview).toMatch(/2 papers · private/);
  });

  it('shows another reader’s private collection to no one else: 404 on its page, its export and every action', async () => {
    const { browser: ada, account } = await reader();
    const csrf = await ada.csrf('/library');
    await ada.post('/library', { csrf, name: 'Secret plans' });
    const col = await collectionOf(account, 'Secret plans');
    await ada.post(`/library/${col.id}/papers`, { csrf, action: 'add', paper: GS });

    const { browser: bob } = await reader();
    const bobCsrf = await bob.csrf('/library');
    expect((await bob.request(`/library/${col.id}`)).status).toBe(404);
    expect(await (await bob.request(`/library/${col.id}`)).text()).not.toContain('Secret plans');
    expect((await bob.request(`/library/${col.id}/export.bib`)).status).toBe(404);
    for (const [path, fields] of [
      [`/library/${col.id}/papers`, { action: 'add', paper: SPARSE }],
      [`/library/${col.id}/papers`, { action: 'remove', paper: GS }],
      [`/library/${col.id}/edit`, { name: 'Mine', visibility: 'public' }],
      [`/library/${col.id}/delete`, { confirm: '1' }],
      [`/library/${col.id}/import`, { text: SPARSE }],
      ['/library/collect', { collection: col.id, paper: SPARSE }],
    ] as const) {
      const res = await bob.post(path, { csrf: bobCsrf, ...fields });
      expect(res.status, path).toBe(404);
    }
    expect(await ids(col.id)).toEqual([GS]);
    expect((await collectionOf(account, 'Secret plans')).visibility).toBe('private');
    const anon = await new Browser(app, ip()).request(`/library/${col.id}`);
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(`/library/${col.id}`)}`);
  });

  it('shares a collection by an unguessable link, makes it public, and closes it again', async () => {
    const { browser: ada, account } = await reader();
    const csrf = await ada.csrf('/library');
    await ada.post('/library', { csrf, name: 'Shared list' });
    const col = await collectionOf(account, 'Shared list');
    await ada.post(`/library/${col.id}/papers`, { csrf, action: 'add', paper: HOST, note: 'Worth a read' });
    await ada.post(`/library/${col.id}/edit`, { csrf, visibility: 'link' });
    const owner = await (await ada.request(`/library/${col.id}`)).text();
    const link = /value="http:\/\/paperboy\.test(\/library\/shared\/[A-Za-z0-9_-]{22})"/.exec(owner)?.[1];
    expect(link).toBeDefined();

    const anon = new Browser(app, ip());
    const shared = await anon.request(link!);
    expect(shared.status).toBe(200);
    expect(shared.headers.get('referrer-policy')).toBe('no-referrer');
    expect(shared.headers.get('cache-control')).toBe('private, no-store');
    const html = await shared.text();
    expect(html).toContain('Shared list');
    expect(html).toContain('Worth a read');
    expect(html).not.toContain('Move up');
    const exported = await anon.request(`${link}/export.ris`);
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain(`TI  - ${HOSTILE}`);
    // By link is not public: the collection's own address stays closed.
    expect((await anon.request(`/library/${col.id}`)).status).toBe(303);

    await ada.post(`/library/${col.id}/edit`, { csrf, visibility: 'link', new_link: '1' });
    expect((await anon.request(link!)).status).toBe(404);

    await ada.post(`/library/${col.id}/edit`, { csrf, visibility: 'public' });
    expect((await anon.request(`/library/${col.id}`)).status).toBe(200);
    expect(await (await anon.request(`/users/${account.handle}`)).text()).toContain(`href="/library/${col.id}"`);

    await ada.post(`/library/${col.id}/edit`, { csrf, visibility: 'private' });
    expect((await anon.request(`/library/${col.id}`)).status).toBe(303);
    expect(await (await anon.request(`/users/${account.handle}`)).text()).not.toContain(`/library/${col.id}`);
  });

  it('exports a paper, a collection and a search as files that a BibTeX parser reads back', async () => {
    const bib = await app.request(`/papers/${HOST}.bib`);
    expect(bib.status).toBe(200);
    expect(bib.headers.get('content-type')).toBe('application/x-bibtex; charset=utf-8');
    expect(bib.headers.get('content-disposition')).toBe('attachment; filename="2607.00003.bib"');
    const parsed = parseBibtex(await bib.text(), { english: false, caseProtection: false });
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries[0]!.fields.title).toBe(HOSTILE);

    const old = await app.request(`/papers/${OLD}.ris`);
    expect(old.headers.get('content-type')).toBe('application/x-research-info-systems; charset=utf-8');
    expect(old.headers.get('content-disposition')).toBe('attachment; filename="hep-th-9901001.ris"');
    expect(await old.text()).toContain('M1  - arXiv:hep-th/9901001');
    const csl = await app.request(`/papers/${GS}v2.json`);
    expect(csl.headers.get('content-type')).toBe('application/vnd.citationstyles.csl+json; charset=utf-8');
    expect(((await csl.json()) as { id: string }[])[0]!.id).toBe('lovelace2026gaussian');
    expect((await app.request('/papers/2999.00001.bib')).status).toBe(404);
    // The paper page itself is still the paper page.
    expect((await app.request(`/papers/${GS}`)).headers.get('content-type')).toMatch(/^text\/html/);

    const found = await app.request('/search/export.bib?q=attention');
    expect(found.status).toBe(200);
    expect(found.headers.get('content-disposition')).toBe('attachment; filename="search-attention.bib"');
    const entries = parseBibtex(await found.text(), { english: false }).entries;
    expect(entries.map((e) => e.fields.eprint)).toEqual([SPARSE]);
    expect((await app.request('/search/export.bib')).status).toBe(400);
    const page = await (await app.request('/search?q=attention')).text();
    expect(page).toContain('href="/search/export.bib?q=attention"');

    const { browser: b, account } = await reader();
    const csrf = await b.csrf('/library');
    await b.post('/library', { csrf, name: 'Für “Export”' });
    const col = await collectionOf(account, 'Für “Export”');
    for (const paper of [SPARSE, GS]) await b.post(`/library/${col.id}/papers`, { csrf, action: 'add', paper });
    const file = await b.request(`/library/${col.id}/export.bib`);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="Fur-Export.bib"');
    expect(file.headers.get('cache-control')).toBe('private, no-store');
    expect(parseBibtex(await file.text(), { english: false }).entries.map((e) => e.key)).toEqual([
      'hopper2026sparse',
      'lovelace2026gaussian',
    ]);
  });

  it('imports pasted ids and an uploaded BibTeX file, with a report line per entry, and limits imports', async () => {
    const { browser: b, account } = await reader();
    const csrf = await b.csrf('/library');
    await b.post('/library', { csrf, name: 'Imports' });
    const col = await collectionOf(account, 'Imports');
    const pasted = await b.post(`/library/${col.id}/import`, { csrf, text: `${GS}\nnot-an-id\n${GS}` });
    expect(pasted.status).toBe(200);
    const report = await pasted.text();
    expect(report).toContain('1 paper added; 1 line could not be imported.');
    expect(report).toContain('not an arXiv id or link');
    expect(report).toContain('is named on an earlier line');
    // This site fetches nothing from arXiv here: a missing paper is reported as such.
    const missing = await b.post(`/library/${col.id}/import`, { csrf, text: '2601.99999' });
    expect(await missing.text()).toContain('this server does not fetch papers from arXiv');

    const form = new FormData();
    form.set('csrf', csrf);
    form.set('file', new File([`@misc{x, eprint = {${OLD}}, archivePrefix = {arXiv}}`], 'refs.bib'));
    const upload = await app.request(`/library/${col.id}/import`, {
      method: 'POST',
      body: form,
      headers: {
        'x-forwarded-for': b.ip,
        cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    expect(upload.status).toBe(200);
    expect(await upload.text()).toContain(`${OLD} added`);
    expect(await ids(col.id)).toEqual([GS, OLD]);

    for (let i = 3; i < IMPORTS_PER_IP; i++) await b.post(`/library/${col.id}/import`, { csrf, text: GS });
    const limited = await b.post(`/library/${col.id}/import`, { csrf, text: SPARSE });
    expect(limited.status).toBe(429);
    expect(await ids(col.id)).toEqual([GS, OLD]);
  });

  it('deletes a collection only when confirmed, and never the reading list', async () => {
    const { browser: b, account } = await reader();
    const csrf = await b.csrf('/library');
    await b.post('/library', { csrf, name: 'Short-lived' });
    const col = await collectionOf(account, 'Short-lived');
    expect((await b.post(`/library/${col.id}/delete`, { csrf })).status).toBe(400);
    const deleted = await b.post(`/library/${col.id}/delete`, { csrf, confirm: '1' });
    expect(deleted.headers.get('location')).toBe('/library');
    expect((await b.request(`/library/${col.id}`)).status).toBe(404);
    const saved = await collectionOf(account, 'Saved');
    expect((await b.post(`/library/${saved.id}/delete`, { csrf, confirm: '1' })).status).toBe(400);
    expect(b.cookies.get(SESSION_COOKIE)).toBeDefined();
  });
});
