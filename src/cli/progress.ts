import type { ImportCounts } from '../ingest/importer.js';

/** Progress of a long command over papers: an import (ImportCounts by default), a thumbnail back-fill. */
export interface ProgressReporter<C = ImportCounts> {
  update(done: number, counts: C): void;
  /** A line for whoever watches (a resumed import, a rejected entry): above the bar on a terminal, never over it. */
  log(line: string): void;
  /** An earlier run committed the first `done` entries: the bar starts there, and they do not count in the speed. */
  resumedAt(done: number): void;
  stop(): void;
}

/** Where progress is drawn: standard error, or a test's stand-in. */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

const BAR_WIDTH = 30;
/** The speed (and so the ETA) is that of the last this many batches: a resumed import's skipping soon leaves it. */
const SPEED_BATCHES = 10;
/** How often a terminal's bar is drawn again between batches, so that the ETA counts down. */
const REDRAW_MS = 1000;

/**
 * A bar with papers/s and ETA on a terminal; elsewhere (CI, logs, pipes) a plain line every few seconds.
 * `total` is the number of entries when known (lines of a dump), which gives the ETA. Speed and ETA are those of
 * the last few batches this run imported: not of entries a resumed import skipped, nor of a slow start.
 */
export function createProgress<C = ImportCounts>(
  label: string,
  total: number | undefined,
  stream: ProgressStream = process.stderr,
  now: () => number = () => performance.now(),
  /** What the counts say at the end of the line. */
  summary: (counts: C) => string = importSummary as (counts: C) => string,
): ProgressReporter<C> {
  const started = now();
  let done = 0;
  let counts: C | undefined;
  /** Seconds left as of the last batch, and when that was. */
  let eta: { seconds: number; at: number } | undefined;
  /** When the last few batches ended and how far they had come: the speed is theirs, so it follows the import's. */
  let recent: { at: number; done: number }[] = [{ at: started, done: 0 }];
  const rate = () => {
    const first = recent[0]!;
    const last = recent[recent.length - 1]!;
    return (last.done - first.done) / Math.max((last.at - first.at) / 1000, 0.001);
  };

  const record = (value: number, latest: C) => {
    done = value;
    counts = latest;
    recent = [...recent.slice(-(SPEED_BATCHES - 1)), { at: now(), done }];
    const r = rate();
    eta = total !== undefined && r > 0 ? { seconds: Math.max(0, total - done) / r, at: now() } : undefined;
  };
  const resumedAt = (value: number) => {
    done = value;
    recent = [{ at: now(), done }];
  };

  if (stream.isTTY) {
    let drawn = false;
    const line = () => {
      const of = Math.max(total ?? done, done);
      const share = of > 0 ? done / of : 0;
      const filled = Math.round(share * BAR_WIDTH);
      const left = eta ? Math.max(0, eta.seconds - (now() - eta.at) / 1000) : undefined;
      const text =
        `${label} [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}% | ${done}/${of}` +
        ` | ${Math.round(rate())} papers/s | ETA ${left === undefined ? '…' : duration(left)}` +
        (counts === undefined ? '' : ` | ${summary(counts)}`);
      // A line longer than the terminal wraps, and the carriage return would then redraw only its last part.
      return stream.columns && text.length >= stream.columns ? `${text.slice(0, stream.columns - 2)}…` : text;
    };
    const draw = () => {
      stream.write(`\r\u001b[2K${line()}`);
      drawn = true;
    };
    const timer = setInterval(() => drawn && draw(), REDRAW_MS);
    timer.unref();
    return {
      update(value, latest) {
        record(value, latest);
        draw();
      },
      log(message) {
        stream.write(`\r\u001b[2K${message}\n`);
        if (drawn) draw();
      },
      resumedAt,
      stop() {
        clearInterval(timer);
        if (drawn) stream.write('\n');
      },
    };
  }

  let lastPrinted = started;
  return {
    update(value, latest) {
      record(value, latest);
      const t = now();
      if (t - lastPrinted < 5000) return;
      lastPrinted = t;
      const of = total ? `/${total}` : '';
      stream.write(
        `${label}: ${done}${of} entries, ${Math.round(rate())} papers/s, ${summary(latest)}` +
          `${eta ? ` ETA ${duration(eta.seconds)}` : ''}\n`,
      );
    },
    log: (message) => stream.write(`${message}\n`),
    resumedAt,
    stop: () => {},
  };
}

const importSummary = (counts: ImportCounts) => `${counts.new} new, ${counts.updated} updated`;

/** Seconds as 45s, 3m05s or 1h20m. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
