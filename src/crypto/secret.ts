import { randomBytes } from 'node:crypto';
import { type Config, ConfigError } from '../config/config.js';
import type { Logger } from '../log.js';

/**
 * The secret that signs preference and unsubscribe links and form tokens. PAPERBOY_SECRET when set. Otherwise, in
 * development, one is generated once and kept in the store by `keep` (which answers the secret already kept, if
 * any, so every process on that store, and links already mailed, keep working) with a warning; in production
 * (NODE_ENV=production) a missing secret stops the program.
 */
export async function resolveSecret(
  config: Pick<Config, 'production' | 'mail'>,
  keep: (fresh: string) => Promise<string>,
  log?: Logger,
): Promise<string> {
  if (config.mail.secret) return config.mail.secret;
  if (config.production) {
    throw new ConfigError(
      'PAPERBOY_SECRET is not set. In production it must be: set it to a long random string, e.g. `openssl rand -hex 32`.',
    );
  }
  const kept = await keep(randomBytes(32).toString('hex'));
  log?.warn(
    'PAPERBOY_SECRET is not set: using a secret generated and kept in the store. Set PAPERBOY_SECRET in production.',
  );
  return kept;
}
