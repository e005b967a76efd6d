import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { freshStore, type TestStore } from '../../test/stores.js';
import { createLogger, type Logger } from '../log.js';
import { LsaEmbedder } from '../search/embedder.js';
import { loadModel } from '../search/index-store.js';
import { createSearchService, type SearchService } from '../search/search.js';
import { createRefitJob } from './refit.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  embedder: LsaEmbedder,
): Promise<{ t: TestStore; search: SearchService; log: Logger; lines: string[] }> {
  const t = await freshStore('sqlite');
  cleanups.push(() => t.dispose());
  await t.store.upsertPapers(await corpusSlice(40));
  const search = await createSearchService(t.store, t.db, { embedder });
  cleanups.push(() => search.close());
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { t, search, log: createLogger({ logLevel: 'info', logFormat: 'json' }, sink), lines };
}

describe('the scheduled refit job', () => {
  it('fits and saves the model when its run is not taken over', async () => {
    const { t, search, log, lines } = await setUp(new LsaEmbedder());
    await createRefitJob(search, log)(new AbortController().signal);
    expect((await loadModel(t.db, 'lsa'))?.model).toMatch(/^lsa@/);
    expect(lines.join('\n')).toMatch(/refitted the search model on 40 papers/);
  });

  it('stops in the middle of the fit when its signal aborts, and saves nothing', async () => {
    const run = new AbortController();
    let fits = 0;
    // Another process takes the run over while this one fits: the signal aborts once the fit has begun.
    const embedder = new (class extends LsaEmbedder {
      override fit(texts: string[], signal?: AbortSignal) {
        fits++;
        run.abort(new Error('taken over'));
        return super.fit(texts, signal);
      }
    })();
    const { t, search, log, lines } = await setUp(embedder);
    await createRefitJob(search, log)(run.signal);
    expect(fits).toBe(1);
    expect(await loadModel(t.db, 'lsa')).toBeUndefined();
    expect(embedder.model()).toBeUndefined();
    expect(lines.join('\n')).toMatch(/the refit stopped after \d+ s: another process took its run over/);
    expect((await search.search({ q: 'language models', mode: 'semantic' })).mode).toBe('keyword');
  });

  it('does not begin when its signal aborted while it waited', async () => {
    let fits = 0;
    const embedder = new (class extends LsaEmbedder {
      override fit(texts: string[], signal?: AbortSignal) {
        fits++;
        return super.fit(texts, signal);
      }
    })();
    const { t, search } = await setUp(embedder);
    const r = await search.refit(AbortSignal.abort(new Error('taken over')));
    expect(r.stopped).toBe(true);
    expect(fits).toBe(0);
    expect(await loadModel(t.db, 'lsa')).toBeUndefined();
  });
});
