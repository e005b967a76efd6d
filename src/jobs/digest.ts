import type { DigestRunner } from '../digest/run.js';
import type { Logger } from '../log.js';

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
