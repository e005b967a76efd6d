import nodemailer from 'nodemailer';

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
  constructor(message: string, readonly kind: 'temporary' | 'permanent', readonly smtpCode?: number) {
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
        await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          date: mail.date,
          headers: mail.headers,
        });
      } catch (error) {
        throw classify(error);
      }
    },
    close: () => transporter.close(),
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
