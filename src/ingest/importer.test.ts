import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, freshStore, type TestStore } from '../../test/stores.js';
import type { PaperRecord, ParsedEntry } from '../model/record.js';
import { openImportFile } from './import-file.js';
import { importEntries } from './importer.js';

const NOW = new Date('2026-07-02T12:00:00Z');
const clock = () => NOW;

const line = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    title: `Paper ${id}`,
    summary: 'An abstract.',
    authors: ['Ada Lovelace'],
    categories: ['cs.LG'],
    listing_date: '2026-07-01',
    ...extra,
  });

describe.each(engines)('importing hostile records on %s', (engine) => {
  let t: TestStore;
  let dir: string;
  beforeAll(async () => {
    t = await freshStore(engine);
    dir = await mkdtemp(join(tmpdir(), 'paperboy-import-'));
  });
  afterAll(async () => {
    await t.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function importLines(name: string, lines: string[]) {
    const path = join(dir, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    const rejected: string[] = [];
    const counts = await importEntries(t.store, (await openImportFile(path)).entries(), {
      clock,
      onReject: (e) => rejected.push(e.error),
    });
    return { counts, rejected };
  }

  it('refuses listing days in the future or before arXiv, with their line numbers, and keeps the rest', async () => {
    const { counts, rejected } = await importLines('dates.jsonl', [
      line('2607.10001'),
      line('2607.10002', { listing_date: '2999-01-01' }),
      line('2607.10003', { listing_date: '2026-07-03' }),
      line('2607.10004', { listing_date: '1970-01-01' }),
      line('2607.10005', { listing_date: '1991-07-31' }),
    ]);
    expect(counts).toMatchObject({ new: 2, rejected: 3 });
    expect(rejected).toEqual([
      expect.stringMatching(/^line 2: the listing day 2999-01-01 is in the future/),
      expect.stringMatching(/^line 4: the listing day 1970-01-01 is before arXiv began/),
      expect.stringMatching(/^line 5: the listing day 1991-07-31 is before arXiv began/),
    ]);
    expect(await t.store.getPaper('2607.10002')).toBeUndefined();
    expect((await t.store.getPaper('2607.10003'))?.listedOn).toBe('2026-07-03');
    const newest = await t.store.listPapers({ sort: 'feed', to: '9999-12-31', limit: 1 });
    expect(newest[0]?.listedOn).toBe('2026-07-03');
  });

  it('refuses daily, submission and update dates out of range from any source, at their position', async () => {
    const entry = (position: string, extra: Partial<PaperRecord>): ParsedEntry => ({
      ok: true,
      position,
      record: { id: `2607.2000${position.at(-1)}`, source: 'hf-daily', title: 'T', abstract: 'A', ...extra },
    });
    const rejected: string[] = [];
    const counts = await importEntries(
      t.store,
      [
        entry('entry 1', { dailyOn: '2027-01-01' }),
        entry('entry 2', { submittedAt: '2099-05-01T00:00:00Z' }),
        entry('entry 3', { updatedAt: '1900-01-01T00:00:00Z' }),
        entry('entry 4', { submittedAt: 'yesterday' }),
        entry('entry 5', { dailyOn: '2026-07-02', submittedAt: '1999-01-04T00:00:00Z' }),
      ],
      { clock, onReject: (e) => rejected.push(e.error) },
    );
    expect(counts).toMatchObject({ new: 1, rejected: 4 });
    expect(rejected.map((e) => e.split(':')[0])).toEqual(['entry 1', 'entry 2', 'entry 3', 'entry 4']);
    expect(rejected[0]).toContain('daily day 2027-01-01 is in the future');
  });

  it('stores abstracts, titles and names without control characters, lone surrogates or bidirectional overrides', async () => {
    const { counts } = await importLines('controls.jsonl', [
      line('2607.30001', {
        title: 'A \u0001title\u0085 with \u202Econtrols\u202C',
        summary: 'NUL\u0000 SOH\u0001 VT\u000B FF\u000C ESC\u001B DEL\u007F C1\u009B lone\uD800 surrogate',
        authors: ['Han\u0000 Li', '\u202Eilobma\u2066 Ada\u2069'],
      }),
    ]);
    expect(counts).toMatchObject({ new: 1, rejected: 0 });
    const paper = (await t.store.getPaper('2607.30001'))!;
    expect(paper.title).toBe('A title with controls');
    expect(paper.abstract).toBe('NUL SOH VT FF ESC DEL C1 lone surrogate');
    expect(paper.authors).toEqual(['Han Li', 'ilobma Ada']);
  });

  it('cleans records that reach the store without the importer (submissions, arXiv lookups), keeping line breaks in abstracts', async () => {
    await t.store.upsertPapers([
      {
        id: '2607.30002',
        source: 'arxiv-api',
        title: 'Looked\u0000 up',
        abstract: 'one\ttwo\nthree\u0001',
        authors: ['\u202DBob\u0007'],
      },
    ]);
    const paper = (await t.store.getPaper('2607.30002'))!;
    expect([paper.title, paper.abstract, paper.authors]).toEqual(['Looked up', 'one\ttwo\nthree', ['Bob']]);
  });
});

describe('counting the entries of a dump (for the ETA)', () => {
  it('counts every line, across read and inflate chunks, with or without a last newline, plain and gzipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-count-'));
    try {
      // About 3 MB: several 1 MB chunks, so that lines cross their ends.
      const lines = Array.from({ length: 12_000 }, (_, i) =>
        line(`2601.${String(i).padStart(5, '0')}`, { pad: 'x'.repeat(i % 400) }),
      );
      const text = lines.join('\n');
      const cases: [string, string | Buffer][] = [
        ['ends-with-newline.jsonl', `${text}\n`],
        ['no-last-newline.jsonl', text],
        ['ends-with-newline.jsonl.gz', gzipSync(`${text}\n`)],
        ['no-last-newline.jsonl.gz', gzipSync(text)],
      ];
      for (const [name, content] of cases) {
        const path = join(dir, name);
        await writeFile(path, content);
        const file = await openImportFile(path);
        expect(await file.countEntries!(), name).toBe(12_000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
