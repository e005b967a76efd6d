import cluster from 'node:cluster';
import { Command, CommanderError, Option } from 'commander';
import { type Config, loadConfig } from '../config/config.js';
import { IMPORT_BATCH } from '../ingest/importer.js';
import { Refusal } from '../model/refusal.js';
import { openStore } from '../store/open.js';
import type { OpenedStore } from '../store/store.js';
import { accountsCommand } from './accounts.js';
import { backupCommand, restoreCommand } from './backup.js';
import { processCount, runCluster, WEB_ONLY_FLAG } from './cluster.js';
import { endQuietlyWhenOutputCloses } from './output.js';
import { tokensCommand } from './tokens.js';

async function withStore<T>(fn: (opened: OpenedStore, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const opened = await openStore(config);
  try {
    return await fn(opened, config);
  } finally {
    await opened.store.close();
  }
}

endQuietlyWhenOutputCloses(process.argv[2]);

// Each command loads what it runs when it runs: `paperboy accounts list` does not load the web site (a second).

function wholeNumber(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 256)
      throw new Refusal('invalid', `${option} must be a whole number from 1 to 256, got ${value}`);
    return n;
  };
}

const program = new Command()
  .name('paperboy')
  .description('A self-hostable Daily Papers: ingest papers, serve the site, send digests.')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve the web site and harvest the configured sources on a schedule (PORT, PAPERBOY_SOURCES)')
  .option('--no-harvest', 'serve only; do not harvest')
  .option('--no-digest', 'do not send digests from this process (run `paperboy worker` instead)')
  .addOption(
    new Option(
      '--processes <n>',
      'web processes sharing the port (default PAPERBOY_PROCESSES, else 1 on SQLite and one per core on PostgreSQL)',
    ).argParser(wholeNumber('--processes')),
  )
  .addOption(new Option(WEB_ONLY_FLAG).hideHelp())
  .action(async (opts: { harvest: boolean; digest: boolean; processes?: number; webOnly?: boolean }) => {
    const config = loadConfig();
    const processes = processCount(config, opts.processes);
    if (cluster.isPrimary && processes > 1) return runCluster(config, processes);
    const schedules = opts.webOnly !== true;
    // The store connects while the site's modules load.
    const [site, store] = await Promise.allSettled([import('./serve.js'), openStore(config)]);
    if (site.status === 'rejected') {
      if (store.status === 'fulfilled') await store.value.store.close();
      throw site.reason;
    }
    if (store.status === 'rejected') throw store.reason;
    await site.value.runServe(config, store.value, {
      harvest: opts.harvest && schedules,
      digest: opts.digest && schedules,
      schedules,
    });
  });

program
  .command('worker')
  .description(
    'compose and send the email digests on their schedule, without the web site (SMTP_URL, PAPERBOY_DIGEST_CRON)',
  )
  .action(async () => {
    const config = loadConfig();
    const { runWorker } = await import('./digest.js');
    await runWorker(config, await openStore(config));
  });

program
  .command('digest')
  .description('email digests')
  .command('run')
  .description('compose the digests due now and send the outbox once, then exit')
  .option('--now <time>', 'compose as if it were this time (ISO 8601), e.g. to catch up or to test')
  .action(async (opts: { now?: string }) => {
    const { runDigestOnce } = await import('./digest.js');
    await withStore((opened, config) => runDigestOnce(config, opened, opts));
  });

program
  .command('import')
  .description(
    'import papers from files: JSONL dumps (plain or .gz), arXiv Atom or OAI-PMH XML, HF daily_papers JSON, a saved Daily Papers page',
  )
  .argument('<files...>', 'files to import')
  .option('--strict', 'stop at the first malformed entry instead of reporting and skipping it')
  .addOption(
    new Option('--batch-size <n>', 'papers per transaction')
      .argParser((v) => Number.parseInt(v, 10))
      .default(IMPORT_BATCH),
  )
  .action(async (files: string[], opts: { strict?: boolean; batchSize: number }) => {
    const { runImport } = await import('./import.js');
    await withStore(({ store }) =>
      runImport(store, files, { strict: opts.strict ?? false, batchSize: opts.batchSize }),
    );
  });

program
  .command('ingest')
  .description(
    'fetch papers from a remote source now: hf-daily, arxiv-oai, arxiv-api, or "configured" for every source in PAPERBOY_SOURCES',
  )
  .argument('<source>', 'hf-daily | arxiv-oai | arxiv-api | configured')
  .option('--date <YYYY-MM-DD>', 'hf-daily: the day to fetch (default: since the last harvest, at most a week back)')
  .option('--set <set>', 'arxiv-oai: the OAI-PMH set, e.g. cs', 'cs')
  .option('--category <cats...>', 'arxiv-oai: keep only papers in these categories, e.g. cs.AI cs.CL')
  .option(
    '--from <YYYY-MM-DD>',
    'arxiv-oai: harvest records changed since this day (default: where the last harvest stopped)',
  )
  .option('--until <YYYY-MM-DD>', 'arxiv-oai: up to this day')
  .option('--id <ids...>', 'arxiv-api: arXiv ids or URLs to fetch')
  .option('--query <query>', 'arxiv-api: an arXiv search query, e.g. "cat:cs.CL AND ti:robustness"')
  .addOption(
    new Option('--max <n>', 'arxiv-api: at most this many results')
      .argParser((v) => Number.parseInt(v, 10))
      .default(100),
  )
  .action(async (source: string, opts: Record<string, unknown>) => {
    const { runIngest } = await import('./ingest.js');
    await withStore(({ store }, config) => runIngest(store, config, source, opts));
  });

program
  .command('thumbnails')
  .description(
    "make the missing thumbnails (the PDF's first page) of papers from a day on, newest first, at arXiv's pace; serve does this for the last week on PAPERBOY_THUMBNAILS_CRON",
  )
  .option('--since <YYYY-MM-DD>', 'papers of this feed day and later (default: the last week)')
  .addOption(new Option('--limit <n>', 'at most this many papers').argParser((v) => Number.parseInt(v, 10)))
  .option('--retry', 'try again the papers whose thumbnails failed (broken or encrypted PDFs, repeated errors)')
  .action(async (opts: { since?: string; limit?: number; retry?: boolean }) => {
    const { runThumbnails } = await import('./thumbnails.js');
    await withStore((opened, config) => runThumbnails(config, opened, opts));
  });

program
  .command('stats')
  .description('what the store holds')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { runStats } = await import('./stats.js');
    await withStore(({ store }) => runStats(store, opts.json ?? false));
  });

program
  .command('refit')
  .description(
    'fit the semantic search model again on every paper and store the vectors (running servers load it within seconds)',
  )
  .action(() =>
    withStore(async ({ store, db }, config) => {
      const [{ createSearchService }, { embedderFromConfig }] = await Promise.all([
        import('../search/search.js'),
        import('../search/embedders.js'),
      ]);
      const search = await createSearchService(store, db, { embedder: embedderFromConfig(config) });
      try {
        const { documents, ms } = await search.refit();
        console.log(`refitted the search model on ${documents} papers in ${(ms / 1000).toFixed(1)} s`);
      } finally {
        search.close();
      }
    }),
  );

program
  .command('embed')
  .description(
    'embed every paper that has no vector of the PAPERBOY_EMBEDDER model yet (serve does it in the background after a switch), with a progress bar; resumes where a stopped run was',
  )
  .action(async () => {
    const { runEmbed } = await import('./embed.js');
    await withStore((opened, config) => runEmbed(config, opened));
  });

program.addCommand(accountsCommand(withStore));
program.addCommand(tokensCommand(withStore));
program.addCommand(backupCommand());
program.addCommand(restoreCommand());

program
  .command('migrate')
  .description('create or upgrade the database schema, then exit')
  .action(() =>
    withStore(async ({ store }) => {
      const stats = await store.stats();
      console.log(`${stats.engine} store at schema version ${stats.schemaVersion}`);
    }),
  );

// A refusal (bad input, configuration or source, a rule the command broke) ends the command with its message alone,
// which says what to do; anything else is a bug and keeps its stack.
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const refused = error instanceof Refusal || error instanceof CommanderError;
  console.error(
    `paperboy: ${refused ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
  // A web process of `serve --processes N` stays alive through its channel to the primary: it must end for the
  // primary to see that it did not start.
  if (cluster.isWorker) process.exit(1);
}
