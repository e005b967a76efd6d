import { type ForYou, openForYou } from '../src/foryou/for-you.js';
import type { PaperRecord } from '../src/model/record.js';
import { createSearchService, type SearchService } from '../src/search/search.js';
import { createApp } from '../src/web/app.js';
import { type WebDeps, webDeps } from '../src/web/deps.js';
import { type Engine, freshStore, type TestStore } from './stores.js';

/** The whole site, as `serve` builds it, over a fresh store: what the request tests of the web pages talk to. */
export interface TestSite {
  t: TestStore;
  search: SearchService;
  app: ReturnType<typeof createApp>;
  /** "For you", when asked for (`forYou: true`): opened on the store's papers, as `serve` does in the background. */
  forYou: ForYou | undefined;
  close(): Promise<void>;
}

export async function openTestSite(
  engine: Engine,
  opts: {
    baseUrl: string;
    /** Signs form tokens and mailed links. */
    secret: string;
    clock: () => Date;
    /** Stored before the search index opens. */
    papers?: PaperRecord[];
    /** Each test browser has its own address through X-Forwarded-For (test/browser-session.ts); default true. */
    trustProxy?: boolean;
    /** Opens "For you" (it reads every paper: keep the store small); without it the site says it is being prepared. */
    forYou?: boolean;
  },
): Promise<TestSite> {
  const t = await freshStore(engine);
  if (opts.papers?.length) await t.store.upsertPapers(opts.papers);
  const search = await createSearchService(t.store, t.db);
  const forYou = opts.forYou ? await openForYou(t.store, t.db) : undefined;
  const closing = new AbortController();
  const app = createApp(
    testDeps(
      t,
      search,
      { baseUrl: opts.baseUrl, trustProxy: opts.trustProxy ?? true },
      { secret: opts.secret, clock: opts.clock, closed: closing.signal, forYou: () => forYou },
    ),
  );
  return {
    t,
    search,
    app,
    forYou,
    close: async () => {
      closing.abort();
      search.close();
      forYou?.close();
      await t.dispose();
    },
  };
}

/** The site's dependencies over a test store, as `serve` builds them (src/web/deps.ts). */
export function testDeps(
  t: Pick<TestStore, 'store' | 'db'>,
  search: SearchService,
  config: WebDeps['config'],
  more: Partial<Parameters<typeof webDeps>[0]> = {},
): WebDeps {
  return webDeps({
    store: t.store,
    db: t.db,
    search,
    config,
    secret: 'a test secret of at least thirty-two characters',
    ...more,
  });
}
