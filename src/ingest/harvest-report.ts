import type { Store } from '../store/store.js';
import { SourceError } from './errors.js';

/** How the last harvest round went: when it ran, and each source it could not fetch from, with why. */
export interface HarvestReport {
  at: string;
  failures: { source: string; offline: boolean; message: string }[];
}

/** Its row in harvest_state, beside the sources' own cursors (whose keys are source names). */
const KEY = 'last-harvest';

/** Written by the harvest job after every round (src/jobs/harvest.ts); read by the empty front page. */
export async function saveHarvestReport(store: Store, report: HarvestReport): Promise<void> {
  await store.setHarvestState(KEY, { ...report });
}

export async function lastHarvestReport(store: Store): Promise<HarvestReport | undefined> {
  const state = (await store.getHarvestState(KEY))?.state;
  if (typeof state?.at !== 'string' || !Array.isArray(state.failures)) return undefined;
  const failures = (state.failures as unknown[]).flatMap((f) => {
    const { source, offline, message } = (f ?? {}) as Record<string, unknown>;
    return typeof source === 'string' && typeof message === 'string'
      ? [{ source, offline: offline === true, message }]
      : [];
  });
  return { at: state.at, failures };
}

/** A failed source as the report keeps it. */
export function harvestFailure(source: string, error: unknown): HarvestReport['failures'][number] {
  return {
    source,
    offline: error instanceof SourceError && error.code === 'offline',
    message: error instanceof Error ? error.message : String(error),
  };
}
