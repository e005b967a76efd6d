/**
 * How much longer `render` takes on an input four times as long: about 4 when its work is linear in the input, 16
 * when quadratic. Each size is timed in CPU time of this process (not the wall clock, which a busy machine stretches)
 * as the best of a few samples, the two sizes taking turns, each sample repeating the call for at least 20 ms.
 * A call that takes over a second is its own answer.
 * Keep `4 * n` within what the renderer is given in use: beyond ~20,000 characters markdown-it's many small tokens
 * outgrow V8's young generation, and garbage collection alone makes the ratio wander up to 8.
 */
export function growth(render: (input: string) => unknown, make: (n: number) => string, n: number): number {
  const small = make(n);
  const large = make(4 * n);
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let sample = 0; sample < 5; sample++) {
    bestSmall = Math.min(bestSmall, timeOnce(render, small));
    const t = timeOnce(render, large);
    if (t > 1000) return t / bestSmall;
    bestLarge = Math.min(bestLarge, t);
  }
  return bestLarge / bestSmall;
}

/** Milliseconds of CPU time per call, over calls repeated for at least 20 ms of CPU time. */
function timeOnce(render: (input: string) => unknown, input: string): number {
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const start = cpuMs();
  let calls = 0;
  let elapsed = 0;
  do {
    render(input);
    calls++;
    elapsed = cpuMs() - start;
  } while (elapsed < 20);
  return elapsed / calls;
}

/** A seeded pseudo-random text over `alphabet`: the same seed gives the same text, and a shorter one is a prefix. */
export function seededText(seed: number, alphabet: readonly string[]): (n: number) => string {
  return (n) => {
    let state = seed >>> 0;
    let text = '';
    while (text.length < n) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      text += alphabet[state % alphabet.length];
    }
    return text.slice(0, n);
  };
}

/** Repeats `unit` up to length n. */
export const run = (unit: string) => (n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
