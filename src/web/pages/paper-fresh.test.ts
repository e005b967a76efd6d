import { afterEach, describe, expect, it } from 'vitest';
import { signedInBrowser } from '../../../test/browser-session.js';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import { createApiToken } from '../../accounts/api-tokens.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { createApp } from '../app.js';

const ID = '2607.00041';
const NOW = new Date();

const opened: { t: TestStore; search: SearchService }[] = [];
afterEach(async () => {
  for (const { t, search } of opened.splice(0)) {
    search.close();
    await t.dispose();
  }
});

/**
 * A process that follows the change feed keeps the papers it read until it hears of a change, a few milliseconds after
 * another process commits one. A reader with credentials may have just made that change through the other process (a
 * vote answered by a redirect that lands here): their paper page and API read the database.
 */
describe.each(engines)('a paper read by a reader who may have just changed it (%s)', (engine) => {
  it('comes from the database for a session or a token, from the papers kept for anyone else', async () => {
    const t = await freshStore(engine);
    await t.store.upsertPapers([
      { id: ID, source: 'arxiv-api', title: 'Kept papers', abstract: 'On caches.', authors: ['Ada Lovelace'] },
    ]);
    await t.store.followChanges();
    const search = await createSearchService(t.store, t.db);
    opened.push({ t, search });
    const app = createApp(testDeps(t, search, { baseUrl: 'http://paperboy.test' }));
    const votes = (page: string) => /aria-label="Upvote \((\d+) upvotes\)"/.exec(page)?.[1];
    const anonymous = async () => votes(await (await app.request(`/papers/${ID}`)).text());
    expect(await anonymous()).toBe('0');
    // Another process's vote, committed but not heard here yet (the feed has no row of it: never heard).
    await t.db.updateTable('papers').set({ community_upvotes: 41 }).where('id', '=', ID).execute();
    expect(await anonymous()).toBe('0');

    const { browser, account } = await signedInBrowser(app, t.db, {
      email: 'ada@example.org',
      ip: '10.4.0.1',
      now: NOW,
    });
    expect(votes(await (await browser.request(`/papers/${ID}`)).text())).toBe('41');
    const { token } = await createApiToken(t.db, account.id, { name: 'script', scope: 'read' }, NOW);
    const api = async (headers: Record<string, string>) =>
      ((await (await app.request(`/api/papers/${ID}`, { headers })).json()) as { upvotes: number }).upvotes;
    expect(await api({})).toBe(0);
    expect(await api({ authorization: `Bearer ${token}` })).toBe(41);
  });
});
