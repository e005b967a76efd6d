import type { Store } from '../store/store.js';

export async function runStats(store: Store, json: boolean): Promise<void> {
  const stats = await store.stats();
  if (json) {
    console.log(JSON.stringify(stats, null, 2));
    return;
  }
  console.log(`engine:        ${stats.engine} (schema version ${stats.schemaVersion})`);
  console.log(`papers:        ${stats.papers}`);
  console.log(`versions:      ${stats.versions}`);
  console.log(`with code:     ${stats.withCode}`);
  console.log(`newest listed: ${stats.newestListedOn ?? '-'}`);
  for (const [source, n] of Object.entries(stats.bySource)) console.log(`from ${source.padEnd(10)} ${n}`);
  if (stats.papers === 0) {
    console.log(
      '\nThe store is empty. Import a dump (npx paperboy import <file>) or fetch papers (npx paperboy ingest configured).',
    );
  }
}
