import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { records } from '../../test/expect-errors.js';
import { isArxivCategory } from '../model/arxiv-id.js';
import type { ParsedEntry } from '../model/record.js';
import { syntheticPaperId } from '../model/synthetic-id.js';
import { SourceError } from './errors.js';
import { readJsonlDump } from './jsonl-dump.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const RAW_2025 = join(DATA, 'fixtures/daily_arxiv_raw/2025-03-18.jsonl');
const RAW_2026 = join(DATA, 'fixtures/daily_arxiv_raw/2026-07-01.jsonl');
const SEED_JSONL = join(DATA, 'seed-page/papers.jsonl');

interface RawLine {
  id: string;
  title: string;
  summary: string;
  categories: string[];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every entry the reader yields, and the error it ended with, if any. */
async function readAll(path: string, skip?: number): Promise<{ entries: ParsedEntry[]; error?: unknown }> {
  const entries: ParsedEntry[] = [];
  try {
    for await (const entry of readJsonlDump(path, { skip })) entries.push(entry);
  } catch (error) {
    return { entries, error };
  }
  return { entries };
}

async function rawLines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

async function write(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('readJsonlDump on the raw daily files', () => {
  for (const path of [RAW_2025, RAW_2026]) {
    it(`reads every line of ${path.split('/').pop()} as a paper`, async () => {
      const lines = await rawLines(path);
      const { entries, error } = await readAll(path);
      expect(error).toBeUndefined();
      expect(entries).toHaveLength(lines.length);
      expect(entries.filter((e) => !e.ok)).toEqual([]);
      expect(entries.map((e) => e.position)).toEqual(lines.map((_, i) => `line ${i + 1}`));
      const ids = records(entries).map((r) => r.id);
      expect(ids).toEqual(lines.map((line) => (JSON.parse(line) as RawLine).id.replace(/v\d+$/, '')));
    });
  }

  it('maps the fields: collapsed abstract with its LaTeX kept, authors, categories, no comment', async () => {
    const { entries } = await readAll(RAW_2026);
    const first = records(entries)[0]!;
    expect(first).toMatchObject({
      id: '2606.30776',
      source: 'jsonl',
      title: 'Optimal Auctions for Constrained Buyers',
      authors: ['Batya Berzack', 'Rotem Oshman', 'Inbal Talgam-Cohen'],
      primaryCategory: 'cs.GT',
      categories: ['cs.GT'],
      codeUrls: [],
    });
    expect(first.comment).toBeUndefined();
    expect(first.abstract).toMatch(/^We study multi-unit multi-buyer auctions/);
    expect(first.abstract).toContain('\\emph{bidding constraints}');
    expect(first.abstract).toContain('(e.g., consumer surplus). For revenue-aligned objectives');
    expect(first.abstract).not.toMatch(/\s{2}|\n/);
  });

  it('drops ACM and MSC codes from the categories and keeps the first arXiv one as primary', async () => {
    const lines = (await rawLines(RAW_2025)).map((line) => JSON.parse(line) as RawLine);
    const withCodes = lines.findIndex((line) => line.categories.includes('I.2.1'));
    expect(withCodes).toBeGreaterThanOrEqual(0);
    const recs = records((await readAll(RAW_2025)).entries);
    const rec = recs[withCodes]!;
    expect(rec.categories).not.toContain('I.2.1');
    expect(rec.categories).toEqual(lines[withCodes]!.categories.filter(isArxivCategory));
    expect(rec.primaryCategory).toBe(rec.categories![0]);
    for (const r of recs) expect(r.categories!.every(isArxivCategory)).toBe(true);
    expect(recs.flatMap((r) => r.categories!).some((c) => /^\d|^[A-Z]\./.test(c))).toBe(false);
  });

  it('finds code links in abstracts and comments', async () => {
    const recs = records((await readAll(RAW_2026)).entries);
    const withCode = recs.filter((r) => r.codeUrls!.length > 0);
    expect(withCode.length).toBeGreaterThan(0);
    for (const r of withCode) {
      for (const url of r.codeUrls!) expect(url).toMatch(/^https:\/\/(github\.com|gitlab\.com|huggingface\.co)\//);
    }
  });
});

describe('readJsonlDump on gzip', () => {
  it('detects gzip by its magic bytes, whatever the file is called', async () => {
    const plain = await readFile(RAW_2026);
    const gzipped = await write('listing.jsonl', gzipSync(plain));
    const plainNamedGz = await write('plain.jsonl.gz', plain);
    const expected = (await readAll(RAW_2026)).entries;
    expect((await readAll(gzipped)).entries).toEqual(expected);
    expect((await readAll(plainNamedGz)).entries).toEqual(expected);
  });

  it('yields every complete line of a truncated gzip, then says the file is truncated', async () => {
    const full = gzipSync(await readFile(RAW_2026));
    const cut = full.subarray(0, Math.floor(full.length * 0.6));
    const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const complete = readable.split('\n').length - 1;
    expect(complete).toBeGreaterThan(100);

    const { entries, error } = await readAll(await write('cut.jsonl.gz', cut));
    expect(entries).toEqual((await readAll(RAW_2026)).entries.slice(0, complete));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('parse');
    expect((error as SourceError).message).toBe(
      `input ends early at line ${complete + 1}: the file looks truncated (the gzip data stops mid-stream); the lines before it were read`,
    );
  });

  it('reports corrupt gzip data as a parse error', async () => {
    const full = gzipSync(await readFile(RAW_2026));
    full.fill(0xff, 2000, 2400);
    const { error } = await readAll(await write('corrupt.jsonl.gz', full));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('parse');
    expect((error as SourceError).message).toMatch(
      /^the gzip data is corrupt at line 1 \(.+\); the lines before it were read: get a fresh copy of /,
    );
  });
});

describe('readJsonlDump on damaged and partial input', () => {
  it('rejects bad lines with their line number and keeps the rest', async () => {
    const lines = (await rawLines(RAW_2026)).slice(0, 40);
    const bad: Record<number, string> = {
      17: '{"id": "2606.30776", "title": "Cut',
      20: JSON.stringify({ id: '2606.00001', summary: 'An abstract.' }),
      25: JSON.stringify({ ...(JSON.parse(lines[24]!) as RawLine), id: 'not-an-id' }),
      28: JSON.stringify({ ...(JSON.parse(lines[27]!) as RawLine), id: undefined, abs: undefined, pdf: undefined }),
      30: '[1, 2, 3]',
      33: JSON.stringify({ ...(JSON.parse(lines[32]!) as RawLine), listing_date: 'yesterday' }),
    };
    const edited = lines.map((line, i) => bad[i + 1] ?? line);
    edited[35] = '';
    const { entries, error } = await readAll(await write('bad.jsonl', `${edited.join('\r\n')}\r\n`));
    expect(error).toBeUndefined();

    const rejected = entries.filter((e) => !e.ok);
    expect(rejected.map((e) => e.position)).toEqual(['line 17', 'line 20', 'line 25', 'line 28', 'line 30', 'line 33']);
    const errors = rejected.map((e) => (e.ok ? '' : e.error));
    expect(errors[0]).toMatch(/^line 17: not valid JSON/);
    expect(errors[1]).toBe('line 20: missing "title"');
    expect(errors[2]).toBe('line 25: id "not-an-id" is not an arXiv id');
    expect(errors[3]).toBe('line 28: missing "id"');
    expect(errors[4]).toBe('line 30: not a JSON object');
    expect(errors[5]).toBe('line 33: "listing_date" is not a YYYY-MM-DD date');

    // 40 lines, one blank: 33 papers and 6 rejections, each still at its own line number.
    const kept = entries.filter((e) => e.ok);
    expect(kept).toHaveLength(33);
    expect(kept.map((e) => e.position)).not.toContain('line 36');
    expect(kept.at(-1)!.position).toBe('line 40');
    expect(records(kept).at(-1)!.id).toBe((JSON.parse(lines[39]!) as RawLine).id);
  });

  it('throws after the complete lines when the last line is half-written', async () => {
    const lines = (await rawLines(RAW_2026)).slice(0, 3);
    const path = await write('half.jsonl', `${lines.join('\n')}\n${lines[0]!.slice(0, 200)}`);
    const { entries, error } = await readAll(path);
    expect(records(entries).map((r) => r.id)).toEqual(lines.map((l) => (JSON.parse(l) as RawLine).id));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(
      /^input ends early at line 4: the file looks truncated \(.+\); the lines before it were read$/,
    );
  });

  it('accepts a complete last line without a final newline', async () => {
    const lines = (await rawLines(RAW_2026)).slice(0, 3);
    const { entries, error } = await readAll(await write('no-final-newline.jsonl', lines.join('\n')));
    expect(error).toBeUndefined();
    expect(entries.map((e) => e.ok && e.position)).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('says which file is missing', async () => {
    const { error } = await readAll(join(dir, 'nowhere.jsonl'));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('input');
    expect((error as SourceError).message).toContain('nowhere.jsonl');
  });
});

describe('readJsonlDump with skip', () => {
  it('resumes at line N+1, in plain and gzipped files', async () => {
    const all = (await readAll(RAW_2026)).entries;
    const gzipped = await write('resume.jsonl.gz', gzipSync(await readFile(RAW_2026)));
    for (const path of [RAW_2026, gzipped]) {
      const { entries, error } = await readAll(path, 250);
      expect(error).toBeUndefined();
      expect(entries[0]!.position).toBe('line 251');
      expect(entries).toEqual(all.slice(250));
    }
  });

  it('yields nothing when skipping past the end, and refuses a negative skip', async () => {
    expect((await readAll(RAW_2026, 10_000)).entries).toEqual([]);
    expect((await readAll(RAW_2026, -1)).error).toBeInstanceOf(RangeError);
  });
});

describe('readJsonlDump on other shapes', () => {
  it('reads the seed papers.jsonl (no ids) with synthetic ids and its code urls', async () => {
    const lines = (await rawLines(SEED_JSONL)).map((l) => JSON.parse(l) as { title: string; code_urls: string[] });
    const { entries, error } = await readAll(SEED_JSONL);
    expect(error).toBeUndefined();
    const recs = records(entries);
    expect(recs).toHaveLength(43);
    expect(recs.map((r) => r.id)).toEqual(lines.map((l) => syntheticPaperId(l.title)));
    expect(recs.every((r) => /^title-[0-9a-f]{16}$/.test(r.id))).toBe(true);
    expect(recs.flatMap((r) => r.codeUrls!)).toHaveLength(15);
    expect(recs.map((r) => r.codeUrls)).toEqual(lines.map((l) => l.code_urls));
  });

  it('reads a dump that says "abstract" instead of "summary" the same way', async () => {
    const lines = (await rawLines(RAW_2026)).slice(0, 20);
    const renamed = lines.map((line) => {
      const { summary, ...rest } = JSON.parse(line) as RawLine;
      return JSON.stringify({ ...rest, abstract: summary });
    });
    const { entries } = await readAll(await write('abstract.jsonl', renamed.join('\n')));
    expect(entries).toEqual((await readAll(RAW_2026)).entries.slice(0, 20));
  });

  it('takes the version from the id and the listing date', async () => {
    const line = {
      ...(JSON.parse((await rawLines(RAW_2026))[0]!) as RawLine),
      id: '2606.30776v3',
      listing_date: '2026-07-01',
    };
    const [entry] = (await readAll(await write('version.jsonl', JSON.stringify(line)))).entries;
    expect(entry?.ok && entry.record).toMatchObject({ id: '2606.30776', version: 3, listedOn: '2026-07-01' });
  });

  it('falls back to the id in the abs URL when a listing line has no id', async () => {
    const line = {
      ...(JSON.parse((await rawLines(RAW_2026))[0]!) as RawLine),
      id: null,
      abs: 'https://arxiv.org/abs/2606.30776v2',
    };
    const [entry] = (await readAll(await write('abs-only.jsonl', JSON.stringify(line)))).entries;
    expect(entry?.ok && entry.record).toMatchObject({ id: '2606.30776', version: 2 });
  });
});
