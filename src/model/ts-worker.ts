import { existsSync } from 'node:fs';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * The thread starts as plain JavaScript (an eval'd script), registers tsx the way bin/paperboy.js does, then imports
 * the TypeScript entry: so it loads the same under the CLI, under `tsx`, and under vitest.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/** A worker thread running the TypeScript module `entry` (e.g. `new URL('./x-worker.ts', import.meta.url)`). */
export function tsWorker(entry: URL, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  // Under the CLI's build (bin/build.js) the entry is JavaScript beside this module.
  const built = new URL(entry.href.replace(/\.ts$/, '.js'));
  if (!existsSync(entry) && existsSync(built)) return new Worker(built, { execArgv: [], ...options });
  return new Worker(BOOTSTRAP, {
    eval: true,
    execArgv: [],
    workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: entry.href },
    ...options,
  });
}
