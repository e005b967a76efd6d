import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  to: string;
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtpOptions {
  /** Called for each message before it is accepted: a reply code (e.g. 451, 550) refuses it. */
  answer?: (to: string, attempt: number) => number | undefined;
  /** Waits this long before accepting each message (to kill a sender while messages are on the wire). */
  delayMs?: number;
}

export interface TestSmtp {
  url: string;
  port: number;
  received: Received[];
  /** Messages refused so far. */
  refused: { to: string; code: number }[];
  /** Resolves when at least `n` messages were accepted. */
  /** Connections that ended in an error (a client killed mid-message). */
  connectionErrors: Error[];
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback for tests; accepted messages are parsed back with mailparser. */
export async function startTestSmtp(opts: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const refused: { to: string; code: number }[] = [];
  const attempts = new Map<string, number>();
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const attempt = (attempts.get(to) ?? 0) + 1;
        attempts.set(to, attempt);
        const code = opts.answer?.(to, attempt);
        const finish = async () => {
          if (code) {
            refused.push({ to, code });
            callback(
              Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }),
            );
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          received.push({ to, raw, parsed: await simpleParser(raw) });
          for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve();
          callback();
        };
        setTimeout(() => void finish(), opts.delayMs ?? 0);
      });
    },
  });
  // A client killed mid-message (the crash tests do that on purpose) resets its connection; smtp-server reports it
  // as an 'error' event, which must not take the test process down with it.
  const connectionErrors: Error[] = [];
  server.on('error', (error: Error) => connectionErrors.push(error));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    refused,
    connectionErrors,
    waitFor: (n, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        if (received.length >= n) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`only ${received.length} of ${n} messages arrived`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
