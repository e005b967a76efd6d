import { existsSync, statSync, utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside bin/paperboy.js, without types
import { builtCli } from '../bin/build.js';

const file = fileURLToPath(new URL('../src/model/ts-worker.ts', import.meta.url));

it('runs the CLI from a build of src/, and builds again when a file of src/ changes', async () => {
  const first: string = await builtCli();
  expect(first).toMatch(/node_modules\/\.cache\/paperboy\/[0-9a-f]{16}\/src\/cli\/main\.js$/);
  expect(existsSync(fileURLToPath(first))).toBe(true);
  expect(await builtCli()).toBe(first);

  const { atime, mtime } = statSync(file);
  try {
    utimesSync(file, atime, new Date(mtime.getTime() + 1000));
    const second: string = await builtCli();
    expect(second).not.toBe(first);
    expect(existsSync(fileURLToPath(second))).toBe(true);
    expect(existsSync(fileURLToPath(new URL('../web/static/app.css', second)))).toBe(true);
  } finally {
    utimesSync(file, atime, mtime);
  }
  expect(await builtCli()).toBe(first);
});
