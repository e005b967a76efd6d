import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/config.js';
import { createLogger } from '../log.js';

/** Hidden `serve` option given to every process of `--processes N` but the first: the web site only, no schedules. */
export const WEB_ONLY_FLAG = '--web-only';

/**
 * How many web processes `serve` runs: `--processes`, else PAPERBOY_PROCESSES, else one on SQLite (one file, one
 * writer at a time: more processes only add lock waits) and one per core on PostgreSQL.
 */
export function processCount(config: Pick<Config, 'processes' | 'databaseUrl'>, flag: number | undefined): number {
  return flag ?? config.processes ?? (config.databaseUrl ? availableParallelism() : 1);
}

/**
 * `serve --processes N`, the primary: forks N processes that share the port (node:cluster) at once, without opening
 * the store (each migrates it under a lock, one after another, as processes of several machines do); the first also
 * runs the schedules and harvests. A process that dies is started again after a second (longer when it keeps dying);
 * one that ends before it listened (the store cannot be opened) stops them all; SIGTERM or SIGINT stops them all, and
 * the primary ends when they have.
 */
export async function runCluster(config: Config, processes: number): Promise<void> {
  const log = createLogger(config);
  const args = process.argv.slice(2).filter((a) => a !== WEB_ONLY_FLAG);
  const roles = new Map<Worker, boolean>();
  const listened = new Set<Worker>();
  let stopping = false;
  const crashes: number[] = [];

  const fork = (first: boolean) => {
    cluster.setupPrimary({ args: first ? args : [...args, WEB_ONLY_FLAG] });
    roles.set(cluster.fork(), first);
  };
  cluster.on('exit', (worker, code, signal) => {
    const first = roles.get(worker) ?? false;
    roles.delete(worker);
    if (stopping) {
      if (roles.size === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!listened.delete(worker)) {
      log.fatal(`web process ${worker.process.pid} ended before it listened (exit code ${code}): stopping the others`);
      process.exitCode = 1;
      return stop();
    }
    // A process that keeps dying (the database down, a bad deploy) is started again more and more slowly: 1 s after
    // a first crash, doubling with each crash in the last minute, at most 30 s.
    const now = Date.now();
    crashes.push(now);
    while (crashes[0]! < now - 60_000) crashes.shift();
    const delay = Math.min(30_000, 1000 * 2 ** (crashes.length - 1));
    log.error(
      `web process ${worker.process.pid} ended (${signal ?? `exit code ${code}`}); starting another in ${delay / 1000} s${first ? ' (it runs the schedules)' : ''}`,
    );
    setTimeout(() => {
      if (!stopping) fork(first);
    }, delay);
  });
  cluster.on('listening', (worker) => listened.add(worker));
  for (let i = 0; i < processes; i++) fork(i === 0);
  log.info(`serve: ${processes} web processes on port ${config.port} (${config.databaseUrl ? 'postgres' : 'sqlite'})`);

  function stop(): void {
    if (stopping) return;
    stopping = true;
    log.info('stopping the web processes');
    for (const worker of roles.keys()) worker.process.kill('SIGTERM');
    if (roles.size === 0) process.exit(process.exitCode ?? 0);
    setTimeout(() => process.exit(process.exitCode ?? 0), 10_000).unref();
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
