import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readArraysFile, writeArraysFile } from './arrays-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('removes the temporary a killed writer left an hour ago or more, and not one being written now', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-arrays-'));
  dirs.push(dir);
  const path = join(dir, 'index.snapshot');
  const abandoned = `${path}.a1b2c3d4e5f6.tmp`;
  const writing = `${path}.0f0f0f0f0f0f.tmp`;
  const other = join(dir, 'other.snapshot.a1b2c3d4e5f6.tmp');
  for (const f of [abandoned, writing, other]) writeFileSync(f, 'half a file');
  const twoHoursAgo = new Date(Date.now() - 7_200_000);
  utimesSync(abandoned, twoHoursAgo, twoHoursAgo);
  utimesSync(other, twoHoursAgo, twoHoursAgo);

  const kind = { magic: 'TEST', version: 1, name: 'test file' };
  await writeArraysFile(path, kind, { note: 'x' }, { ids: new Int32Array([1, 2, 3]) });
  expect(existsSync(abandoned)).toBe(false);
  expect(existsSync(writing)).toBe(true);
  expect(existsSync(other)).toBe(true);
  const read = await readArraysFile<{ note: string }>(path, kind);
  expect(read?.header.note).toBe('x');
  expect([...read!.arrays('ids', Int32Array)]).toEqual([1, 2, 3]);
});
