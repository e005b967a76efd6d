import { SourceError } from './errors.js';

export interface FetchResult {
  status: number;
  body: string;
  headers: Headers;
}

/** The one way ingestion reaches the network. Share one per process so the per-host spacing holds. */
export interface Fetcher {
  /**
   * GETs a URL and returns 2xx, 3xx and 4xx answers other than 429 as they are (callers read 4xx bodies).
   * Throws SourceError 'http' when 429/5xx persist after retries, 'offline' when the host cannot be reached.
   */
  getText(url: string): Promise<FetchResult>;
  /**
   * GETs a file (a PDF), with the same spacing and retries. Throws SourceError 'too-large' past `maxBytes` (read no
   * further), 'http' for any answer other than 2xx.
   */
  getBytes(url: string, maxBytes: number): Promise<Uint8Array>;
}

export interface FetcherOptions {
  userAgent: string;
  /** Minimum time between the starts of two requests to one host. */
  minDelayMs: number;
  maxRetries?: number;
  baseBackoffMs?: number;
  /** Upper bound on any single wait, including one asked for by Retry-After. */
  maxBackoffMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1) for backoff jitter. */
  random?: () => number;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export function createFetcher(opts: FetcherOptions): Fetcher {
  const maxRetries = opts.maxRetries ?? 4;
  const baseBackoffMs = opts.baseBackoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = opts.random ?? Math.random;
  /** Per host: the earliest time the next request may start. Reserved synchronously, so concurrent callers queue. */
  const nextStart = new Map<string, number>();

  async function waitForTurn(host: string): Promise<void> {
    const now = Date.now();
    const start = Math.max(now, nextStart.get(host) ?? 0);
    nextStart.set(host, start + opts.minDelayMs);
    if (start > now) await sleep(start - now);
  }

  function backoff(attempt: number, retryAfter: string | null): number {
    const asked = retryAfter === null ? undefined : parseRetryAfter(retryAfter, Date.now());
    if (asked !== undefined) return Math.min(asked, maxBackoffMs);
    const exponential = Math.min(baseBackoffMs * 2 ** attempt, maxBackoffMs);
    // "Equal jitter": half the delay is fixed, half random, so many clients do not retry in step.
    return Math.round(exponential / 2 + random() * (exponential / 2));
  }

  async function get<T>(
    url: string,
    read: (res: Response) => Promise<T>,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const host = new URL(url).host;
    for (let attempt = 0; ; attempt++) {
      await waitForTurn(host);
      let result: { status: number; body: T; headers: Headers };
      try {
        const res = await fetch(url, {
          headers: { 'User-Agent': opts.userAgent },
          signal: AbortSignal.timeout(timeoutMs),
        });
        result = { status: res.status, body: await read(res), headers: res.headers };
      } catch (error) {
        if (error instanceof SourceError) throw error;
        if (attempt < maxRetries) {
          await sleep(backoff(attempt, null));
          continue;
        }
        throw offline(url, error);
      }
      if (RETRYABLE.has(result.status) && attempt < maxRetries) {
        await sleep(backoff(attempt, result.headers.get('retry-after')));
        continue;
      }
      if (result.status >= 500 || result.status === 429) throw httpError(url, result.status, attempt + 1);
      return result;
    }
  }

  const getText = (url: string): Promise<FetchResult> => get(url, (res) => res.text());

  async function getBytes(url: string, maxBytes: number): Promise<Uint8Array> {
    const result = await get(url, async (res) => (res.ok ? readCapped(res, url, maxBytes) : new Uint8Array()));
    if (result.status < 200 || result.status >= 300)
      throw new SourceError('http', `HTTP ${result.status} from ${url}: the file is not there, or not for us.`);
    return result.body;
  }

  return { getText, getBytes };
}

/** The body, or SourceError 'too-large' as soon as it passes `maxBytes` (the rest is not read). */
async function readCapped(res: Response, url: string, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  const tooLarge = () =>
    new SourceError('too-large', `${url} is larger than ${Math.round(maxBytes / 1e6)} MB, the most this server reads.`);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of res.body ?? []) {
    size += part.byteLength;
    if (size > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); returns milliseconds to wait. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function httpError(url: string, status: number, attempts: number): SourceError {
  const hint =
    status === 429
      ? 'The server is rate-limiting this client: wait a while before trying again, or increase the delay between requests.'
      : 'The server is failing or overloaded: try again later.';
  const tries = attempts === 1 ? '' : ` after ${attempts} attempts`;
  return new SourceError('http', `HTTP ${status} from ${url}${tries}. ${hint}`);
}

function offline(url: string, error: unknown): SourceError {
  const { host } = new URL(url);
  const reason = describeNetworkError(error);
  return new SourceError(
    'offline',
    `Could not reach ${host} (${reason}). Check the network connection, or configure the source URL to point at a reachable host.`,
    { cause: error },
  );
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
