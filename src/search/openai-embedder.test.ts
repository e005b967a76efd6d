import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiEmbedder } from './openai-embedder.js';

describe('OpenAiEmbedder against a local OpenAI-compatible server', () => {
  let server: Server;
  let url: string;
  const requests: { auth: string | undefined; body: { model: string; input: string[] } }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw) as { model: string; input: string[] };
        requests.push({ auth: req.headers.authorization, body });
        if (req.url !== '/v1/embeddings' || body.model === 'missing') {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"model not found"}');
          return;
        }
        // Answers out of order, as the API allows: each entry carries its index.
        const data = body.input.map((text, index) => ({ index, embedding: [text.length, 3, 4] })).reverse();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('embeds in batches, in order, unit length, with the API key', async () => {
    const e = new OpenAiEmbedder({ url, model: 'nomic-embed-text', apiKey: 'secret', batchSize: 2 });
    const out = await e.embed(['a', 'bbb', 'cccc'], 'document');
    expect(out).toHaveLength(3);
    expect(Array.from(out[1]!)).toEqual(
      [3 / Math.sqrt(34), 3 / Math.sqrt(34), 4 / Math.sqrt(34)].map((x) => Math.fround(x)),
    );
    expect(e.dimensions()).toBe(3);
    expect(e.model()).toBe('openai:nomic-embed-text');
    expect(requests.map((r) => r.body.input)).toEqual([['a', 'bbb'], ['cccc']]);
    expect(requests[0]!.auth).toBe('Bearer secret');
  });

  it('says what went wrong when the endpoint refuses', async () => {
    const e = new OpenAiEmbedder({ url, model: 'missing' });
    await expect(e.embed(['x'], 'query')).rejects.toThrow(/answered 404.*model not found/);
  });
});
