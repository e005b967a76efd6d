import { serve } from '@hono/node-server';
import type { Config } from '../config/config.js';
import { createFetchers } from '../ingest/fetchers.js';
import { createHarvestJob } from '../jobs/harvest-job.js';
import { startSchedules } from '../jobs/schedule.js';
import { createLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { createApp } from '../web/app.js';

/** `paperboy serve`: the web site, plus harvests on the configured schedule (one right away). */
export async function runServe(config: Config, store: Store, opts: { harvest: boolean }): Promise<void> {
  const log = createLogger(config);
  const server = serve({ fetch: createApp(store).fetch, port: config.port, hostname: config.host }, (info) => {
    log.info(`Paperboy is serving ${config.baseUrl} (port ${info.port}, ${store.engine} store)`);
  });

  const papers = await store.countPapers();
  if (papers === 0) {
    log.warn('The store is empty. Import a dump with `npx paperboy import <file>` or wait for the first harvest.');
  }

  let schedules: { stop(): void } | undefined;
  if (opts.harvest && config.sources.length > 0) {
    const harvest = createHarvestJob({ store, config, ...createFetchers(config) }, config.sources, log);
    schedules = startSchedules(config, { harvest }, log);
    void harvest();
  } else {
    log.info('harvesting is off (PAPERBOY_SOURCES=none or --no-harvest)');
  }

  const shutdown = () => {
    log.info('shutting down');
    schedules?.stop();
    server.close(() => void store.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
