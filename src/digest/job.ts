import type { Config } from '../config/config.js';
import { resolveSecret } from '../crypto/secret.js';
import type { ForYou } from '../foryou/for-you.js';
import type { Logger } from '../log.js';
import { createSmtpTransport, type MailTransport } from '../mail/transport.js';
import type { SearchService } from '../search/search.js';
import { keepSigningSecret } from '../store/app-secrets.js';
import type { OpenedStore } from '../store/store.js';
import { createDigestRunner, type DigestRunner } from './run.js';

export interface Mail {
  /** Absent without SMTP_URL: subscriptions are still taken and their mails wait in the outbox. */
  runner: DigestRunner | undefined;
  /** Signs links and form tokens: PAPERBOY_SECRET, or one kept in the store. */
  secret: string;
  /** Asks for the outbox to be sent now; does nothing without SMTP_URL. */
  kick: () => void;
  close(): void;
}

/** Everything mail needs in one process (serve, worker, digest run): the secret, the SMTP transport, the runner. */
export async function setupMail(
  config: Config,
  { store, db }: OpenedStore,
  log: Logger,
  opts: {
    search?: (() => Promise<SearchService>) | undefined;
    forYou?: (() => Promise<ForYou>) | undefined;
    transport?: MailTransport;
  } = {},
): Promise<Mail> {
  const secret = await resolveSecret(config, (fresh) => keepSigningSecret(db, fresh), log);
  const transport =
    opts.transport ??
    (config.mail.smtpUrl
      ? createSmtpTransport(config.mail.smtpUrl, { connections: config.mail.concurrency })
      : undefined);
  if (!transport)
    log.warn(
      'SMTP_URL is not set: no mail is sent. Subscriptions are kept and their mails wait in the outbox until it is.',
    );
  const runner = transport
    ? createDigestRunner({ store, db, transport, config, secret, search: opts.search, forYou: opts.forYou, log })
    : undefined;
  const kick = runner
    ? () =>
        void runner.send().catch((error: unknown) => log.error({ err: error }, `sending mail failed: ${String(error)}`))
    : () => {};
  return { runner, secret, kick, close: () => transport?.close() };
}

/** A service opened on first use (the search for saved-search alerts, For you for readers with an account). */
export function lazyService<T extends { close(): void } = SearchService>(
  open: () => Promise<T>,
): { get: () => Promise<T>; close(): void } {
  let service: Promise<T> | undefined;
  return {
    get: () => (service ??= open()),
    close: () => void service?.then((s) => s.close()).catch(() => {}),
  };
}
