#!/usr/bin/env node
// Runs the CLI from JavaScript built from src/ (bin/build.js), so `npx paperboy` works from a clean clone without a
// build step; through tsx in this process when it cannot be built (a read-only checkout, an esbuild error).
import { builtCli } from './build.js';

const built = await builtCli();
if (built) {
  // Stack traces name the lines of src/ (about 70 ms more CPU on a web process's start).
  process.setSourceMapsEnabled(true);
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
