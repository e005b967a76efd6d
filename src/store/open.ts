import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { KyselyStore } from './kysely-store.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded SQLite file `<data dir>/paperboy.db`. */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<KyselyStore> {
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl);
  return openSqliteStore(join(config.dataDir, 'paperboy.db'));
}
