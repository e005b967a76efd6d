import { type Config, ConfigError } from '../config/config.js';
import { addDays, isoDay } from '../model/dates.js';
import type { ParsedEntry } from '../model/record.js';
import { Refusal } from '../model/refusal.js';
import type { Store } from '../store/store.js';
import { fetchArxivByIds, searchArxiv } from './arxiv-api.js';
import { harvestOai, oaiSetForCategory } from './arxiv-oai.js';
import { SourceError } from './errors.js';
import { fetchDailyPapers } from './hf-daily.js';
import type { Fetcher } from './http.js';
import { type ImportCounts, importEntries, zeroCounts } from './importer.js';

/** What every harvester needs: the store, one polite fetcher per remote, the endpoints and a clock. */
export interface HarvestContext {
  store: Store;
  arxivFetcher: Fetcher;
  hfFetcher: Fetcher;
  config: Pick<Config, 'arxivApiUrl' | 'arxivOaiUrl' | 'hfApiUrl'>;
  today?: () => string;
  onReject?: (entry: { position: string; error: string }) => void;
}

/** How far back a first harvest reaches, so that a new site starts with a few days of papers, not all of arXiv. */
export const FIRST_HARVEST_DAYS = 3;
const HF_MAX_DAYS = 7;
/** Days fetched again on every Hugging Face round, so the upvotes of recent papers stay current. */
const HF_REFRESH_DAYS = 3;
/** A finished OAI harvest starts the next one a day earlier: records stamped late are not missed (re-reading is idempotent). */
const OAI_OVERLAP_DAYS = 1;

const todayUtc = () => isoDay(new Date());

function add(total: ImportCounts, counts: ImportCounts): ImportCounts {
  return {
    new: total.new + counts.new,
    updated: total.updated + counts.updated,
    unchanged: total.unchanged + counts.unchanged,
    rejected: total.rejected + counts.rejected,
  };
}

/**
 * Hugging Face daily papers, day by day from the last day harvested (fetched again: its upvotes move) to today,
 * at most a week back.
 */
export async function harvestHfDaily(
  ctx: HarvestContext,
  opts: { date?: string | undefined } = {},
): Promise<ImportCounts> {
  const today = (ctx.today ?? todayUtc)();
  const key = 'hf-daily';
  const last = (await ctx.store.getHarvestState(key))?.state.lastDate;
  const earliest = addDays(today, -HF_MAX_DAYS + 1);
  // Upvotes keep moving for a few days after a paper is featured: fetch the recent days again each round.
  const resumeFrom = typeof last === 'string' ? addDays(last, -(HF_REFRESH_DAYS - 1)) : earliest;
  let day = opts.date ?? (resumeFrom > earliest ? resumeFrom : earliest);
  const until = opts.date ?? today;
  let total = zeroCounts();
  for (; day <= until; day = addDays(day, 1)) {
    const entries = await fetchDailyPapers(ctx.hfFetcher, ctx.config.hfApiUrl, day);
    total = add(total, await importEntries(ctx.store, entries, { onReject: ctx.onReject }));
    if (!opts.date) await ctx.store.setHarvestState(key, { lastDate: day });
  }
  return total;
}

export interface OaiHarvestOptions {
  /** An archive (`cs`, `astro-ph`), a category, or an OAI setSpec; see oaiSetForCategory. */
  set: string;
  /** Keep only papers with one of these categories (arXiv's OAI sets are whole archives such as `cs`). */
  categories?: string[] | undefined;
  from?: string | undefined;
  until?: string | undefined;
}

/**
 * arXiv OAI-PMH, incrementally: each page is stored before the next is asked for, with the resumption token
 * saved beside it, so an interrupted harvest continues where it stopped; a finished one remembers the day to
 * start from next time.
 */
export async function harvestArxivOai(ctx: HarvestContext, opts: OaiHarvestOptions): Promise<ImportCounts> {
  const today = (ctx.today ?? todayUtc)();
  const categories = opts.categories?.length ? new Set(opts.categories) : undefined;
  const key = `arxiv-oai:${opts.set}${categories ? `:${[...categories].sort().join(',')}` : ''}`;
  const saved = (await ctx.store.getHarvestState(key))?.state ?? {};
  const explicit = opts.from !== undefined || opts.until !== undefined;
  const from = opts.from ?? (typeof saved.from === 'string' ? saved.from : addDays(today, -FIRST_HARVEST_DAYS));
  const resumptionToken = !explicit && typeof saved.resumptionToken === 'string' ? saved.resumptionToken : undefined;
  const keep = (entry: ParsedEntry) =>
    !categories || !entry.ok || (entry.record.categories ?? []).some((c) => categories.has(c));

  let total = zeroCounts();
  let pagesStored = 0;
  const run = async (token: string | undefined) => {
    const pages = harvestOai({
      fetcher: ctx.arxivFetcher,
      baseUrl: ctx.config.arxivOaiUrl,
      set: oaiSetForCategory(opts.set),
      from,
      until: opts.until,
      resumptionToken: token,
    });
    for await (const page of pages) {
      total = add(total, await importEntries(ctx.store, page.entries.filter(keep), { onReject: ctx.onReject }));
      if (!explicit) await ctx.store.setHarvestState(key, { from, resumptionToken: page.resumptionToken });
      pagesStored++;
    }
  };
  try {
    await run(resumptionToken);
  } catch (error) {
    // Resumption tokens expire. A saved one the server no longer knows would otherwise fail every harvest from
    // now on: start that harvest again from its from-date instead (papers already stored come back as unchanged).
    const expired =
      resumptionToken !== undefined &&
      pagesStored === 0 &&
      error instanceof SourceError &&
      error.code === 'remote-error' &&
      error.message.includes('badResumptionToken');
    if (!expired) throw error;
    await ctx.store.setHarvestState(key, { from });
    await run(undefined);
  }
  if (!explicit) await ctx.store.setHarvestState(key, { from: addDays(today, -OAI_OVERLAP_DAYS) });
  return total;
}

/** The arXiv API: papers by id, or the results of a search query, page by page. */
export async function harvestArxivApi(
  ctx: HarvestContext,
  opts: { ids?: string[] | undefined; query?: string | undefined; max?: number | undefined },
): Promise<ImportCounts> {
  if (opts.ids?.length) {
    return importEntries(ctx.store, await fetchArxivByIds(ctx.arxivFetcher, ctx.config.arxivApiUrl, opts.ids), {
      onReject: ctx.onReject,
    });
  }
  if (!opts.query) throw new Refusal('invalid', 'arxiv-api needs --id or --query.');
  let total = zeroCounts();
  for await (const page of searchArxiv(ctx.arxivFetcher, ctx.config.arxivApiUrl, opts.query, { max: opts.max })) {
    total = add(total, await importEntries(ctx.store, page.entries, { onReject: ctx.onReject }));
  }
  return total;
}

export interface SourceSpec {
  /** As written in PAPERBOY_SOURCES: `hf-daily`, `arxiv-oai:cs.AI`, `arxiv-api:<query>`. */
  name: string;
  run(ctx: HarvestContext): Promise<ImportCounts>;
}

/**
 * Turns PAPERBOY_SOURCES into harvest jobs. `arxiv-oai:<category>` entries of one archive share one OAI-PMH
 * harvest of that archive's set, filtered to those categories.
 */
export function parseSources(names: readonly string[]): SourceSpec[] {
  const specs: SourceSpec[] = [];
  /** Per archive, the categories to keep; `undefined` once the whole archive was asked for. */
  const oaiByArchive = new Map<string, string[] | undefined>();
  for (const name of names) {
    const [kind, ...rest] = name.split(':');
    const arg = rest.join(':');
    if (kind === 'hf-daily' && !arg) specs.push({ name, run: (ctx) => harvestHfDaily(ctx) });
    else if (kind === 'arxiv-oai' && arg) {
      try {
        oaiSetForCategory(arg);
      } catch (error) {
        throw new ConfigError(
          `Unknown source "${name}" in PAPERBOY_SOURCES: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      // A setSpec (`cs:cs:AI`) is harvested as given; a category joins the harvest of its archive.
      const archive = arg.includes(':') ? arg : arg.split('.')[0]!;
      const whole = arg.includes(':') || !arg.includes('.');
      const list = oaiByArchive.has(archive) ? oaiByArchive.get(archive) : [];
      oaiByArchive.set(archive, whole || list === undefined ? undefined : [...new Set([...list, arg])]);
    } else if (kind === 'arxiv-api' && arg)
      specs.push({ name, run: (ctx) => harvestArxivApi(ctx, { query: arg, max: 200 }) });
    else {
      throw new ConfigError(
        `Unknown source "${name}" in PAPERBOY_SOURCES. Use hf-daily, arxiv-oai:<category or archive> (e.g. arxiv-oai:cs.CL), arxiv-api:<query>, or none.`,
      );
    }
  }
  for (const [archive, categories] of oaiByArchive) {
    specs.push({
      name: `arxiv-oai:${archive}${categories ? ` (${categories.join(', ')})` : ''}`,
      run: (ctx) => harvestArxivOai(ctx, { set: archive, categories }),
    });
  }
  return specs;
}
