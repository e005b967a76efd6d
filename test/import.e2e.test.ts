import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importLine, runCli, shared, startCli } from './cli.js';
import { engines, freshStore, type TestStore } from './stores.js';

const corpus = join(shared, 'corpus/arxiv-listings-2025-03-18_2026-07-01.jsonl.gz');
const page = join(shared, 'seed-page/page.txt');
let dir: string;

/** The first n lines of the real corpus, written at test time (the repository holds no abstracts). */
async function corpusLines(n: number): Promise<string[]> {
  const lines: string[] = [];
  const rl = createInterface({ input: createReadStream(corpus).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) {
    lines.push(line);
    if (lines.length === n) break;
  }
  rl.close();
  return lines;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(engines)('paperboy import on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await freshStore(engine);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('imports the saved Daily Papers page: 43 papers, 15 code links, and nothing new the second time', async () => {
    const first = await runCli(['import', page], t.env);
    expect(first.code, first.stderr).toBe(0);
    expect(importLine(first.stdout)).toEqual({ new: 43, updated: 0, unchanged: 0, rejected: 0 });
    const stats = await t.store.stats();
    expect(stats.papers).toBe(43);
    expect(stats.withCode).toBe(15);
    const second = await runCli(['import', page], t.env);
    expect(importLine(second.stdout)).toEqual({ new: 0, updated: 0, unchanged: 43, rejected: 0 });
  });

  it('imports a gzipped slice of the corpus idempotently and keeps only arXiv categories', async () => {
    const lines = await corpusLines(2500);
    const file = join(dir, `slice-${engine}.jsonl.gz`);
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    const first = await runCli(['import', file], t.env);
    expect(importLine(first.stdout), first.stderr).toEqual({ new: 2500, updated: 0, unchanged: 0, rejected: 0 });
    // A bulk import leaves the planner's statistics up to date: reads of a few papers by id use the primary key.
    if (engine === 'postgres') {
      const { rows } = await sql<{ analyzed: string | null }>`
        SELECT last_analyze::text AS analyzed FROM pg_stat_user_tables WHERE relname = 'papers'`.execute(t.db);
      expect(rows[0]?.analyzed).toBeTruthy();
    } else {
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'papers'`.execute(
        t.db,
      );
      expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    }
    const second = await runCli(['import', file], t.env);
    expect(importLine(second.stdout)).toEqual({ new: 0, updated: 0, unchanged: 2500, rejected: 0 });
    expect(await t.store.countPapers()).toBe(2500);
    // The dump gives no version numbers: each paper has had one version at least, not none.
    const stats = await runCli(['stats'], t.env);
    expect(stats.stdout).toMatch(/^papers: +2500$/m);
    expect(stats.stdout).toMatch(/^versions: +2500$/m);
    const sample = JSON.parse(lines[1234]!) as { id: string; title: string; authors: string[]; listing_date: string };
    const paper = await t.store.getPaper(sample.id);
    expect(paper?.authors).toEqual(sample.authors);
    expect(paper?.listedOn).toBe(sample.listing_date);
    const all = await t.store.listPapers({ limit: 5000 });
    expect(all.flatMap((p) => p.categories).filter((c) => /^\d|^[A-Z]\.\d/.test(c))).toEqual([]);
  });

  it('reports a malformed line with its number, imports the rest, and stops on it with --strict', async () => {
    const lines = await corpusLines(30);
    lines.splice(10, 0, '{"id": "2503.99999", "title": "half a record", "summ');
    const file = join(dir, `bad-line-${engine}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const strict = await runCli(['import', '--strict', file], t.env);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/line 11/);
    const lenient = await runCli(['import', file], t.env);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/rejected.*line 11/);
    expect(importLine(lenient.stdout)).toMatchObject({ rejected: 1 });
    expect(await t.store.countPapers()).toBe(30);
  });

  it('ends a truncated gzip with a clear message, keeping every complete paper before the cut', async () => {
    const lines = await corpusLines(1500);
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const file = join(dir, `cut-${engine}.jsonl.gz`);
    writeFileSync(file, cut);
    const readable = gunzipSync(cut, { finishFlush: zlib.Z_SYNC_FLUSH }).toString('utf8');
    const complete = readable.split('\n').length - 1;
    const result = await runCli(['import', file], t.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/truncated/i);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(await t.store.countPapers()).toBe(complete);
    const last = JSON.parse(lines[complete - 1]!) as { id: string; title: string };
    expect((await t.store.getPaper(last.id))?.title).toBe(last.title.replace(/\s+/g, ' ').trim());
  });

  it('rejects broken XML with a clear message and stores nothing', async () => {
    const xml = readFileSync(
      join(shared, 'fixtures/arxiv_api_atom/arxiv.py_2026_xml/q_testing_s0_m10_bc5a6c384fe9.xml'),
      'utf8',
    );
    const file = join(dir, `broken-${engine}.xml`);
    writeFileSync(file, xml.slice(0, Math.floor(xml.length / 2)));
    const result = await runCli(['import', file], t.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/paperboy: .*(XML|truncated)/i);
    expect(await t.store.countPapers()).toBe(0);
  });

  it('resumes an import killed with SIGKILL and ends with exactly the right count', async () => {
    const lines = await corpusLines(12000);
    const file = join(dir, `kill-${engine}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const child = startCli(['import', '--batch-size', '100', file], t.env);
    let checkpoint: Awaited<ReturnType<typeof firstCheckpoint>>;
    for (let i = 0; i < 600 && !checkpoint; i++) {
      await new Promise((r) => setTimeout(r, 50));
      checkpoint = (await t.store.stats()).papers > 0 ? await firstCheckpoint(t) : undefined;
    }
    expect(checkpoint, 'the import should commit a batch').toBeDefined();
    child.kill('SIGKILL');
    const killed = await child.result;
    expect(killed.signal).toBe('SIGKILL');
    const partial = await t.store.countPapers();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(12000);

    const resumed = await runCli(['import', '--batch-size', '100', file], t.env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming an interrupted import after entry \d+/);
    expect(importLine(resumed.stdout)).toEqual({ new: 12000, updated: 0, unchanged: 0, rejected: 0 });
    expect(await t.store.countPapers()).toBe(12000);
    const again = await runCli(['import', file], t.env);
    expect(importLine(again.stdout)).toEqual({ new: 0, updated: 0, unchanged: 12000, rejected: 0 });
  });
});

async function firstCheckpoint(t: TestStore) {
  const rows = await t.db.selectFrom('import_checkpoints').selectAll().execute();
  return rows[0];
}
