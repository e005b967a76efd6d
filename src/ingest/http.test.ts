import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../test/expect-errors.js';
import { closedPort } from '../../test/ports.js';
import { createFetcher, parseRetryAfter } from './http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback server answering with `handler`; `hits` records when each request arrived. */
async function serve(handler: Handler): Promise<{ url: string; hits: { at: number; userAgent?: string }[] }> {
  const hits: { at: number; userAgent?: string }[] = [];
  const server = createServer((req, res) => {
    hits.push({ at: Date.now(), userAgent: req.headers['user-agent'] });
    handler(req, res, hits.length);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api`, hits };
}

async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}/`;
}

const fast = { userAgent: 'Paperboy-test/1', minDelayMs: 0, baseBackoffMs: 10 };

describe('createFetcher', () => {
  it('returns the body and sends the user agent', async () => {
    const { url, hits } = await serve((_req, res) => res.end('hello'));
    const result = await createFetcher(fast).getText(url);
    expect(result.status).toBe(200);
    expect(result.body).toBe('hello');
    expect(hits[0]?.userAgent).toBe('Paperboy-test/1');
  });

  it('waits as long as Retry-After says after a 503, then succeeds', async () => {
    const { url, hits } = await serve((_req, res, hit) => {
      if (hit === 1) res.writeHead(503, { 'Retry-After': '1' }).end('busy');
      else res.end('ok');
    });
    const waits: number[] = [];
    const fetcher = createFetcher({ ...fast, sleep: async (ms) => void waits.push(ms) });
    const result = await fetcher.getText(url);
    expect(result.body).toBe('ok');
    expect(hits).toHaveLength(2);
    expect(waits).toEqual([1000]);
  });

  it('honours Retry-After with real time', async () => {
    const { url, hits } = await serve((_req, res, hit) => {
      if (hit === 1) res.writeHead(503, { 'Retry-After': '1' }).end();
      else res.end('ok');
    });
    const result = await createFetcher(fast).getText(url);
    expect(result.body).toBe('ok');
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('caps a Retry-After wait at maxBackoffMs', async () => {
    const { url } = await serve((_req, res, hit) => {
      if (hit === 1) res.writeHead(503, { 'Retry-After': '3600' }).end();
      else res.end('ok');
    });
    const waits: number[] = [];
    const fetcher = createFetcher({ ...fast, maxBackoffMs: 2000, sleep: async (ms) => void waits.push(ms) });
    await fetcher.getText(url);
    expect(waits).toEqual([2000]);
  });

  it('retries a 429 and backs off exponentially with jitter when no Retry-After is given', async () => {
    const { url, hits } = await serve((_req, res, hit) => {
      if (hit <= 2) res.writeHead(429).end('slow down');
      else res.end('ok');
    });
    const waits: number[] = [];
    const fetcher = createFetcher({
      ...fast,
      baseBackoffMs: 100,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    const result = await fetcher.getText(url);
    expect(result.body).toBe('ok');
    expect(hits).toHaveLength(3);
    // Equal jitter: half fixed plus half times random(): 50 + 25, then 100 + 50.
    expect(waits).toEqual([75, 150]);
  });

  it('throws SourceError http with the status, URL and a hint when 500 persists', async () => {
    const { url, hits } = await serve((_req, res) => res.writeHead(500).end('boom'));
    const error = await rejection(createFetcher({ ...fast, maxRetries: 2 }).getText(url));
    expect(error.code).toBe('http');
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/try again later/);
    expect(hits).toHaveLength(3);
  });

  it('returns a 400 to the caller without retrying', async () => {
    const { url, hits } = await serve((_req, res) => res.writeHead(400).end('<feed>error body</feed>'));
    const result = await createFetcher(fast).getText(url);
    expect(result.status).toBe(400);
    expect(result.body).toBe('<feed>error body</feed>');
    expect(hits).toHaveLength(1);
  });

  it('throws SourceError offline when nothing listens on the port', async () => {
    const url = await closedPortUrl();
    const error = await rejection(createFetcher({ ...fast, maxRetries: 1 }).getText(url));
    expect(error.code).toBe('offline');
    expect(error.message).toContain('Could not reach 127.0.0.1');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toMatch(/configure the source URL/);
  });

  it('throws SourceError offline when the server does not answer in time', async () => {
    const { url } = await serve(() => {
      // Never answers.
    });
    const error = await rejection(createFetcher({ ...fast, maxRetries: 0, timeoutMs: 200 }).getText(url));
    expect(error.code).toBe('offline');
    expect(error.message).toContain('timed out');
  });

  it('spaces requests to one host at least minDelayMs apart, start to start, even when called concurrently', async () => {
    const { url, hits } = await serve((_req, res) => res.end('ok'));
    const fetcher = createFetcher({ ...fast, minDelayMs: 200 });
    await fetcher.getText(url);
    await fetcher.getText(url);
    await Promise.all([fetcher.getText(url), fetcher.getText(url)]);
    expect(hits).toHaveLength(4);
    for (let i = 1; i < hits.length; i++) {
      // A little slack for timer granularity: the request leaves on time, the server logs it a moment later.
      expect(hits[i]!.at - hits[i - 1]!.at).toBeGreaterThanOrEqual(190);
    }
  });

  it('does not make different hosts wait for each other', async () => {
    const a = await serve((_req, res) => res.end('a'));
    const b = await serve((_req, res) => res.end('b'));
    const fetcher = createFetcher({ ...fast, minDelayMs: 1000 });
    const started = Date.now();
    await Promise.all([fetcher.getText(a.url), fetcher.getText(b.url)]);
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
