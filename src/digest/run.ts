import type { Config } from '../config/config.js';
import { Signer } from '../crypto/tokens.js';
import type { ForYou } from '../foryou/for-you.js';
import type { Logger } from '../log.js';
import { type DrainResult, drainOutbox } from '../mail/sender.js';
import type { MailTransport } from '../mail/transport.js';
import type { SearchService } from '../search/search.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { type ComposeResult, composeDue } from './compose.js';
import { DigestSources } from './sources.js';

export interface DigestRunner {
  /** Composes what is due at `now` (the wall clock by default), then sends everything ready in the outbox. */
  run(now?: Date): Promise<ComposeResult & DrainResult>;
  /** Sends what is ready in the outbox (confirmation mails right after a form is posted). */
  send(): Promise<DrainResult>;
}

export interface RunnerDeps {
  store: Store;
  db: Db;
  transport: MailTransport;
  config: Pick<Config, 'baseUrl' | 'mail'>;
  secret: string;
  /** Opened on first use, for saved-search alerts. */
  search?: (() => Promise<SearchService>) | undefined;
  /** Opened on first use, for the "For you" section of readers with an account. */
  forYou?: (() => Promise<ForYou>) | undefined;
  log?: Logger | undefined;
  clock?: (() => Date) | undefined;
}

/**
 * One pass at a time: a pass that is asked for while one is running waits for it and then runs, so a form posted
 * during a long digest run still gets its confirmation mail.
 */
export function createDigestRunner(deps: RunnerDeps): DigestRunner {
  const clock = deps.clock ?? (() => new Date());
  const signer = new Signer(deps.secret);
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => {});
    return next;
  };
  const send = (more?: () => boolean) =>
    drainOutbox({
      db: deps.db,
      engine: deps.store.engine,
      transport: deps.transport,
      config: { ...deps.config.mail },
      log: deps.log,
      clock,
      more,
    });
  return {
    run: (now) =>
      serial(async () => {
        const sources = new DigestSources(deps.store, deps.db, deps.search);
        // Sending starts with the first composed batch and waits for the next ones until composing is done.
        let composing = true;
        const sending = send(() => composing);
        sending.catch(() => {});
        try {
          const composed = await composeDue(
            {
              store: deps.store,
              db: deps.db,
              sources,
              signer,
              baseUrl: deps.config.baseUrl,
              batchSize: deps.config.mail.batchSize,
              clock,
              forYou: deps.forYou,
              log: deps.log,
            },
            now ?? clock(),
          );
          composing = false;
          return { ...composed, ...(await sending) };
        } catch (error) {
          composing = false;
          await sending.catch(() => {});
          throw error;
        }
      }),
    send: () => serial(() => send()),
  };
}
