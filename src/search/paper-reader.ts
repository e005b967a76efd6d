import type { Paper } from '../model/paper.js';
import { authorKey } from '../model/record.js';
import type { Db } from '../store/schema.js';
import type { PapersChange, Store } from '../store/store.js';

/** What the search service reads of the store: papers by id, an author's papers, and word that papers changed. */
export interface PaperReader {
  getPaper(id: string): Promise<Paper | undefined>;
  /** The papers still shown, in the order asked (hidden or missing ones left out). */
  getPapers(ids: string[]): Promise<Paper[]>;
  /** Ids of the papers by this author (names compared folded, as `authorKey` folds them). */
  authorPapers(name: string): Promise<Set<string>>;
  onPapersChanged(listener: (change: PapersChange) => void): () => void;
  onModelChanged(listener: () => void): () => void;
  announceModel(name: string): Promise<void>;
}

/** The part of the store search is given: the reads above and the engine (for the phrase check's SQL). */
export type SearchStore = Pick<
  Store,
  'engine' | 'getPaper' | 'getPapers' | 'onPapersChanged' | 'onModelChanged' | 'announceModel'
>;

export function paperReader(store: SearchStore, db: Db): PaperReader {
  return {
    getPaper: (id) => store.getPaper(id),
    getPapers: (ids) => store.getPapers(ids),
    async authorPapers(name) {
      const rows = await db
        .selectFrom('paper_authors')
        .select('paper_id')
        .where('name_key', '=', authorKey(name))
        .execute();
      return new Set(rows.map((r) => r.paper_id));
    },
    onPapersChanged: (listener) => store.onPapersChanged(listener),
    onModelChanged: (listener) => store.onModelChanged(listener),
    announceModel: (name) => store.announceModel(name),
  };
}
