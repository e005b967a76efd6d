import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const shared = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const bin = fileURLToPath(new URL('../bin/paperboy.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the real `paperboy` program with the given arguments and environment. */
export function startCli(args: string[], env: Record<string, string>): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', PAPERBOY_SOURCES: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return Object.assign(child, { result });
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).result;
}

/** The summary line `paperboy import` ends with, as numbers. */
export function importLine(
  stdout: string,
): { new: number; updated: number; unchanged: number; rejected: number } | undefined {
  const m = /^imported: (\d+) new, (\d+) updated, (\d+) unchanged, (\d+) rejected$/m.exec(stdout);
  if (!m) return undefined;
  return { new: Number(m[1]), updated: Number(m[2]), unchanged: Number(m[3]), rejected: Number(m[4]) };
}
