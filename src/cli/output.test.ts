import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../../test/cli.js';

describe('paperboy writing to a pipe its reader closed', () => {
  it('ends quietly with success (`paperboy stats | head -1`)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-epipe-'));
    try {
      const child = startCli(['stats'], { PAPERBOY_DATA_DIR: dir });
      // The reader goes away before the first line is written: every write finds the pipe closed.
      child.stdout?.destroy();
      const result = await child.result;
      expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
