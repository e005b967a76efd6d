import { SourceError } from '../ingest/errors.js';
import { type HarvestContext, parseSources } from '../ingest/harvest.js';
import { type HarvestReport, harvestFailure, saveHarvestReport } from '../ingest/harvest-report.js';
import { formatCounts } from '../ingest/importer.js';
import type { Logger } from '../log.js';

/**
 * One harvest of every configured source. A source that fails does not stop the others. Being offline is said
 * once (and again only after a harvest has succeeded in between), so a laptop without network keeps a quiet log.
 * Every round records which sources failed and why (src/ingest/harvest-report.ts), for the empty front page.
 */
export function createHarvestJob(
  ctx: HarvestContext,
  sources: readonly string[],
  log: Logger,
): (signal?: AbortSignal) => Promise<void> {
  const specs = parseSources(sources);
  const offlineSaid = new Set<string>();
  let running = false;
  let round = 0;
  return async (signal) => {
    if (running) {
      log.warn('the previous harvest is still running; skipping this one');
      return;
    }
    running = true;
    round++;
    const started = Date.now();
    const failures: HarvestReport['failures'] = [];
    try {
      for (const spec of specs) {
        if (signal?.aborted) break;
        try {
          const counts = await spec.run(ctx);
          offlineSaid.delete(spec.name);
          log.info({ source: spec.name, ...counts }, `harvested ${spec.name}: ${formatCounts(counts)}`);
        } catch (error) {
          failures.push(harvestFailure(spec.name, error));
          if (error instanceof SourceError && error.code === 'offline') {
            if (!offlineSaid.has(spec.name)) {
              offlineSaid.add(spec.name);
              log.warn(
                { source: spec.name },
                `offline: ${spec.name}: ${error.message} Paperboy keeps serving the papers it has and will try again at the next harvest.`,
              );
            }
          } else {
            log.error(
              { source: spec.name, err: error },
              `harvest of ${spec.name} failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      }
      // A run another process took over leaves the report to it: this one did not try every source.
      if (signal?.aborted) return;
      // For the front page of a store that is still empty: it says why no papers came.
      await saveHarvestReport(ctx.store, { at: new Date(started).toISOString(), failures }).catch((error) =>
        log.error(
          { err: error },
          `could not record the harvest's outcome: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    } finally {
      running = false;
      log.debug({ round, ms: Date.now() - started }, `harvest round ${round} done`);
    }
  };
}
