import type { Config } from '../config/config.js';
import { createFetchers } from '../ingest/fetchers.js';
import {
  type HarvestContext,
  harvestArxivApi,
  harvestArxivOai,
  harvestHfDaily,
  parseSources,
} from '../ingest/harvest.js';
import { formatCounts, type ImportCounts, zeroCounts } from '../ingest/importer.js';
import { Refusal } from '../model/refusal.js';
import type { Store } from '../store/store.js';

/** `paperboy ingest <source>`: one harvest now, in the foreground, ending with the import summary line. */
export async function runIngest(
  store: Store,
  config: Config,
  source: string,
  opts: Record<string, unknown>,
): Promise<void> {
  const ctx: HarvestContext = {
    store,
    config,
    ...createFetchers(config),
    onReject: (entry) => console.error(`${source}: rejected ${entry.error}`),
  };
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(opts[k]) ? (opts[k] as string[]) : undefined);
  let counts: ImportCounts;
  switch (source) {
    case 'hf-daily':
      counts = await harvestHfDaily(ctx, { date: str('date') });
      break;
    case 'arxiv-oai':
      counts = await harvestArxivOai(ctx, {
        set: str('set') ?? 'cs',
        categories: list('category'),
        from: str('from'),
        until: str('until'),
      });
      break;
    case 'arxiv-api':
      counts = await harvestArxivApi(ctx, {
        ids: list('id'),
        query: str('query'),
        max: typeof opts.max === 'number' ? opts.max : undefined,
      });
      break;
    case 'configured': {
      counts = zeroCounts();
      for (const spec of parseSources(config.sources)) {
        console.error(`harvesting ${spec.name} ...`);
        const c = await spec.run(ctx);
        console.error(`${spec.name}: ${formatCounts(c)}`);
        for (const k of Object.keys(counts) as (keyof ImportCounts)[]) counts[k] += c[k];
      }
      break;
    }
    default:
      throw new Refusal('invalid', `Unknown source "${source}". Use hf-daily, arxiv-oai, arxiv-api or configured.`);
  }
  console.log(formatCounts(counts));
}
