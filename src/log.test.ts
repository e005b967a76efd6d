import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogDestination } from './log.js';

describe('the log', () => {
  it('never writes a secret, wherever it sits in a logged object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ logLevel: 'info' }, sink);
    log.info(
      {
        config: {
          mail: { smtpUrl: 'smtp://user:hunter2@mail.example.org', secret: 'signing-secret-value' },
          databaseUrl: 'postgres://u:pw@db/x',
        },
        headers: { cookie: 'pb_session=abc', authorization: 'Bearer t0ken', 'set-cookie': 'pb_session=def' },
        embedder: { apiKey: 'sk-live-123' },
        token: 'raw-token',
        papers: 3,
      },
      'started',
    );
    const out = lines.join('');
    for (const secret of [
      'hunter2',
      'signing-secret-value',
      'u:pw',
      'pb_session=abc',
      'pb_session=def',
      'sk-live-123',
      't0ken',
      'raw-token',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('"papers":3');
    expect(out).toContain('[redacted]');
  });

  /** A destination that keeps what is written, a terminal or not. */
  function sink(isTTY: boolean): LogDestination & { text: () => string } {
    const lines: string[] = [];
    return { isTTY, write: (line: string) => void lines.push(line), text: () => lines.join('') };
  }

  it("is readable on a terminal: time, level, message, fields, and an error's stack below", () => {
    const out = sink(true);
    const log = createLogger({ logLevel: 'info', logFormat: 'auto' }, out);
    log.info({ source: 'hf-daily', new: 3, note: 'two words', smtpUrl: 'smtp://u:hunter2@x' }, 'harvested hf-daily');
    log.error({ err: new Error('boom') }, 'harvest of hf-daily failed: boom');
    // Escape sequences made visible: a regular expression may not hold control characters.
    const [info, error, stack] = out.text().replaceAll('\u001b', 'ESC').split('\n');
    expect(info).toMatch(
      /^\d\d:\d\d:\d\d ESC\[32mINFO ESC\[39m harvested hf-daily ESC\[2msource=hf-daily new=3 note="two words" smtpUrl=\[redacted\]ESC\[22m$/,
    );
    expect(error).toMatch(/^\d\d:\d\d:\d\d ESC\[31mERRORESC\[39m harvest of hf-daily failed: boom$/);
    expect(stack).toBe('    Error: boom');
    expect(out.text()).not.toContain('{"');
  });

  it('writes JSON lines elsewhere, or when LOG_FORMAT says json; pretty without colours when it says pretty', () => {
    for (const [isTTY, logFormat] of [
      [false, 'auto'],
      [true, 'json'],
    ] as const) {
      const out = sink(isTTY);
      createLogger({ logLevel: 'info', logFormat }, out).info({ papers: 3 }, 'started');
      expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'started', papers: 3 });
    }
    const out = sink(false);
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, out).warn('store is empty');
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d WARN {2}store is empty\n$/);
  });
});
