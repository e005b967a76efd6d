import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { processCount } from './cluster.js';

describe('serve --processes', () => {
  it('defaults to one process on SQLite and one per core on PostgreSQL; the flag, then PAPERBOY_PROCESSES, win', () => {
    expect(processCount({ processes: undefined, databaseUrl: undefined }, undefined)).toBe(1);
    expect(processCount({ processes: undefined, databaseUrl: 'postgres://db/p' }, undefined)).toBe(
      availableParallelism(),
    );
    expect(processCount({ processes: 3, databaseUrl: undefined }, undefined)).toBe(3);
    expect(processCount({ processes: 3, databaseUrl: 'postgres://db/p' }, 2)).toBe(2);
  });

  it('refuses a count that is not a whole number from 1 to 256, saying so', async () => {
    const result = await runCli(['serve', '--processes', '0'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('paperboy: --processes must be a whole number from 1 to 256, got 0\n');
  });
});
