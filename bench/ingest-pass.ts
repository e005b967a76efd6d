// One timed import in its own process, so that its peak memory is its own. Prints one JSON line.

import { loadConfig } from '../src/config/config.js';
import { openImportFile } from '../src/ingest/import-file.js';
import { importEntries } from '../src/ingest/importer.js';
import { openStore } from '../src/store/open.js';

const file = process.argv[2];
if (!file) throw new Error('usage: ingest-pass <file>');
const { store } = await openStore(loadConfig());
const started = performance.now();
const source = await openImportFile(file);
const counts = await importEntries(store, source.entries(), { checkpointKey: source.checkpointKey });
const seconds = (performance.now() - started) / 1000;
await store.close();
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    counts,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
