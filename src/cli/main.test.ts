import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

const STACK = /\n\s+at /;

describe('paperboy tells refusals from bugs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends a refused command with its message alone', async () => {
    const result = await runCli(['ingest', 'nowhere'], { PAPERBOY_DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'paperboy: Unknown source "nowhere". Use hf-daily, arxiv-oai, arxiv-api or configured.\n',
    );
  });

  it('ends with the message of a configuration refusal', async () => {
    const result = await runCli(['stats'], { PAPERBOY_DATA_DIR: dir, PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^paperboy: Invalid configuration in the environment:\n {2}PORT: /);
    expect(result.stderr).not.toMatch(STACK);
  });

  it('keeps the stack of anything else', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, '');
    const result = await runCli(['stats'], { PAPERBOY_DATA_DIR: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(STACK);
  });
});
