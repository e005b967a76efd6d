import type { PaperRecord } from './record.js';

/**
 * Characters no stored text should hold: C0 controls but tab, line feed and carriage return, DEL, C1 controls,
 * surrogates without their pair, and the two noncharacters U+FFFE and U+FFFF. XML 1.0 forbids most of them, so a
 * single one in an abstract made every feed carrying it unreadable; the rest are invisible and only cause trouble.
 */
const UNWANTED =
  /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Line breaks, tabs and other spacing controls, which a one-line text (a title, a name, a query) shows as a space. */
const BREAKS = /[\t\n\v\f\r\u2028\u2029]/g;
/** Bidirectional embeddings, overrides and isolates: in a name they can make the text around it read backwards. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Text that may run over lines (an abstract, a comment): unwanted characters removed, tabs and line breaks kept. */
export function cleanText(text: string): string {
  return text.replace(UNWANTED, '');
}

/** Text of one line (a title, a query, a handle): unwanted characters removed, line breaks and tabs made spaces. */
export function cleanLine(text: string): string {
  return cleanText(text.replace(BREAKS, ' '));
}

/** A name (an author, a display name, a title): one line, without bidirectional overrides. */
export function cleanName(text: string): string {
  return cleanLine(text).replace(BIDI_CONTROLS, '');
}

/**
 * A visitor's input quoted back in a message: one line, no bidirectional overrides (which would reverse the message
 * around it), at most `max` characters (whole ones: never half a surrogate pair), with an ellipsis when cut.
 */
export function echo(value: string, max = 40): string {
  const chars = Array.from(cleanName(value));
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}

/**
 * A serialized XML document without the characters XML 1.0 forbids. Markup is ASCII, so removing them anywhere in the
 * document leaves it well formed: the last line of defence when the store holds something it should not.
 */
export const xmlSafe = cleanText;

const optional = <T>(value: T | undefined, clean: (v: T) => T) => (value === undefined ? undefined : clean(value));

/** A source's record with every text cleaned: where all sources meet on the way into the store. */
export function cleanRecord(record: PaperRecord): PaperRecord {
  return {
    ...record,
    id: cleanLine(record.id),
    title: cleanName(record.title),
    abstract: cleanText(record.abstract),
    authors: optional(record.authors, (names) => names.map(cleanName)),
    primaryCategory: optional(record.primaryCategory, cleanLine),
    categories: optional(record.categories, (list) => list.map(cleanLine)),
    comment: optional(record.comment, cleanText),
    journalRef: optional(record.journalRef, cleanLine),
    doi: optional(record.doi, cleanLine),
    submittedAt: optional(record.submittedAt, cleanLine),
    updatedAt: optional(record.updatedAt, cleanLine),
    listedOn: optional(record.listedOn, cleanLine),
    dailyOn: optional(record.dailyOn, cleanLine),
    codeUrls: optional(record.codeUrls, (list) => list.map(cleanLine)),
    projectPage: optional(record.projectPage, cleanLine),
    submittedBy: optional(record.submittedBy, cleanName),
    githubRepo: optional(record.githubRepo, cleanLine),
  };
}
