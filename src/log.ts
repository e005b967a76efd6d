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

/** Where log lines go: standard output unless a test gives another. A terminal gets readable lines. */
export type LogDestination = pino.DestinationStream & { isTTY?: boolean };

/**
 * The process's logger. On a terminal (or with LOG_FORMAT=pretty) each entry is one readable line (`prettyLine`);
 * otherwise (or with LOG_FORMAT=json) pino's JSON lines, for a log collector.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>,
  destination?: LogDestination,
): Logger {
  const options = { level: config.logLevel, base: undefined, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  const out: LogDestination = destination ?? process.stdout;
  const format = config.logFormat ?? 'auto';
  if (format === 'pretty' || (format === 'auto' && out.isTTY === true)) {
    const colors = out.isTTY === true;
    return pino(options, {
      write: (line: string) => {
        out.write(prettyLine(line, colors));
      },
    });
  }
  return destination ? pino(options, destination) : pino(options);
}

const LEVELS: Record<number, [name: string, color: string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '90'],
  30: ['INFO', '32'],
  40: ['WARN', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};

/**
 * One JSON log line as a person reads it: the local time, the level, the message, then the other fields as
 * `key=value`, and an error's stack below, indented. `colors` for a terminal: the level coloured, the fields dim.
 */
export function prettyLine(json: string, colors: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { time, level, msg, err, ...fields } = entry;
  const paint = (code: string, text: string) => (colors ? `\u001b[${code}m${text}\u001b[39m` : text);
  const dim = (text: string) => (colors ? `\u001b[2m${text}\u001b[22m` : text);
  const [name, color] = LEVELS[Number(level)] ?? [String(level), '39'];
  const clock = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const rest = Object.entries(fields).map(
    ([k, v]) => `${k}=${typeof v === 'string' && /^\S+$/.test(v) ? v : JSON.stringify(v)}`,
  );
  let out = `${clock} ${paint(color, name.padEnd(5))} ${String(msg ?? '')}${rest.length ? ` ${dim(rest.join(' '))}` : ''}\n`;
  if (err && typeof err === 'object') {
    const { stack, message } = err as { stack?: unknown; message?: unknown };
    const text = typeof stack === 'string' ? stack : String(message ?? JSON.stringify(err));
    out += `${text.replace(/^/gm, '    ')}\n`;
  }
  return out;
}
