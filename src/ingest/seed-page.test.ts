import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { records } from '../../test/expect-errors.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { SourceError } from './errors.js';
import { looksLikeSeedPage, parseSeedPage } from './seed-page.js';

const SEED = fileURLToPath(new URL('../../../shared/data/seed-page/', import.meta.url));

interface SeedPaper {
  title: string;
  abstract: string;
  code_urls: string[];
}

let page: string;
let papers: SeedPaper[];
beforeAll(async () => {
  page = await readFile(`${SEED}page.txt`, 'utf8');
  papers = (await readFile(`${SEED}papers.jsonl`, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SeedPaper);
});

/** The page's papers as [title, abstract] pairs, after its five header paragraphs. */
function pairs(text: string): [string, string][] {
  const paragraphs = text.split('\n\n').slice(5);
  const result: [string, string][] = [];
  for (let i = 0; i < paragraphs.length; i += 2) result.push([paragraphs[i]!, paragraphs[i + 1] ?? '']);
  return result;
}

describe('parseSeedPage', () => {
  it('reads the 43 papers of the saved page, equal to papers.jsonl', () => {
    const entries = parseSeedPage(page);
    const recs = records(entries);
    expect(recs).toHaveLength(43);
    expect(entries.map((e) => e.position)).toEqual(papers.map((_, i) => `paper ${i + 1}`));
    expect(recs.map((r) => r.title)).toEqual(papers.map((p) => p.title));
    expect(recs.map((r) => r.abstract)).toEqual(papers.map((p) => p.abstract));
    expect(recs.map((r) => r.id)).toEqual(papers.map((p) => syntheticPaperId(p.title)));
    expect(recs.every((r) => r.source === 'page')).toBe(true);
  });

  it('finds the 15 code links the page names', () => {
    const recs = records(parseSeedPage(page));
    expect(recs.flatMap((r) => r.codeUrls ?? [])).toHaveLength(15);
    expect(recs.map((r) => r.codeUrls)).toEqual(papers.map((p) => p.code_urls));
  });

  it('reads a CRLF copy with extra blank lines and stray whitespace the same way', () => {
    const messy = `\uFEFF${page.replace(/\n\n/g, '\r\n\r\n \r\n').replace(/\n/g, '\r\n')}\r\n\r\n`;
    expect(parseSeedPage(messy)).toEqual(parseSeedPage(page));
  });

  it('reads titles directly followed by their abstracts, and header lines in the middle', () => {
    const compact = pairs(page)
      .map(([title, abstract], i) => (i === 10 ? `Daily Papers\n${title}\n${abstract}` : `${title}\n${abstract}`))
      .join('\n\n');
    expect(records(parseSeedPage(compact)).map((r) => [r.title, r.abstract])).toEqual(
      papers.map((p) => [p.title, p.abstract]),
    );
  });

  it('rejects the last title of a page cut off after it, naming the title', () => {
    const cut = pairs(page)
      .slice(0, 5)
      .flatMap(([title, abstract], i) => (i === 4 ? [title] : [title, abstract]))
      .join('\n\n');
    const entries = parseSeedPage(cut);
    expect(entries.filter((e) => e.ok)).toHaveLength(4);
    expect(entries[4]).toEqual({
      ok: false,
      position: 'paper 5',
      error: `paper 5: "${papers[4]!.title}" has no abstract: the page may have been cut off while saving; save it again`,
    });
  });

  it('keeps its footing when an abstract is missing in the middle or the page starts mid-abstract', () => {
    const list = pairs(page).slice(0, 6);
    const text = [list[0]![1], ...list.flatMap(([title, abstract], i) => (i === 2 ? [title] : [title, abstract]))].join(
      '\n\n',
    );
    const entries = parseSeedPage(text);
    expect(entries.map((e) => e.ok)).toEqual([false, true, true, false, true, true, true]);
    expect(entries[0]!.ok || entries[0]!.error).toMatch(/^paper 1: an abstract with no title before it/);
    expect(entries[3]!.ok || entries[3]!.error).toContain(papers[2]!.title);
    expect(records(entries.filter((e) => e.ok)).map((r) => r.title)).toEqual(
      [0, 1, 3, 4, 5].map((i) => papers[i]!.title),
    );
  });

  it('throws a SourceError when there are no papers at all', () => {
    for (const text of [
      '',
      'new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\nby AK and the research community\n',
    ]) {
      expect(() => parseSeedPage(text)).toThrow(SourceError);
      expect(() => parseSeedPage(text)).toThrow(/^no papers found: is this a saved Daily Papers page\?/);
    }
  });
});

describe('looksLikeSeedPage', () => {
  it('recognizes the saved page, with or without CRLF', () => {
    expect(looksLikeSeedPage(page)).toBe(true);
    expect(looksLikeSeedPage(page.replace(/\n/g, '\r\n'))).toBe(true);
  });

  it('does not take other text for a page', () => {
    expect(looksLikeSeedPage(papers.map((p) => JSON.stringify(p)).join('\n'))).toBe(false);
    expect(looksLikeSeedPage('# Daily Papers\n\nA README that mentions Daily Papers.\n')).toBe(false);
    expect(looksLikeSeedPage(pairs(page).flat().join('\n\n'))).toBe(false);
  });
});
