import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createSearchService } from '../src/search/search.js';
import { USE_LITE_DIMENSIONS } from '../src/search/use-lite-model.js';
import { startCli } from './cli.js';
import { corpusSlice } from './corpus.js';
import { freshStore, type TestStore } from './stores.js';

const children: ChildProcess[] = [];
const stores: TestStore[] = [];
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const t of stores.splice(0)) await t.dispose();
});

const PAPERS = 60;

describe('paperboy embed (a switch from LSA to USE lite, on SQLite)', () => {
  it('killed mid-way, goes on where it was: only the papers left are embedded', { timeout: 120_000 }, async () => {
    const t = await freshStore('sqlite');
    stores.push(t);
    await t.store.upsertPapers(await corpusSlice(PAPERS));
    const lsa = await createSearchService(t.store, t.db);
    await lsa.refit();
    lsa.close();
    const count = async (prefix: string) =>
      Number(
        (
          await t.db
            .selectFrom('paper_vectors')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('model', 'like', `${prefix}@%`)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count('lsa')).toBe(PAPERS);

    const env = { ...t.env, PAPERBOY_EMBEDDER: 'use-lite', PAPERBOY_JOB_LEASE_SECONDS: '1' };
    const first = startCli(['embed'], env);
    children.push(first);
    const end = Date.now() + 60_000;
    while ((await count('use-lite')) === 0) {
      if (Date.now() > end || first.exitCode !== null)
        throw new Error(`no vector stored: ${(await first.result).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const done = await count('use-lite');
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(PAPERS);
    // Mid-way the previous model's vectors are all there: search goes on with them.
    expect(await count('lsa')).toBe(PAPERS);

    // Run again (after the killed run's claim lapses): the rest, and no paper twice.
    const second = await startCli(['embed'], env).result;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`${done} of ${PAPERS} papers already have a vector`);
    expect(second.stdout).toMatch(new RegExp(`^embedded ${PAPERS - done} papers with use-lite@`, 'm'));
    expect(second.stdout).toContain(`${PAPERS} vectors of other models deleted`);
    expect(await count('use-lite')).toBe(PAPERS);
    expect(await count('lsa')).toBe(0);
    const v = await t.db.selectFrom('paper_vectors').select('vector').executeTakeFirstOrThrow();
    expect(v.vector.byteLength).toBe(USE_LITE_DIMENSIONS * 4);
  });
});
