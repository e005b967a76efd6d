import { SourceError } from '../../src/ingest/errors.js';
import type { ParsedEntry } from '../../src/model/record.js';

/** What every checker throws when a property fails. */
export class PropertyFailure extends Error {
  override name = 'PropertyFailure';
}

export function expect(ok: boolean, message: () => string): asserts ok {
  if (!ok) throw new PropertyFailure(message());
}

/** Runs `parse`; its documented error (SourceError) is an answer, anything else thrown is a crash. */
export async function allowingSourceError<T>(parse: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await parse();
  } catch (error) {
    if (error instanceof SourceError && error.message.trim() !== '') return undefined;
    throw error;
  }
}

const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;

/** A count from a source (results, upvotes, a cursor): absent, or a whole number a page and a database can hold. */
export function expectCount(value: unknown, what: string): void {
  expect(value === undefined || isCount(value), () => `${what} is ${String(value)}, not a count`);
}

/** Every entry is a record with an id and a title, or a rejection that says where and why. */
export function expectEntries(entries: readonly ParsedEntry[]): void {
  for (const entry of entries) {
    expect(
      typeof entry.position === 'string' && entry.position !== '',
      () => `an entry has no position: ${JSON.stringify(entry)}`,
    );
    if (!entry.ok) {
      expect(
        typeof entry.error === 'string' && entry.error.trim() !== '',
        () => `a rejection without a reason at ${entry.position}`,
      );
      continue;
    }
    const r = entry.record;
    expect(typeof r.id === 'string' && r.id.trim() !== '', () => `a record without an id at ${entry.position}`);
    expect(typeof r.title === 'string' && r.title.trim() !== '', () => `record ${r.id} has no title`);
    expect(typeof r.abstract === 'string', () => `record ${r.id} has no abstract string`);
    for (const key of ['upvotes', 'numComments', 'githubStars', 'version'] as const)
      expectCount(r[key], `${key} of ${r.id}`);
    for (const list of [r.authors, r.categories, r.codeUrls]) {
      expect(
        list === undefined || list.every((s) => typeof s === 'string'),
        () => `record ${r.id} has a list holding a non-string`,
      );
    }
  }
}

/** C0 and C1 controls (bar tab, line feed and carriage return) and the noncharacters U+FFFE and U+FFFF. */
export const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]/;

/** A surrogate without its pair (String.prototype.isWellFormed is ES2024, newer than this project's lib). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `html` is unsafe to insert into a page, or undefined: made of `allowedTags` and escaped text only. */
export function htmlProblem(html: string, allowedTags: ReadonlySet<string>): string | undefined {
  if (/<script/i.test(html)) return 'it holds <script';
  const control = CONTROL.exec(html);
  if (control)
    return `it holds the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${control.index}`;
  if (LONE_SURROGATE.test(html)) return 'it holds a lone surrogate';
  const tag = /<(\/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z][A-Za-z-]*="[^"<>]*")*)\s*(\/?)>/y;
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    tag.lastIndex = i;
    const m = tag.exec(html);
    if (!m) return `an unescaped < at ${i}: ${JSON.stringify(html.slice(i, i + 60))}`;
    if (!allowedTags.has(m[2]!.toLowerCase())) return `a tag it does not make: <${m[2]}>`;
    for (const a of m[3]!.matchAll(/([A-Za-z-]+)="([^"]*)"/g)) {
      if (/^on/i.test(a[1]!)) return `an event handler attribute ${a[1]}`;
      if (/^style$/i.test(a[1]!)) return `an inline style, which the site's CSP blocks: ${a[2]}`;
      if (/^(href|src)$/i.test(a[1]!) && !/^(https?:\/\/|mailto:|#)/i.test(a[2]!))
        return `a link to ${JSON.stringify(a[2])}`;
    }
  }
  return undefined;
}
