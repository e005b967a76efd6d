import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { zeroCounts } from '../ingest/importer.js';
import { createProgress, type ProgressStream } from './progress.js';

/** A terminal (or not) that keeps what is written; `screen()` is what a person sees, line by line. */
function terminal(isTTY: boolean) {
  let written = '';
  const stream: ProgressStream = {
    isTTY,
    columns: 200,
    write: (chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    },
  };
  const screen = () =>
    written.split('\n').map((line) => {
      // Each redraw returns to the line's start and clears it: what stays is after the last one.
      const parts = line.split('\r\u001b[2K');
      return parts[parts.length - 1]!;
    });
  return { stream, screen, written: () => written };
}

const counts = (n: number) => ({ ...zeroCounts(), new: n });

describe('the import progress bar', () => {
  let t = 0;
  const clock = () => t;
  beforeEach(() => {
    t = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('prints "resuming after entry N" and rejections on lines of their own, above the bar', () => {
    const tty = terminal(true);
    const progress = createProgress('corpus.jsonl.gz', 74728, tty.stream, clock);
    progress.resumedAt(36000);
    progress.log('corpus.jsonl.gz: resuming an interrupted import after entry 36000 (36000 new so far)');
    t = 1000;
    progress.update(37000, counts(37000));
    progress.log('corpus.jsonl.gz: rejected line 37001: no title');
    progress.stop();
    const lines = tty.screen();
    expect(lines[0]).toBe('corpus.jsonl.gz: resuming an interrupted import after entry 36000 (36000 new so far)');
    expect(lines[1]).toBe('corpus.jsonl.gz: rejected line 37001: no title');
    expect(lines[2]).toMatch(/^corpus\.jsonl\.gz \[█+░+\] 49% \| 37000\/74728 \| 1000 papers\/s \| ETA 38s/);
    expect(lines).toHaveLength(4);
  });

  it('counts only what this run imported in papers/s, and its ETA moves: down with each batch and between them', () => {
    const tty = terminal(true);
    const progress = createProgress('dump', 74728, tty.stream, clock);
    progress.resumedAt(36000);
    const etas: string[] = [];
    const eta = () => etas.push(/ETA (\S+)/.exec(tty.screen().at(-1)!)![1]!);
    for (let batch = 1; batch <= 5; batch++) {
      t = batch * 2000;
      progress.update(36000 + batch * 1000, counts(36000 + batch * 1000));
      eta();
    }
    expect(tty.screen().at(-1)).toContain('| 500 papers/s |');
    // 2 s per 1000 entries: 37728 left after the first batch, 33728 after the fifth.
    expect(etas).toEqual(['1m15s', '1m13s', '1m11s', '1m09s', '1m07s']);
    // A slow batch: the bar is drawn again every second, the ETA counting down.
    t += 1000;
    vi.advanceTimersByTime(1000);
    eta();
    t += 1000;
    vi.advanceTimersByTime(1000);
    eta();
    expect(etas.slice(5)).toEqual(['1m06s', '1m05s']);
    progress.stop();
  });

  it("follows the import's speed: a slow first batch (a resumed import skipping what it did) soon stops counting", () => {
    const tty = terminal(true);
    const progress = createProgress('dump', 100000, tty.stream, clock);
    progress.resumedAt(65000);
    t = 12000;
    progress.update(66000, counts(66000));
    expect(tty.screen().at(-1)).toContain('| 83 papers/s |');
    for (let batch = 1; batch <= 10; batch++) {
      t += 1000;
      progress.update(66000 + batch * 1000, counts(66000 + batch * 1000));
    }
    expect(tty.screen().at(-1)).toMatch(/\| 1000 papers\/s \| ETA 24s \|/);
    progress.stop();
  });

  it('prints plain lines elsewhere, with the speed of this run', () => {
    const pipe = terminal(false);
    const progress = createProgress('dump', 10000, pipe.stream, clock);
    progress.resumedAt(5000);
    progress.log('dump: resuming an interrupted import after entry 5000 (5000 new so far)');
    t = 6000;
    progress.update(8000, counts(8000));
    progress.stop();
    expect(pipe.written()).toBe(
      'dump: resuming an interrupted import after entry 5000 (5000 new so far)\n' +
        'dump: 8000/10000 entries, 500 papers/s, 8000 new, 0 updated ETA 4s\n',
    );
  });
});
