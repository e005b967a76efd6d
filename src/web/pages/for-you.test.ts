import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, signedInBrowser } from '../../../test/browser-session.js';
import {
  FOR_YOU_DAY as DAY,
  dayIds,
  forYouPapers,
  idsOf,
  NEAR_DUPLICATE,
  OLD_DAY as OLD,
} from '../../../test/for-you-papers.js';
import { openTestSite, type TestSite, testDeps } from '../../../test/site.js';
import { engines } from '../../../test/stores.js';
import { xmlError } from '../../../test/strict-xml.js';
import type { Account } from '../../accounts/accounts.js';
import { toggleVote } from '../../accounts/votes.js';
import { Signer } from '../../crypto/tokens.js';
import { savedAmong } from '../../library/collections.js';
import { createApp } from '../app.js';
import { FOR_YOU_FEED_READS } from '../feeds/for-you.js';
import { forYouAnchor } from './for-you.js';

const BASE = 'http://paperboy.test';
const SECRET = 'for-you-test-secret-long-enough-for-the-hmac';
const NOW = new Date('2026-07-02T09:00:00Z');
const PAGE = `/for-you?date=${DAY}`;

/** The papers of a For-you page, in its order (the test's ids are their own anchors). */
const order = (html: string) => [...html.matchAll(/<li class="paper" id="fy-([^"]+)"/g)].map((m) => m[1]!);
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;
/** The card of one paper on the page. */
const card = (html: string, id: string) => {
  const start = html.indexOf(`id="${forYouAnchor(id)}"`);
  return html.slice(start, html.indexOf('</li>', html.indexOf('class="steer"', start)));
};

describe.each(engines)('the For-you page on %s', (engine) => {
  let site: TestSite;
  let people = 0;

  beforeAll(async () => {
    site = await openTestSite(engine, {
      baseUrl: BASE,
      secret: SECRET,
      clock: () => NOW,
      papers: forYouPapers,
      forYou: true,
    });
  });
  afterAll(() => site?.close());

  async function reader(): Promise<{ b: Browser; account: Account }> {
    people++;
    const { browser, account } = await signedInBrowser(site.app, site.t.db, {
      email: `reader${people}@example.org`,
      ip: `10.7.0.${people}`,
      now: NOW,
    });
    return { b: browser, account };
  }
  const upvote = (account: Account, ids: string[]) =>
    Promise.all(ids.map((id) => toggleVote(site.t.store, account, id, NOW)));
  const page = async (b: Browser, path = PAGE) => {
    const res = await b.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    return res.text();
  };

  /** The private feed's address on the reader's For-you page, as a path. */
  const feedOf = async (b: Browser) => {
    const html = await page(b);
    const url = /id="for-you-feed" readonly="" value="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
    return url.replace(BASE, '');
  };

  it('is linked from the day page, and asks a signed-out visitor to sign in, privately', async () => {
    const day = await (await site.app.request(`/day/${DAY}`)).text();
    expect(day).toContain(`href="/for-you?date=${DAY}"`);
    const res = await site.app.request(PAGE);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const html = await res.text();
    expect(html).toContain(`/signin?next=${encodeURIComponent(PAGE)}`);
    expect(order(html)).toEqual([]);
  });

  it('ranks the liked topic first and says why, on every paper of the day', async () => {
    const { b, account } = await reader();
    await upvote(account, idsOf('quantum', OLD));
    const html = await page(b);
    expect([...order(html)].sort()).toEqual([...dayIds].sort());
    expect(order(html).slice(0, 2).sort()).toEqual(idsOf('quantum', DAY).sort());
    const top = card(html, idsOf('quantum', DAY)[0]!);
    expect(top).toMatch(/Close to <a href="\/papers\/2606\.00\d00"><em>On [^<]+<\/em><\/a> \(you upvoted it\)/);
    expect(top).toMatch(/Words: [^<]*(surface|quantum|qubits|syndrome|fault|codes|logical|decoding|error)/);
    expect(top).toContain('quant-ph, where 100% of your likes are');
    expect(html).toContain('Ranked on your 3 upvotes');
    // The (default) latest day is the same page.
    expect(order(await page(b, '/for-you'))).toEqual(order(html));
  });

  it('moves a paper marked "not interested" and its near-duplicate down; Reset brings them back', async () => {
    const { b, account } = await reader();
    await upvote(account, idsOf('robots', OLD));
    const before = await page(b);
    const marked = '2607.01000';
    expect(order(before).slice(0, 3).sort()).toEqual(idsOf('robots', DAY).sort());

    const next = `${PAGE}#${forYouAnchor(order(before)[1]!)}`;
    const res = await b.post(`/papers/${marked}/not-interested`, { csrf: csrfOf(before), next });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(next);
    const after = await page(b);
    // The marked paper and its near-duplicate (the same text, "revisited") go to the bottom.
    expect(order(after).slice(-2).sort()).toEqual([marked, NEAR_DUPLICATE].sort());
    expect(card(after, marked)).toContain('You marked it not interested');
    expect(card(after, marked)).toContain('aria-pressed="true"');
    expect(card(after, NEAR_DUPLICATE)).toMatch(
      /Lower: like <a[^>]*><em>[^<]+<\/em><\/a>, which you marked not interested/,
    );
    expect(after).toContain('your 1 “not interested” mark is cleared');

    const reset = await b.post('/for-you/reset', { csrf: csrfOf(after), next: `${PAGE}&reset=done` });
    expect(reset.status).toBe(303);
    const again = await page(b, `${PAGE}&reset=done`);
    expect(again).toContain('Your ranking starts from now');
    expect(again).toContain('A reset does not undo your upvotes (they are public votes');
    expect(order(again)).toEqual(order(before));

    // app.js posts the same form and reads JSON; `undo` takes a mark back.
    const json = await b.post(
      `/papers/${marked}/not-interested`,
      { csrf: csrfOf(again) },
      { accept: 'application/json' },
    );
    expect(await json.json()).toEqual({ notInterested: true });
    const undo = await b.post(
      `/papers/${marked}/not-interested`,
      { csrf: csrfOf(again), undo: '1' },
      { accept: 'application/json' },
    );
    expect(await undo.json()).toEqual({ notInterested: false });
    expect(order(await page(b))).toEqual(order(before));
  });

  it('"More like this" saves the paper, and its topic comes first', async () => {
    const { b, account } = await reader();
    const html = await page(b);
    const liked = idsOf('markets', OLD)[0]!;
    const res = await b.post(`/papers/${liked}/more-like-this`, { csrf: csrfOf(html), next: `${PAGE}#x` });
    expect(res.status).toBe(303);
    expect([...(await savedAmong(site.t.db, account.id, [liked]))]).toEqual([liked]);
    const after = await page(b);
    expect(order(after).slice(0, 2).sort()).toEqual(idsOf('markets', DAY).sort());
    expect(card(after, idsOf('markets', DAY)[0]!)).toContain('(you saved it)');
  });

  it('starts cold in trending order, saying so, with categories to follow', async () => {
    const { b } = await reader();
    const { account: other } = await reader();
    const trending = idsOf('markets', DAY)[1]!;
    await upvote(other, [trending]);
    const html = await page(b);
    expect(order(html)[0]).toBe(trending);
    expect(card(html, trending)).toContain('Trending (you have no likes yet)');
    expect(html).toContain('Start your ranking');
    expect(html).toMatch(/data-follow="category:cs\.RO"/);
    // The Follow buttons carry the reader's form token, and come back here.
    expect(html).not.toContain('value="" data-csrf');
    expect(html).toContain(`name="next" value="${PAGE.replace('&', '&amp;')}"`);
  });

  it('says it is being prepared, in trending order, until "For you" is open', async () => {
    const app = createApp(
      testDeps(site.t, site.search, { baseUrl: BASE, trustProxy: true }, { secret: SECRET, clock: () => NOW }),
    );
    const { account } = await reader();
    await upvote(account, idsOf('quantum', OLD));
    const { browser } = await signedInBrowser(app, site.t.db, { email: account.email, ip: '10.7.1.1', now: NOW });
    const html = await (await browser.request(PAGE)).text();
    expect(html).toContain('For you is being prepared');
    expect(html).toContain('Trending (For you is being prepared)');
    expect(order(html)).toHaveLength(dayIds.length);
  });

  it('serves a private feed to its token only; another reader’s or a forged token does not work', async () => {
    const a = await reader();
    await upvote(a.account, idsOf('quantum', OLD));
    const b = await reader();
    await upvote(b.account, idsOf('robots', OLD));
    const urlA = `${BASE}${await feedOf(a.b)}`;
    const urlB = `${BASE}${await feedOf(b.b)}`;
    expect(urlA).toMatch(/^http:\/\/paperboy\.test\/for-you\/feed\.atom\?token=/);
    expect(urlA).not.toBe(urlB);
    const get = (url: string) => site.app.request(url.replace(BASE, ''));
    const atom = await get(urlA);
    expect(atom.status).toBe(200);
    expect(atom.headers.get('content-type')).toContain('application/atom+xml');
    expect(atom.headers.get('cache-control')).toBe('private, no-store');
    const entries = (xml: string) =>
      [...xml.matchAll(/<id>http:\/\/paperboy\.test\/papers\/([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(
      entries(await atom.text())
        .slice(0, 2)
        .sort(),
    ).toEqual(idsOf('quantum', DAY).sort());
    const rss = await get(urlB.replace('feed.atom', 'feed.rss'));
    expect(rss.status).toBe(200);
    expect(await rss.text()).toContain(`/papers/${idsOf('robots', DAY)[0]}`);

    // A's signature with B's id, a made-up signature, a token of another purpose: no feed.
    const tokenA = decodeURIComponent(new URL(urlA).searchParams.get('token')!);
    const swapped = `${b.account.id}.${tokenA.split('.').at(-1)}`;
    const forged = `${a.account.id}.${new Signer('another-secret-that-is-long-enough-too').sign('for-you', a.account.id)}`;
    const otherPurpose = new Signer(SECRET).token('subscriber', a.account.id);
    for (const token of [swapped, forged, otherPurpose, '', 'x'.repeat(300)]) {
      const res = await site.app.request(`/for-you/feed.atom?token=${encodeURIComponent(token)}`);
      expect(res.status, token).toBe(404);
    }
  });

  it('refuses a post without its form token, and leads a signed-out visitor to sign in', async () => {
    const { b } = await reader();
    expect((await b.post('/papers/2607.00000/not-interested', {})).status).toBe(403);
    const out = await site.app.request('/for-you/reset', { method: 'POST', body: new URLSearchParams({ next: PAGE }) });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(PAGE)}`);
    const html = await page(b);
    expect((await b.post('/papers/2699.99999/not-interested', { csrf: csrfOf(html) })).status).toBe(404);
  });

  it('says in each feed item why it is there, escaped, as a feed reader reads it', async () => {
    const hostile = '2606.09900';
    const title = 'Quantum <b>surface codes</b> & "logical qubits"';
    await site.t.store.upsertPapers([
      { ...forYouPapers.find((p) => p.id === idsOf('quantum', OLD)[0])!, id: hostile, title },
    ]);
    const { b, account } = await reader();
    await upvote(account, [hostile]);
    const path = await feedOf(b);
    const top = `${BASE}/papers/${idsOf('quantum', DAY)[0]}`;
    for (const url of [path, path.replace('feed.atom', 'feed.rss')]) {
      const xml = await (await site.app.request(url)).text();
      expect(xmlError(xml), url).toBeUndefined();
      // As a reader shows it: the feed reader's parser decodes the HTML, so the title reads as written.
      const item = parseFeed(xml).items.find((i) => i.url === top)!;
      expect(item.description, url).toContain(`Why: Close to “${title}” (you upvoted it); Words: `);
      expect(item.description).toContain('quant-ph, where 100% of your likes are.');
      // The HTML inside the XML: the title escaped once, as the abstract is.
      const doc = new XMLParser({ parseTagValue: false }).parse(xml) as {
        rss?: { channel: { item: { link: string; description: string }[] } };
        feed?: { entry: { id: string; summary: string }[] };
      };
      const html = doc.rss
        ? doc.rss.channel.item.find((i) => i.link === top)!.description
        : doc.feed!.entry.find((e) => e.id === top)!.summary;
      expect(html).toContain(
        '<p>Why: Close to “Quantum &lt;b&gt;surface codes&lt;/b&gt; &amp; &quot;logical qubits&quot;” (you upvoted it); ',
      );
      expect(html).not.toContain('<b>');
    }
    const json = (await (await site.app.request(path.replace('feed.atom', 'feed.json'))).json()) as {
      items: { id: string; content_text: string }[];
    };
    const item = json.items.find((i) => i.id === `${BASE}/papers/${idsOf('quantum', DAY)[0]}`)!;
    expect(item.content_text).toMatch(
      /^Why: Close to “Quantum <b>surface codes<\/b> & "logical qubits"” \(you upvoted it\)/,
    );
  });

  it('limits the reads of one feed address, not of another', async () => {
    const a = await reader();
    const b = await reader();
    const [pathA, pathB] = [await feedOf(a.b), await feedOf(b.b)];
    for (let i = 0; i < FOR_YOU_FEED_READS; i++) expect((await site.app.request(pathA)).status).toBe(200);
    const limited = await site.app.request(pathA);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.text()).toContain('Too many reads of this feed');
    expect((await site.app.request(pathB)).status).toBe(200);
  });

  it('makes a new feed address on request; the old one stops working and says where to find the new one', async () => {
    const { b } = await reader();
    const old = await feedOf(b);
    expect((await site.app.request(old)).status).toBe(200);
    const html = await page(b);
    const res = await b.post('/for-you/feed/rotate', { csrf: csrfOf(html), next: `${PAGE}&feed=new#fy-feed` });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${PAGE}&feed=new#fy-feed`);
    expect(await page(b, `${PAGE}&feed=new`)).toContain('Your private feed has a new address');
    const fresh = await feedOf(b);
    expect(fresh).not.toBe(old);
    expect((await site.app.request(fresh)).status).toBe(200);
    const gone = await site.app.request(old);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain(
      'it was replaced by a new one. Copy the current address from your For-you page',
    );
    expect((await b.post('/for-you/feed/rotate', {})).status).toBe(403);
  });

  it('Reset starts from now: likes from before it no longer shape the ranking, later ones do', async () => {
    const { b, account } = await reader();
    const before = new Date(NOW.getTime() - 86_400_000);
    await Promise.all(idsOf('quantum', OLD).map((id) => toggleVote(site.t.store, account, id, before)));
    const liked = await page(b);
    expect(card(liked, idsOf('quantum', DAY)[0]!)).toContain('(you upvoted it)');
    expect(liked).toContain('the upvotes and saves you made so far stop shaping it');

    expect((await b.post('/for-you/reset', { csrf: csrfOf(liked), next: `${PAGE}&reset=done` })).status).toBe(303);
    const after = await page(b, `${PAGE}&reset=done`);
    expect(after).toContain('Your ranking starts from now');
    expect(after).not.toContain('you upvoted it');
    expect(after).toContain('Trending (you have no likes yet)');
    // The votes themselves stay: they are the community's.
    const votes = await site.t.db
      .selectFrom('paper_votes')
      .select('paper_id')
      .where('account_id', '=', account.id)
      .execute();
    expect(votes).toHaveLength(3);

    await upvote(account, [idsOf('robots', OLD)[0]!]);
    const again = await page(b);
    expect(order(again).slice(0, 3).sort()).toEqual(idsOf('robots', DAY).sort());
    expect(card(again, idsOf('robots', DAY)[0]!)).toContain('(you upvoted it)');
    expect(again).toContain('Ranked on your 1 upvote');
  });
});
