import type { ParsedEntry } from '../model/record.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { findCodeLinks } from './code-links.js';
import { SourceError } from './errors.js';

/** Lines of the page's chrome, skipped wherever they appear. The first group is distinctive enough to detect a page by. */
const DISTINCTIVE_HEADER = [
  'Get trending papers in your email inbox!',
  'Get trending papers in your email inbox! Subscribe',
  'Daily Papers',
  'by AK and the research community',
  'Daily Papers by AK and the research community',
];
const HEADER = new Set([...DISTINCTIVE_HEADER, 'new', 'Subscribe']);

/** Longer than any arXiv title: a paragraph this long where a title should be is an abstract that lost its title. */
const MAX_TITLE_LENGTH = 300;

/** True when the text starts like a saved Daily Papers page (at least two of its header lines near the top). */
export function looksLikeSeedPage(text: string): boolean {
  const head = splitLines(text.slice(0, 4096)).slice(0, 20);
  return head.filter((line) => DISTINCTIVE_HEADER.includes(line)).length >= 2;
}

/**
 * Parses a saved Daily Papers page: for each paper a title line, then its abstract paragraph (usually after a
 * blank line, possibly right under the title). Entries are positioned `paper N`; a title without an abstract
 * (a page cut off while saving) becomes a rejected entry.
 */
export function parseSeedPage(text: string): ParsedEntry[] {
  const paragraphs = toParagraphs(text);
  const entries: ParsedEntry[] = [];
  const position = () => `paper ${entries.length + 1}`;
  const accept = (title: string, abstract: string) => {
    entries.push({
      ok: true,
      record: {
        id: syntheticPaperId(title),
        source: 'page',
        title: collapse(title),
        abstract: collapse(abstract),
        codeUrls: findCodeLinks(abstract),
      },
      position: position(),
    });
  };
  const reject = (reason: string) => {
    const at = position();
    entries.push({ ok: false, error: `${at}: ${reason}`, position: at });
  };

  for (let i = 0; i < paragraphs.length; i++) {
    const [title = '', ...rest] = paragraphs[i]!;
    if (title.length > MAX_TITLE_LENGTH) {
      reject(`an abstract with no title before it ("${preview(title)}"): the page may have been cut off above it`);
    } else if (rest.length > 0) {
      accept(title, rest.join(' '));
    } else if (paragraphs[i + 1] === undefined || lostItsAbstract(paragraphs[i + 1]!, paragraphs[i + 2])) {
      reject(`"${collapse(title)}" has no abstract: the page may have been cut off while saving; save it again`);
    } else {
      accept(title, paragraphs[++i]!.join(' '));
    }
  }

  if (!entries.some((entry) => entry.ok)) {
    const errors = entries.flatMap((entry) => (entry.ok ? [] : [entry.error]));
    const found = errors.length > 0 ? ` (found only: ${errors.join('; ')})` : '';
    throw new SourceError(
      'parse',
      `no papers found: is this a saved Daily Papers page? Expected, for each paper, a title line and then its abstract paragraph${found}`,
    );
  }
  return entries;
}

/**
 * A title's abstract is missing when the paragraph in its place is itself a title (a single short line not
 * ending in a full stop) and the paragraph after that is not, or there is none: a title left without an abstract
 * is reported rather than paired with the next paper's title.
 */
function lostItsAbstract(next: string[], afterNext: string[] | undefined): boolean {
  const isTitle = (p: string[] | undefined) =>
    p?.length === 1 && p[0]!.length <= MAX_TITLE_LENGTH && !p[0]!.endsWith('.');
  return isTitle(next) && !isTitle(afterNext);
}

/** Groups non-blank lines into paragraphs; blank lines and header lines separate them. */
function toParagraphs(text: string): string[][] {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || HEADER.has(trimmed)) {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else {
      current.push(trimmed);
    }
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

function splitLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function collapse(text: string): string {
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}
