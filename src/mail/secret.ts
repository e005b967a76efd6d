import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../config/config.js';
import type { Logger } from '../log.js';
import type { KyselyStore } from '../store/kysely-store.js';

const NAME = 'signing-secret';

/**
 * The secret that signs preference and unsubscribe links and form tokens. PAPERBOY_SECRET when set. Otherwise, in
 * development, one is generated once and kept in the store (so every process on that store, and links already
 * mailed, keep working) with a warning; in production (NODE_ENV=production) a missing secret stops the program.
 */
export async function resolveSecret(config: Pick<Config, 'production' | 'mail'>, store: KyselyStore, log?: Logger): Promise<string> {
  if (config.mail.secret) return config.mail.secret;
  if (config.production) {
    throw new ConfigError('PAPERBOY_SECRET is not set. In production it must be: set it to a long random string, e.g. `openssl rand -hex 32`.');
  }
  const db = store.kysely;
  const value = randomBytes(32).toString('hex');
  await db.insertInto('app_secrets').values({ name: NAME, value, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('app_secrets').select('value').where('name', '=', NAME).executeTakeFirstOrThrow();
  log?.warn('PAPERBOY_SECRET is not set: using a secret generated and kept in the store. Set PAPERBOY_SECRET in production.');
  return row.value;
}
