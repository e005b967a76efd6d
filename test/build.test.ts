import { cpSync, existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside bin/paperboy.js, without types
import { builtCli } from '../bin/build.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
// A copy of the sources: the test changes a file's time, which the checkout's own build must not see.
const root = mkdtempSync(join(tmpdir(), 'paperboy-build-'));
cpSync(join(repo, 'src'), join(root, 'src'), { recursive: true, preserveTimestamps: true });
cpSync(join(repo, 'tsconfig.json'), join(root, 'tsconfig.json'), { preserveTimestamps: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('runs the CLI from a build of src/, and builds again when a file of src/ changes', async () => {
  const first: string = await builtCli(root);
  expect(first).toMatch(/node_modules\/\.cache\/paperboy\/[0-9a-f]{16}\/src\/cli\/main\.js$/);
  expect(existsSync(fileURLToPath(first))).toBe(true);
  expect(existsSync(fileURLToPath(new URL('../../package.json', first)))).toBe(true);
  expect(await builtCli(root)).toBe(first);

  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, 'src/model/ts-worker.ts'), later, later);
  const second: string = await builtCli(root);
  expect(second).not.toBe(first);
  expect(existsSync(fileURLToPath(second))).toBe(true);
  expect(existsSync(fileURLToPath(new URL('../web/static/app.css', second)))).toBe(true);
  // The first build stays for processes still running from it.
  expect(existsSync(fileURLToPath(first))).toBe(true);
});

it('answers undefined, for the CLI to run through tsx, where there are no sources to build', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'paperboy-build-empty-'));
  try {
    expect(await builtCli(empty)).toBeUndefined();
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
