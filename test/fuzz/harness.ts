import fc from 'fast-check';

/** One thing to fuzz: how to make inputs, and a check that throws when a property does not hold for one. */
export interface Target<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  check(input: T): unknown;
  /** Resources the checks share (a store, a database), opened once per run. */
  open?(): Promise<void>;
  close?(): Promise<void>;
  /** Untimed work before each input (a target that accumulates state can start over now and then). */
  prepare?(): Promise<void>;
}

export const target = <T>(t: Target<T>): Target => t as Target;

/**
 * An input that takes more CPU time than this is a hang. CPU time of this process, not the clock's: a busy machine
 * (other tests, other processes) does not make a fast input look slow, while a loop in our code still shows.
 */
export const HANG_MS = 100;

export interface FuzzResult {
  target: string;
  inputs: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  p99Ms: number;
  seed: number;
  /** The first failure, shrunk by fast-check to a minimal input, with its error. */
  counterexample?: string;
}

/**
 * Runs `runs` inputs through a target and times each. An input over HANG_MS is timed twice more and keeps its best
 * time, so that a garbage collection or a busy neighbour does not count as a hang but a slow input does. Crashes are
 * counted over the whole run; the first one (or the first hang) is then found again and shrunk.
 */
export async function fuzz(t: Target, opts: { runs: number; seed: number }): Promise<FuzzResult> {
  await t.open?.();
  try {
    for (const input of fc.sample(t.arbitrary, { numRuns: 10, seed: opts.seed ^ 0x5eed })) await settle(t, input);
    const times: number[] = [];
    let crashes = 0;
    let hangs = 0;
    await fc.check(
      fc.asyncProperty(t.arbitrary, async (input) => {
        const { ms, error } = await timed(t, input);
        if (error !== undefined) crashes++;
        const best = ms > HANG_MS && error === undefined ? await bestTime(t, input, ms) : ms;
        if (best > HANG_MS) hangs++;
        times.push(best);
        return true;
      }),
      { numRuns: opts.runs, seed: opts.seed },
    );
    times.sort((a, b) => a - b);
    const result: FuzzResult = {
      target: t.name,
      inputs: times.length,
      crashes,
      hangs,
      seed: opts.seed,
      maxMs: times.at(-1) ?? 0,
      p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0,
    };
    if (crashes + hangs > 0) result.counterexample = await shrink(t, opts, crashes > 0);
    return result;
  } finally {
    await t.close?.();
  }
}

async function timed(t: Target, input: unknown): Promise<{ ms: number; error?: unknown }> {
  await t.prepare?.();
  const start = process.cpuUsage();
  const ms = () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  try {
    await t.check(input);
    return { ms: ms() };
  } catch (error) {
    return { ms: ms(), error: error ?? new Error(String(error)) };
  }
}

async function settle(t: Target, input: unknown): Promise<void> {
  await timed(t, input);
}

async function bestTime(t: Target, input: unknown, first: number): Promise<number> {
  let best = first;
  for (let i = 0; i < 2 && best > HANG_MS; i++) best = Math.min(best, (await timed(t, input)).ms);
  return best;
}

/** The same run again, failing at the first crash (or, when there was none, hang), which fast-check then shrinks. */
async function shrink(t: Target, opts: { runs: number; seed: number }, crashes: boolean): Promise<string> {
  const details = await fc.check(
    fc.asyncProperty(t.arbitrary, async (input) => {
      const { ms, error } = await timed(t, input);
      if (error !== undefined) throw error;
      if (!crashes && ms > HANG_MS && (await bestTime(t, input, ms)) > HANG_MS)
        throw new Error(`took ${ms.toFixed(0)} ms`);
    }),
    { numRuns: opts.runs, seed: opts.seed },
  );
  if (!details.failed) return '(not reproduced)';
  const error =
    details.errorInstance instanceof Error
      ? (details.errorInstance.stack ?? details.errorInstance.message)
      : String(details.errorInstance);
  return `${show(details.counterexample?.[0])}\n${error}`;
}

/** An input as a JS literal, with every invisible or non-ASCII character escaped. */
export function show(value: unknown): string {
  const json =
    JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(value);
  const escaped = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 4000 ? `${escaped.slice(0, 4000)}… (${escaped.length} characters)` : escaped;
}

export function table(results: FuzzResult[]): string {
  const rows = [['target', 'inputs', 'crashes', `hangs (>${HANG_MS} ms CPU)`, 'max CPU ms', 'p99 CPU ms', 'seed']];
  for (const r of results) {
    rows.push([
      r.target,
      String(r.inputs),
      String(r.crashes),
      String(r.hangs),
      r.maxMs.toFixed(1),
      r.p99Ms.toFixed(1),
      String(r.seed),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}
