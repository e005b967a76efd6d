import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseArxivAtom } from '../../../src/ingest/arxiv-atom.js';
import { parseOaiListRecords } from '../../../src/ingest/arxiv-oai.js';
import { parseDailyPapers } from '../../../src/ingest/hf-daily.js';
import { readJsonlDump } from '../../../src/ingest/jsonl-dump.js';
import { looksLikeSeedPage, parseSeedPage } from '../../../src/ingest/seed-page.js';
import type { ParsedEntry } from '../../../src/model/record.js';
import { type Target, target } from '../harness.js';
import { allowingSourceError, expect, expectCount, expectEntries } from '../invariants.js';
import { applyJsonEdits, jsonEdits, mutatedText, writeJson } from '../mutate.js';
import { atomSeeds, hfSeeds, jsonlSeeds, oaiSeeds, pageSeeds } from '../seeds.js';

/** A dump as a file: mutated lines, written plain or gzipped, and possibly cut short (a broken download). */
interface DumpInput {
  text: string;
  gzip: boolean;
  /** Bytes of the file kept, in thousandths; 1000 keeps them all. */
  keep: number;
}

function jsonlTarget(): Target {
  let dir = '';
  let n = 0;
  return target<DumpInput>({
    name: 'jsonl dump',
    arbitrary: fc.record({
      text: mutatedText(jsonlSeeds),
      gzip: fc.boolean(),
      keep: fc.oneof(
        { weight: 4, arbitrary: fc.constant(1000) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 999 }) },
      ),
    }),
    open: async () => {
      dir = mkdtempSync(join(tmpdir(), 'paperboy-fuzz-'));
    },
    close: async () => rmSync(dir, { recursive: true, force: true }),
    check: async ({ text, gzip, keep }) => {
      const path = join(dir, `dump-${n++ % 4}.jsonl${gzip ? '.gz' : ''}`);
      const bytes = gzip ? gzipSync(text) : Buffer.from(text);
      writeFileSync(path, bytes.subarray(0, Math.floor((bytes.length * keep) / 1000)));
      const entries: ParsedEntry[] = [];
      const read = await allowingSourceError(async () => {
        for await (const entry of readJsonlDump(path)) entries.push(entry);
        return true;
      });
      // A bad line is a rejected entry: only a file cut short (a last line without its newline, broken gzip) throws.
      const whole = !gzip && keep === 1000 && (text === '' || text.endsWith('\n'));
      expect(read === true || !whole, () => 'a complete plain dump threw instead of rejecting its bad lines');
      expectEntries(entries);
      const numbers = entries.map((e) => Number(/^line (\d+)$/.exec(e.position)?.[1]));
      expect(
        numbers.every((k, i) => k > 0 && (i === 0 || k > numbers[i - 1]!)),
        () => `positions out of order: ${entries.map((e) => e.position).join(', ')}`,
      );
    },
  });
}

const atom = target<string>({
  name: 'arxiv atom',
  arbitrary: mutatedText(atomSeeds),
  check: async (xml) => {
    const page = await allowingSourceError(() => parseArxivAtom(xml));
    if (!page) return;
    expectEntries(page.entries);
    expectCount(page.total, 'totalResults');
    expectCount(page.start, 'startIndex');
    expectCount(page.perPage, 'itemsPerPage');
  },
});

const oai = target<string>({
  name: 'arxiv oai-pmh',
  arbitrary: mutatedText(oaiSeeds),
  check: async (xml) => {
    const page = await allowingSourceError(() => parseOaiListRecords(xml));
    if (!page) return;
    expectEntries(page.entries);
    expectCount(page.completeListSize, 'completeListSize');
    expectCount(page.cursor, 'cursor');
    expect(page.resumptionToken === undefined || page.resumptionToken.trim() !== '', () => 'an empty resumption token');
  },
});

/** A response built from real entries with members dropped, retyped or given hostile values, then edited as text. */
const hfInput = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...hfSeeds), jsonEdits)
      .map(([entries, list]) => writeJson(applyJsonEdits(entries, list))),
  },
  {
    weight: 1,
    arbitrary: mutatedText(
      hfSeeds.map((entries) => JSON.stringify(entries, null, 1)),
      4,
    ),
  },
);

function isJsonArray(json: string): boolean {
  try {
    return Array.isArray(JSON.parse(json));
  } catch {
    return false;
  }
}

const hf = target<{ json: string; date: string | undefined }>({
  name: 'hf daily json',
  arbitrary: fc.record({ json: hfInput, date: fc.constantFrom(undefined, '2026-07-01', '2999-99-99', '') }),
  check: async ({ json, date }) => {
    const entries = await allowingSourceError(() => parseDailyPapers(json, date));
    if (entries) expectEntries(entries);
    // A bad entry is a rejected entry: only a body that is not a JSON array throws.
    else expect(!isJsonArray(json), () => 'a JSON array threw instead of rejecting its bad entries');
  },
});

const page = target<string>({
  name: 'saved page',
  arbitrary: mutatedText(pageSeeds),
  check: async (text) => {
    looksLikeSeedPage(text);
    const entries = await allowingSourceError(() => parseSeedPage(text));
    if (!entries) return;
    expectEntries(entries);
    expect(
      entries.some((e) => e.ok),
      () => 'a page with no paper was not refused',
    );
  },
});

export const ingestTargets = (): Target[] => [jsonlTarget(), atom, oai, hf, page];
