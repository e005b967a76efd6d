import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, loadConfig } from './config.js';

describe('PAPERBOY_EMBEDDER', () => {
  it('is LSA when unset', () => {
    expect(loadConfig({}).embedder).toEqual({ kind: 'lsa' });
    expect(loadConfig({ PAPERBOY_EMBEDDER: ' lsa ' }).embedder).toEqual({ kind: 'lsa' });
  });

  it('names an OpenAI-compatible endpoint, with its model and the API key from the environment', () => {
    const config = loadConfig({
      PAPERBOY_EMBEDDER: 'openai:http://127.0.0.1:11434/v1',
      PAPERBOY_EMBEDDER_MODEL: 'nomic-embed-text',
      PAPERBOY_EMBEDDER_API_KEY: 'sk-secret',
    });
    expect(config.embedder).toEqual({
      kind: 'openai',
      url: 'http://127.0.0.1:11434/v1',
      model: 'nomic-embed-text',
      apiKey: 'sk-secret',
    });
    expect(Object.isFrozen(config.embedder)).toBe(true);
    expect(
      loadConfig({ PAPERBOY_EMBEDDER: 'openai:https://api.openai.com/v1', PAPERBOY_EMBEDDER_MODEL: 'm' }).embedder,
    ).toMatchObject({ apiKey: undefined });
  });

  it('names a local ONNX model folder, made absolute', () => {
    expect(loadConfig({ PAPERBOY_EMBEDDER: 'onnx:/models/e5-small' }).embedder).toEqual({
      kind: 'onnx',
      folder: '/models/e5-small',
    });
    expect(loadConfig({ PAPERBOY_EMBEDDER: 'onnx:models/e5' }).embedder).toEqual({
      kind: 'onnx',
      folder: resolve('models/e5'),
    });
    expect(loadConfig({ PAPERBOY_EMBEDDER: 'use-lite' }).embedder).toEqual({ kind: 'use-lite' });
  });

  it('refuses anything else, saying what was given and what is allowed', () => {
    for (const value of ['bm25', 'openai:', 'openai:127.0.0.1:11434', 'onnx:', 'LSA', 'use-lite:x']) {
      expect(() => loadConfig({ PAPERBOY_EMBEDDER: value })).toThrow(ConfigError);
      expect(() => loadConfig({ PAPERBOY_EMBEDDER: value })).toThrow(
        `PAPERBOY_EMBEDDER is ${JSON.stringify(value)}: use lsa, use-lite, openai:<base URL> (e.g. openai:http://127.0.0.1:11434/v1) or onnx:<model folder>`,
      );
    }
  });

  it('refuses an endpoint without a model', () => {
    expect(() => loadConfig({ PAPERBOY_EMBEDDER: 'openai:http://127.0.0.1:11434/v1' })).toThrow(
      /PAPERBOY_EMBEDDER_MODEL must name the model/,
    );
  });
});

describe('the base URL', () => {
  it('defaults to the listening address on this machine, and is required beyond it or in production', () => {
    expect(loadConfig({}).baseUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: 'localhost', PORT: '9000' }).baseUrl).toBe('http://localhost:9000');
    expect(loadConfig({ HOST: '::1' }).baseUrl).toBe('http://[::1]:8080');
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(
      /PAPERBOY_BASE_URL is required when the server listens beyond loopback \(HOST=0\.0\.0\.0\): set it to the address readers use, e\.g\. https:/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', PAPERBOY_SECRET: 'x'.repeat(32) })).toThrow(
      /PAPERBOY_BASE_URL is required when NODE_ENV=production/,
    );
    expect(loadConfig({ HOST: '0.0.0.0', PAPERBOY_BASE_URL: 'https://papers.example.org/' }).baseUrl).toBe(
      'https://papers.example.org',
    );
  });

  it('is recognised as this machine only for loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'app.localhost', '::1', '[::1]'])
      expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', 'papers.example.org', '::', '128.0.0.1', 'localhost.example.org'])
      expect(isLoopback(h)).toBe(false);
  });
});
