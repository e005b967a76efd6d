import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { OpenedStore } from './store.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded SQLite file `<data dir>/paperboy.db`. */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<OpenedStore> {
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl);
  return openSqliteStore(join(config.dataDir, 'paperboy.db'));
}
