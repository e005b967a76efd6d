import { describe, expect, it } from 'vitest';
import type { Paper } from '../model/paper.js';
import { emptyPaper } from '../store/merge.js';
import { frozen } from '../store/paper-cache.js';
import { PaperItem } from './card.js';

const paper = (upvotes: number): Paper => ({
  ...emptyPaper('2607.00042', '2026-07-01T00:00:00Z'),
  version: 1,
  title: 'Cards kept per paper',
  abstract: 'On caches.',
  authors: ['Ada Lovelace'],
  primaryCategory: 'cs.LG',
  categories: ['cs.LG'],
  listedOn: '2026-07-01',
  upvotes,
});

const text = async (card: ReturnType<typeof PaperItem>) => String(await card);

describe('a paper card', () => {
  it('is drawn once per frozen paper and heading, and again for the paper read after a change', async () => {
    const before = frozen(paper(3));
    const first = PaperItem({ paper: before, heading: 'h3' });
    expect(PaperItem({ paper: before, heading: 'h3' })).toBe(first);
    expect(await text(first)).toContain('aria-label="Upvote (3 upvotes)"');
    expect(await text(PaperItem({ paper: before }))).toContain('<h2>');
    // A change to the paper: the store reads it again, a new object.
    const after = frozen(paper(4));
    expect(await text(PaperItem({ paper: after, heading: 'h3' }))).toContain('aria-label="Upvote (4 upvotes)"');
  });

  it('is drawn each time for a search hit, an anchored item or a paper that is not frozen', async () => {
    const p = frozen(paper(3));
    const hit = PaperItem({ paper: p, titleHtml: '<mark>Cards</mark> kept', snippetHtml: 'On <mark>caches</mark>.' });
    expect(await text(hit)).toContain('<mark>caches</mark>');
    expect(await text(PaperItem({ paper: p }))).not.toContain('<mark>');
    expect(PaperItem({ paper: p, anchor: 'x' })).not.toBe(PaperItem({ paper: p, anchor: 'x' }));
    const loose = paper(3);
    expect(PaperItem({ paper: loose })).not.toBe(PaperItem({ paper: loose }));
  });
});
