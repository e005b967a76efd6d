/**
 * How much longer `render` takes on an input four times as long: about 4 when its work is linear in the input, 16
 * when quadratic. Each size is timed as the best of a few samples, each sample repeating the call for at least
 * 20 ms, so that a busy machine rarely skews the figure. A call that takes over a second is its own answer.
 * Keep `4 * n` within what the renderer is given in use: beyond ~20,000 characters markdown-it's many small tokens
 * outgrow V8's young generation, and garbage collection alone makes the ratio wander up to 8.
 */
export function growth(render: (input: string) => unknown, make: (n: number) => string, n: number): number {
  const small = bestTime(render, make(n));
  return bestTime(render, make(4 * n)) / small;
}

function bestTime(render: (input: string) => unknown, input: string): number {
  let best = Infinity;
  for (let sample = 0; sample < 5; sample++) {
    const start = performance.now();
    let calls = 0;
    let elapsed = 0;
    do {
      render(input);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < 20);
    if (calls === 1 && elapsed > 1000) return elapsed;
    best = Math.min(best, elapsed / calls);
  }
  return best;
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
