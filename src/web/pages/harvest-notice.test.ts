import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDeps } from '../../../test/site.js';
import { engines, freshStore, type TestStore } from '../../../test/stores.js';
import { saveHarvestReport } from '../../ingest/harvest-report.js';
import { createSearchService, type SearchService } from '../../search/search.js';
import { createApp } from '../app.js';

describe.each(engines)('the empty front page on %s', (engine) => {
  let t: TestStore;
  let search: SearchService;
  let app: ReturnType<typeof createApp>;
  const home = async () => (await app.request('/')).text();

  beforeAll(async () => {
    t = await freshStore(engine);
    search = await createSearchService(t.store, t.db);
    app = createApp(testDeps(t, search, { baseUrl: 'http://paperboy.test' }));
  });
  afterAll(async () => {
    search.close();
    await t.dispose();
  });

  it('says when the last harvest could not reach its sources, and why', async () => {
    expect(await home()).not.toContain('The last harvest');
    await saveHarvestReport(t.store, {
      at: '2026-07-01T08:17:04.000Z',
      failures: [
        {
          source: 'arxiv-oai:cs (cs.AI)',
          offline: true,
          message: 'Could not reach export.arxiv.org (ENOTFOUND). Check the network connection.',
        },
      ],
    });
    const page = await home();
    expect(page).toContain('The store is empty');
    expect(page).toContain('The last harvest, at 08:17 UTC on 1 July 2026, could not reach its sources:');
    expect(page).toContain(
      '<strong>arxiv-oai:cs (cs.AI)</strong>: Could not reach export.arxiv.org (ENOTFOUND). Check the network connection.',
    );

    await saveHarvestReport(t.store, {
      at: '2026-07-01T11:17:00.000Z',
      failures: [{ source: 'hf-daily', offline: false, message: 'HTTP 503 from https://huggingface.co/api <x>.' }],
    });
    expect(await home()).toContain('could not fetch papers from:');
    expect(await home()).toContain('HTTP 503 from https://huggingface.co/api &lt;x&gt;.');

    await saveHarvestReport(t.store, { at: '2026-07-01T14:17:00.000Z', failures: [] });
    expect(await home()).not.toContain('The last harvest');
  });
});
