import type { Bm25Index } from './bm25.js';
import type { Lexicon } from './lexicon.js';
import type { PaperIndex } from './paper-index.js';

/** What the search keeps in memory: papers with their filter fields and vectors, their words, and BM25 postings. */
export interface MemoryIndex {
  papers: PaperIndex;
  lexicon: Lexicon;
  bm25: Bm25Index;
  /** Papers by folded title (titleKey), for known-item searches. */
  titles: Map<string, string[]>;
  /** Per paper, a fingerprint of its indexed text: a change that leaves the text alone (a vote) moves nothing. */
  signatures: Map<string, number>;
  /** Per paper, its modified_at as read: a start from a snapshot reads again only the papers whose value differs. */
  modified: Map<string, string>;
}
