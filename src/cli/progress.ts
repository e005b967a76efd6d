import cliProgress from 'cli-progress';
import type { ImportCounts, ImportProgress } from '../ingest/importer.js';

export interface ProgressReporter extends ImportProgress {
  stop(): void;
}

/**
 * A bar with papers/s and ETA on a terminal; elsewhere (CI, logs, pipes) a plain line every few seconds.
 * `total` is the number of entries when known (lines of a dump), which gives the ETA.
 */
export function createProgress(
  label: string,
  total: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  const started = Date.now();
  const rate = (done: number) => done / Math.max((Date.now() - started) / 1000, 0.001);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} papers/s | ETA {eta_formatted} | {new} new, {updated} updated`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { rate: 0, new: 0, updated: 0 });
    return {
      update(done: number, counts: ImportCounts) {
        if (total === undefined || done > total) bar.setTotal(done);
        bar.update(done, { rate: Math.round(rate(done)), new: counts.new, updated: counts.updated });
      },
      stop: () => bar.stop(),
    };
  }
  let lastPrinted = started;
  return {
    update(done: number, counts: ImportCounts) {
      const now = Date.now();
      if (now - lastPrinted < 5000) return;
      lastPrinted = now;
      const r = rate(done);
      const eta = total && r > 0 ? ` ETA ${Math.max(0, Math.round((total - done) / r))}s` : '';
      const of = total ? `/${total}` : '';
      stream.write(
        `${label}: ${done}${of} entries, ${Math.round(r)} papers/s, ${counts.new} new, ${counts.updated} updated${eta}\n`,
      );
    },
    stop: () => {},
  };
}
