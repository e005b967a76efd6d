import { expect } from 'vitest';
import { importEntries } from '../src/ingest/importer.js';
import type { PaperRecord } from '../src/model/record.js';
import type { Embedder } from '../src/search/embedder.js';
import { createSearchService, type SearchService } from '../src/search/search.js';
import { freshStore, type TestStore } from './stores.js';

/** A SQLite store holding `papers`, searched with `embedder` once a refit embedded every one of them. */
export async function withSemanticSearch(
  embedder: Embedder,
  papers: PaperRecord[],
  use: (search: SearchService, t: TestStore) => Promise<void>,
): Promise<void> {
  const t = await freshStore('sqlite');
  try {
    await importEntries(
      t.store,
      papers.map((record) => ({ ok: true as const, record, position: '' })),
    );
    const search = await createSearchService(t.store, t.db, { embedder });
    try {
      expect((await search.refit()).documents).toBe(papers.length);
      await use(search, t);
    } finally {
      search.close();
    }
  } finally {
    await t.dispose();
  }
}
