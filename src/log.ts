import pino from 'pino';
import type { Config } from './config/config.js';

export type Logger = pino.Logger;

/** Fields that may carry a password or a token, wherever they appear in a logged object (one level down too). */
const SECRET_FIELDS = [
  'secret',
  'password',
  'smtpUrl',
  'databaseUrl',
  'apiKey',
  'token',
  'cookie',
  'set-cookie',
  'authorization',
];
const key = (f: string) => (/^\w+$/.test(f) ? `.${f}` : `["${f}"]`);
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((f) => [key(f).replace(/^\./, ''), `*${key(f)}`, `*.*${key(f)}`]);

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options = { level: config.logLevel, base: undefined, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
