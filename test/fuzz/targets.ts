import type { Target } from './harness.js';
import { feedTarget, searchFeedTarget } from './targets/feeds.js';
import { ingestTargets } from './targets/ingest.js';
import { libraryTargets } from './targets/library.js';
import { textTargets } from './targets/text.js';

/** Every parser and renderer fed outside text, and the feeds stored text comes out through: fresh state each call. */
export const allTargets = (): Target[] => [
  ...ingestTargets(),
  ...textTargets(),
  ...libraryTargets(),
  feedTarget(),
  searchFeedTarget(),
];
