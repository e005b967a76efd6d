import { parseArgs } from 'node:util';
import { type FuzzResult, fuzz, table } from './harness.js';
import { allTargets } from './targets.js';

/**
 * `npm run fuzz`: 10,000 mutated inputs per target and a table of the results. Options: --runs N, --seed N (the
 * default is new each run and printed, so a failure can be replayed), --target NAME (a part of a target's name).
 */
const { values } = parseArgs({
  options: { runs: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string' } },
});
const runs = Number(values.runs ?? 10_000);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed))
  throw new RangeError('--runs and --seed take whole numbers');

const targets = allTargets().filter((t) => values.target === undefined || t.name.includes(values.target));
if (targets.length === 0) throw new RangeError(`no target's name contains "${values.target}"`);
const results: FuzzResult[] = [];
for (const t of targets) {
  const start = performance.now();
  const result = await fuzz(t, { runs, seed });
  results.push(result);
  console.error(`${t.name}: ${result.inputs} inputs in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  if (result.counterexample) console.error(`  first failure, shrunk:\n${result.counterexample}\n`);
}
console.log(table(results));
process.exitCode = results.some((r) => r.crashes + r.hangs > 0) ? 1 : 0;
