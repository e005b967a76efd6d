import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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
  });

  it('refuses anything else, saying what was given and what is allowed', () => {
    for (const value of ['bm25', 'openai:', 'openai:127.0.0.1:11434', 'onnx:', 'LSA']) {
      expect(() => loadConfig({ PAPERBOY_EMBEDDER: value })).toThrow(ConfigError);
      expect(() => loadConfig({ PAPERBOY_EMBEDDER: value })).toThrow(
        `PAPERBOY_EMBEDDER is ${JSON.stringify(value)}: use lsa, openai:<base URL> (e.g. openai:http://127.0.0.1:11434/v1) or onnx:<model folder>`,
      );
    }
  });

  it('refuses an endpoint without a model', () => {
    expect(() => loadConfig({ PAPERBOY_EMBEDDER: 'openai:http://127.0.0.1:11434/v1' })).toThrow(
      /PAPERBOY_EMBEDDER_MODEL must name the model/,
    );
  });
});
