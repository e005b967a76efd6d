import { describe, expect, it } from 'vitest';
import { fuzz } from './harness.js';
import { allTargets } from './targets.js';

/** A short, fixed-seed run of every fuzz target (`npm run fuzz` runs 10,000 inputs each with a new seed). */
const RUNS = 200;
const SEED = 20260701;

describe('fuzzing, short run', () => {
  it.each(allTargets().map((t) => [t.name, t] as const))(
    `%s: no crash and no hang in ${RUNS} inputs`,
    async (_name, t) => {
      const result = await fuzz(t, { runs: RUNS, seed: SEED });
      expect(result.counterexample ?? '').toBe('');
      expect(result).toMatchObject({ inputs: RUNS, crashes: 0, hangs: 0 });
    },
  );
});
