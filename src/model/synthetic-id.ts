import { createHash } from 'node:crypto';
import { titleKey } from './record.js';

/**
 * The id of a paper whose source gives no arXiv id (a saved page, a title-only list): the same title, however
 * cased or punctuated, always gets the same id, so re-importing the same page updates instead of duplicating.
 * A title without a letter or digit has an empty key, shared by every such title: its id is made from the title.
 */
/** What every synthetic id starts with, and no arXiv id does. */
export const SYNTHETIC_PREFIX = 'title-';

export function syntheticPaperId(title: string): string {
  return `${SYNTHETIC_PREFIX}${createHash('sha256')
    .update(titleKey(title) || title.trim())
    .digest('hex')
    .slice(0, 16)}`;
}

export function isSyntheticId(id: string): boolean {
  return id.startsWith(SYNTHETIC_PREFIX);
}
