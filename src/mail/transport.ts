import nodemailer from 'nodemailer';
import { cleanLine, cleanName, cleanText } from '../model/text.js';

/** One message, fully composed: what the outbox stores and the transport sends. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /** Without angle brackets' content rules: `<id@host>`. Kept across retries so receivers can drop duplicates. */
  messageId: string;
  date: Date;
  headers?: Record<string, string> | undefined;
}

/**
 * Why a send failed. `temporary` (4xx replies, refused or dropped connections, timeouts) is worth retrying;
 * `permanent` (5xx replies: no such mailbox, rejected) is not.
 */
export class MailError extends Error {
  override name = 'MailError';
  constructor(
    message: string,
    readonly kind: 'temporary' | 'permanent',
    readonly smtpCode?: number,
  ) {
    super(message);
  }
}

/** The narrow interface every mail goes through (digests, confirmations, sign-in links). */
export interface MailTransport {
  /** Resolves when the server accepted the message; rejects with a MailError. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  /** Connections kept open at once. */
  connections?: number;
  /** Milliseconds to wait for a connection, a greeting or a reply. */
  timeoutMs?: number;
}

/** nodemailer over SMTP (`smtp://user:pass@host:port`, `smtps://` for implicit TLS), pooled. */
export function createSmtpTransport(url: string, opts: SmtpOptions = {}): MailTransport {
  const timeout = opts.timeoutMs ?? 30_000;
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: opts.connections ?? 3,
    maxMessages: Infinity,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(mail) {
      try {
        await transporter.sendMail({ ...sendable(mail), messageId: mail.messageId, date: mail.date });
      } catch (error) {
        throw classify(error);
      }
    },
    close: () => transporter.close(),
  };
}

/** A message without control characters: none in a header (one line), none but tabs and line breaks in a body. */
export function sendable(mail: OutgoingMail) {
  return {
    from: cleanLine(mail.from),
    to: cleanLine(mail.to),
    subject: cleanName(mail.subject),
    text: cleanText(mail.text),
    html: mail.html === undefined ? undefined : cleanText(mail.html),
    headers:
      mail.headers && Object.fromEntries(Object.entries(mail.headers).map(([k, v]) => [cleanLine(k), cleanLine(v)])),
  };
}

export function classify(error: unknown): MailError {
  const e = error as { responseCode?: unknown; message?: unknown; code?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined && code >= 500) return new MailError(message, 'permanent', code);
  if (code === undefined && e.code === 'EENVELOPE') return new MailError(message, 'permanent');
  // Replies in 4xx, and everything without a reply (refused, reset, timed out, TLS trouble): try again later.
  return new MailError(message, 'temporary', code);
}
