import type { Config } from '../config/config.js';
import type { Logger } from '../log.js';
import { resolveSecret } from '../crypto/secret.js';
import { createSmtpTransport, type MailTransport } from '../mail/transport.js';
import type { SearchService } from '../search/search.js';
import { keepSigningSecret } from '../store/app-secrets.js';
import type { KyselyStore } from '../store/kysely-store.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { createDigestRunner, type DigestRunner } from './run.js';

/** What the subscription pages need beyond the rest of the site. */
export interface SubscriptionDeps {
  db: Kysely<Database>;
  secret: string;
  /** Asks for the outbox to be sent now (a confirmation mail); absent when no SMTP server is configured. */
  kick?: (() => void) | undefined;
  clock?: (() => Date) | undefined;
}

export interface Mail {
  /** Absent without SMTP_URL: subscriptions are still taken and their mails wait in the outbox. */
  runner: DigestRunner | undefined;
  subscriptions: SubscriptionDeps;
  close(): void;
}

/** Everything mail needs in one process (serve, worker, digest run): the secret, the SMTP transport, the runner. */
export async function setupMail(
  config: Config, store: KyselyStore, log: Logger, opts: { search?: (() => Promise<SearchService>) | undefined; transport?: MailTransport } = {},
): Promise<Mail> {
  const secret = await resolveSecret(config, (fresh) => keepSigningSecret(store.kysely, fresh), log);
  const transport = opts.transport ?? (config.mail.smtpUrl ? createSmtpTransport(config.mail.smtpUrl, { connections: config.mail.concurrency }) : undefined);
  if (!transport) log.warn('SMTP_URL is not set: no mail is sent. Subscriptions are kept and their mails wait in the outbox until it is.');
  const runner = transport ? createDigestRunner({ store, transport, config, secret, search: opts.search, log }) : undefined;
  const kick = runner
    ? () => void runner.send().catch((error: unknown) => log.error({ err: error }, `sending mail failed: ${String(error)}`))
    : undefined;
  return { runner, subscriptions: { db: store.kysely, secret, kick }, close: () => transport?.close() };
}

/** The scheduled digest run: compose what is due, send the outbox, say what happened. */
export function createDigestJob(runner: DigestRunner, log: Logger): () => Promise<void> {
  return async () => {
    const started = performance.now();
    const r = await runner.run();
    const ms = Math.round(performance.now() - started);
    const line = `digests: ${r.composed} composed, ${r.empty} with nothing new; mail: ${r.sent} sent, ${r.retried} deferred, ${r.failed} failed (${ms} ms)`;
    if (r.composed || r.sent || r.retried || r.failed) log.info(r, line);
    else log.debug(r, line);
  };
}

/** A search service opened on first use (only saved-search alerts need it) and shared afterwards. */
export function lazySearch(open: () => Promise<SearchService>): { get: () => Promise<SearchService>; close(): void } {
  let service: Promise<SearchService> | undefined;
  return {
    get: () => (service ??= open()),
    close: () => void service?.then((s) => s.close()).catch(() => {}),
  };
}
