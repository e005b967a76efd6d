import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusSlice } from '../../test/corpus.js';
import { withSemanticSearch } from '../../test/semantic-search.js';
import { loadConfig } from '../config/config.js';
import { LsaEmbedder } from './embedder.js';
import { embedderFromConfig } from './embedders.js';
import { OpenAiEmbedder } from './openai-embedder.js';
import { terms } from './tokenize.js';

/** Embeds a text as its stems hashed into 64 buckets: texts sharing words point alike, as a real model's would. */
function hashedWords(text: string): number[] {
  const v = new Array<number>(64).fill(0);
  for (const t of terms(text)) {
    let h = 0;
    for (let i = 0; i < t.length; i++) h = (h * 31 + t.charCodeAt(i)) >>> 0;
    v[h % 64]! += 1;
  }
  return v;
}

describe('embedderFromConfig', () => {
  it('makes the default LSA embedder', () => {
    expect(embedderFromConfig(loadConfig({}))).toBeInstanceOf(LsaEmbedder);
  });

  describe('openai: against a local OpenAI-compatible server', () => {
    let server: Server;
    let url: string;
    const auth: (string | undefined)[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString()));
        req.on('end', () => {
          auth.push(req.headers.authorization);
          const body = JSON.parse(raw) as { model: string; input: string[] };
          const data = body.input.map((text, index) => ({ index, embedding: hashedWords(text) }));
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
        });
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('embeds every paper through the endpoint and finds one by its words in semantic mode', async () => {
      const config = loadConfig({
        PAPERBOY_EMBEDDER: `openai:${url}`,
        PAPERBOY_EMBEDDER_MODEL: 'hashed-words',
        PAPERBOY_EMBEDDER_API_KEY: 'key',
      });
      const embedder = embedderFromConfig(config);
      expect(embedder).toBeInstanceOf(OpenAiEmbedder);
      expect(embedder.model()).toBe('openai:hashed-words');
      const papers = await corpusSlice(60);
      await withSemanticSearch(embedder, papers, async (search) => {
        // Words of its abstract, not its title: a title typed in full is boosted to the top in every mode.
        const r = await search.search({
          q: papers[17]!.abstract.split(/\s+/).slice(0, 15).join(' '),
          mode: 'semantic',
        });
        expect(r.mode).toBe('semantic');
        expect(r.hits[0]?.paper.id).toBe(papers[17]!.id);
        expect(auth.every((a) => a === 'Bearer key')).toBe(true);
      });
    });
  });
});
