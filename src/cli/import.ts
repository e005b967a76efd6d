import { openImportFile } from '../ingest/import-file.js';
import { formatCounts, type ImportCounts, importEntries, zeroCounts } from '../ingest/importer.js';
import type { Store } from '../store/store.js';
import { createProgress } from './progress.js';

const MAX_REJECTS_SHOWN = 20;

/** `paperboy import`: each file in turn, then one summary line (the interface scripts rely on). */
/** Papers new or changed from which an import refreshes the query planner's statistics at its end. */
const STATISTICS_AFTER = 1000;

export async function runImport(
  store: Store,
  files: string[],
  opts: { strict: boolean; batchSize: number },
): Promise<ImportCounts> {
  const total = zeroCounts();
  let shown = 0;
  for (const path of files) {
    const file = await openImportFile(path);
    const size = file.countEntries ? await file.countEntries() : undefined;
    const progress = createProgress(path, size);
    try {
      const counts = await importEntries(store, file.entries(), {
        checkpointKey: file.checkpointKey,
        strict: opts.strict,
        batchSize: opts.batchSize,
        progress,
        onResume: (position, before) => {
          progress.resumedAt(position);
          progress.log(`${path}: resuming an interrupted import after entry ${position} (${before.new} new so far)`);
        },
        onReject: (entry) => {
          if (shown++ < MAX_REJECTS_SHOWN) progress.log(`${path}: rejected ${entry.error}`);
        },
      });
      for (const k of Object.keys(total) as (keyof ImportCounts)[]) total[k] += counts[k];
    } finally {
      progress.stop();
    }
  }
  if (shown > MAX_REJECTS_SHOWN) console.error(`... and ${shown - MAX_REJECTS_SHOWN} more rejected entries`);
  if (total.new + total.updated >= STATISTICS_AFTER) await store.refreshStatistics();
  console.log(formatCounts(total));
  return total;
}
