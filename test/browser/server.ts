import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { root } from '../cli.js';

const bin = fileURLToPath(new URL('../../bin/paperboy.js', import.meta.url));

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:40123 */
  url: string;
  pid: number;
  /** Everything it printed so far (pino JSON lines on stdout, anything else on stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not ended within `graceMs`; resolves when it has ended. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the real `paperboy serve` on a port the system picks (PORT=0), harvesting nothing, and resolves once it logs
 * the address it listens on and /readyz says its search index is ready. `env` names the store (PAPERBOY_DATA_DIR or DATABASE_URL) and anything else to set.
 */
export async function startServer(
  env: Record<string, string>,
  opts: { timeoutMs?: number; nodeArgs?: string[]; args?: string[]; waitReady?: boolean } = {},
): Promise<RunningServer> {
  // Spawned here rather than by test/cli.ts's startCli to pass options to node itself (--cpu-prof is refused in NODE_OPTIONS).
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bin, 'serve', ...(opts.args ?? [])], {
    cwd: root,
    // One web process unless the test asks for more (the default on PostgreSQL is one per core).
    env: { ...process.env, PORT: '0', PAPERBOY_SOURCES: 'none', LOG_LEVEL: 'info', PAPERBOY_PROCESSES: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (graceMs = 5000) => {
    if (ended()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await result;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/[^\s;"]+)/.exec(out);
      if (m) finish(() => resolve(m[1]!));
      else if (ended()) finish(() => reject(new Error(`paperboy serve ended before listening:\n${out}`)));
    };
    const timer = setTimeout(
      () =>
        finish(() => reject(new Error(`paperboy serve did not listen within ${opts.timeoutMs ?? 60_000} ms:\n${out}`))),
      opts.timeoutMs ?? 60_000,
    );
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('close', check);
      fn();
    };
    child.stdout!.on('data', check);
    child.on('close', check);
    check();
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  // serve listens before its search index is built (searches answer from the database meanwhile): tests that search
  // expect the full search, so wait for /readyz.
  while (opts.waitReady !== false) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (ended()) throw new Error(`paperboy serve ended before it was ready:\n${out}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  return { url, pid: child.pid!, output: () => out, stop };
}
