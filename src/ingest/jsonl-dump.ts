import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { type ArxivId, isArxivCategory, parseArxivId } from '../model/arxiv-id.js';
import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { findCodeLinks } from './code-links.js';
import { SourceError } from './errors.js';

/**
 * One line of a JSONL dump. Two shapes are accepted: arXiv listings (`id`, `summary` or `abstract`, `authors`,
 * `categories`, `comment`, `listing_date`, `pdf`, `abs`) and title lists without ids (`title`, `abstract`,
 * `code_urls`, as in the seed page's papers.jsonl). Unknown fields are ignored.
 */
const DumpLine = z.object({
  id: z.string().nullish(),
  title: z.string().refine((t) => t.trim() !== '', 'is empty'),
  summary: z.string().nullish(),
  abstract: z.string().nullish(),
  authors: z.array(z.string()).nullish(),
  categories: z.array(z.string()).nullish(),
  comment: z.string().nullish(),
  listing_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a YYYY-MM-DD date')
    .nullish(),
  code_urls: z.array(z.string()).nullish(),
  pdf: z.string().nullish(),
  abs: z.string().nullish(),
});
type DumpLine = z.infer<typeof DumpLine>;

export interface JsonlDumpOptions {
  /** Leading lines to pass over without parsing, to resume an interrupted import. Line numbers still count them. */
  skip?: number | undefined;
}

/**
 * Streams a JSONL dump, plain or gzipped (told apart by the gzip magic bytes), one entry per non-blank line,
 * positioned `line N`. A malformed line becomes a rejected entry and reading goes on; input that stops in the
 * middle of a line (a truncated download) throws a `SourceError('parse')` after every complete line was yielded.
 */
export async function* readJsonlDump(path: string, opts: JsonlDumpOptions = {}): AsyncGenerator<ParsedEntry> {
  const skip = opts.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`skip must be a whole number >= 0, got ${skip}`);
  const input = await openInput(path);
  try {
    for await (const batch of splitLines(input.chunks, skip, (err, line) => readFailure(path, err, line))) {
      let lineNo = batch.first;
      for (const text of batch.lines) {
        const n = lineNo++;
        if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (err) {
          if (batch.unterminated) throw truncated(n, 'its last line is not complete JSON');
          yield reject(n, `not valid JSON (${errorMessage(err)})`);
          continue;
        }
        yield toEntry(value, n);
      }
    }
  } finally {
    input.close();
  }
}

interface LineBatch {
  /** The 1-based line number of `lines[0]`. */
  first: number;
  lines: string[];
  /** The input's last line, which has no final newline. */
  unterminated: boolean;
}

/**
 * Splits a byte stream into lines, one batch per chunk (splitting on the byte 0x0A is safe in UTF-8). Skipped
 * lines are counted but never decoded. A stream error is turned into an error by `fail`, given the number of
 * the line that was being read.
 */
async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  skip: number,
  fail: (err: unknown, line: number) => Error,
): AsyncGenerator<LineBatch> {
  let done = 0;
  let pending: Buffer[] = [];
  try {
    for await (const chunk of chunks) {
      const lines: string[] = [];
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        done++;
        if (done > skip) {
          const bytes =
            pending.length > 0 ? Buffer.concat([...pending, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
          lines.push(decodeLine(bytes, done));
        }
        pending = [];
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
      if (lines.length > 0) yield { first: done - lines.length + 1, lines, unterminated: false };
    }
  } catch (err) {
    throw fail(err, done + 1);
  }
  if (pending.length > 0 && done + 1 > skip) {
    yield { first: done + 1, lines: [decodeLine(Buffer.concat(pending), done + 1)], unterminated: true };
  }
}

function decodeLine(bytes: Buffer, lineNo: number): string {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 13) end--;
  const text = bytes.toString('utf8', 0, end);
  return lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

interface Input {
  chunks: AsyncIterable<Buffer>;
  close(): void;
}

async function openInput(path: string): Promise<Input> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw readFailure(path, err, 1);
  }
  const head = Buffer.alloc(2);
  try {
    await handle.read(head, 0, 2, 0);
  } catch (err) {
    await handle.close();
    throw readFailure(path, err, 1);
  }
  const file = handle.createReadStream({ start: 0, highWaterMark: 1 << 20 });
  if (head[0] !== 0x1f || head[1] !== 0x8b) return { chunks: file, close: () => file.destroy() };
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  file.on('error', (err) => gunzip.destroy(err));
  file.pipe(gunzip);
  return {
    chunks: gunzip,
    close: () => {
      gunzip.destroy();
      file.destroy();
    },
  };
}

function readFailure(path: string, err: unknown, line: number): SourceError {
  if (err instanceof SourceError) return err;
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (code === 'Z_BUF_ERROR') return truncated(line, 'the gzip data stops mid-stream');
  if (code.startsWith('Z_')) {
    return new SourceError(
      'parse',
      `the gzip data is corrupt at line ${line} (${errorMessage(err)}); the lines before it were read: get a fresh copy of ${path}`,
      { cause: err },
    );
  }
  if (code === 'ENOENT') return new SourceError('input', `no such file: ${path}: check the path`, { cause: err });
  if (code === 'EISDIR')
    return new SourceError('input', `${path} is a directory: give the path of a .jsonl or .jsonl.gz file`, {
      cause: err,
    });
  return new SourceError('input', `cannot read ${path} (line ${line}): ${errorMessage(err)}`, { cause: err });
}

function truncated(line: number, why: string): SourceError {
  return new SourceError(
    'parse',
    `input ends early at line ${line}: the file looks truncated (${why}); the lines before it were read`,
  );
}

function toEntry(value: unknown, lineNo: number): ParsedEntry {
  const parsed = DumpLine.safeParse(value, { reportInput: true });
  if (!parsed.success) return reject(lineNo, describeIssues(parsed.error.issues));
  const line = parsed.data;
  const abstract = line.summary ?? line.abstract;
  if (abstract == null) return reject(lineNo, 'missing "summary" (or "abstract")');
  const id = resolveId(line);
  if (typeof id === 'string') return reject(lineNo, id);

  const categories = line.categories?.filter(isArxivCategory);
  const comment = line.comment ? collapse(line.comment) : undefined;
  const record: PaperRecord = {
    id: id.id,
    version: id.version,
    source: 'jsonl',
    title: collapse(line.title),
    abstract: collapse(abstract),
    authors: line.authors?.map(collapse),
    primaryCategory: categories?.[0],
    categories,
    comment: comment || undefined,
    listedOn: line.listing_date ?? undefined,
    codeUrls: codeUrls(line.code_urls, abstract, comment),
  };
  return { ok: true, record, position: `line ${lineNo}` };
}

/** The arXiv id of the line, or why it has none. Only title lists (no arXiv fields at all) get a synthetic id. */
function resolveId(line: DumpLine): ArxivId | string {
  if (line.id != null) return parseArxivId(line.id) ?? `id ${JSON.stringify(line.id)} is not an arXiv id`;
  const fromUrl = (line.abs && parseArxivId(line.abs)) || (line.pdf && parseArxivId(line.pdf));
  if (fromUrl) return fromUrl;
  const looksLikeListing =
    line.summary != null || line.categories != null || line.listing_date != null || line.abs != null;
  return looksLikeListing ? 'missing "id"' : { id: syntheticPaperId(line.title) };
}

function codeUrls(given: string[] | null | undefined, ...texts: (string | undefined)[]): string[] {
  const urls = new Set<string>();
  for (const url of given ?? []) urls.add(findCodeLinks(url)[0] ?? url);
  for (const url of findCodeLinks(...texts)) urls.add(url);
  return [...urls];
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the line';
      if (issue.path.length === 0 && issue.code === 'invalid_type') return 'not a JSON object';
      if (issue.code === 'invalid_type' && issue.input === undefined) return `missing ${field}`;
      return `${field} ${issue.message.replace(/^Invalid input: /, '')}`;
    })
    .join('; ');
}

function reject(lineNo: number, reason: string): ParsedEntry {
  return { ok: false, error: `line ${lineNo}: ${reason}`, position: `line ${lineNo}` };
}

/** Whitespace runs to one space. Single spaces are left alone: matching every one of them is three times slower. */
function collapse(text: string): string {
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
