import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

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
});
