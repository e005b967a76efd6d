import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import { createJobClaims } from '../jobs/claims.js';
import { embedderFromConfig } from '../search/embedders.js';
import { loadModel } from '../search/index-store.js';
import { coverage, dropOtherModels, embedUnderClaim } from '../search/reembed.js';
import { createSearchService } from '../search/search.js';
import type { OpenedStore } from '../store/store.js';
import { createProgress } from './progress.js';

/**
 * `paperboy embed`: embeds every paper that has no vector of the PAPERBOY_EMBEDDER model yet (what `serve` does in
 * the background after a switch), with a progress bar; then search switches to it (running servers within seconds)
 * and the other models' vectors are deleted. Resumes where a stopped run was; waits while a server is at it.
 */
export async function runEmbed(config: Config, { store, db }: OpenedStore): Promise<void> {
  const embedder = embedderFromConfig(config);
  try {
    if (embedder.restore) {
      const saved = await loadModel(db, embedder.kind);
      if (saved) embedder.restore(saved.data, saved.model);
    }
    const model = embedder.model();
    if (!model) {
      // LSA not fitted yet: the fit embeds every paper at once.
      const search = await createSearchService(store, db, { embedder });
      try {
        const { documents, ms } = await search.refit();
        console.log(`embedded ${documents} papers with ${embedder.model() ?? embedder.kind} in ${seconds(ms)} s`);
      } finally {
        search.close();
      }
      return;
    }
    const claims = createJobClaims(db, { leaseMs: config.jobLeaseSeconds * 1000 });
    const started = performance.now();
    let embedded = 0;
    for (;;) {
      const before = await coverage(db, model);
      const progress = createProgress<number>(
        `embedding with ${model}`,
        before.total,
        process.stderr,
        undefined,
        (n) => (n === 0 ? 'starting' : `${n} embedded`),
      );
      progress.resumedAt(before.done);
      if (before.done > 0 && before.done < before.total)
        progress.log(`${before.done} of ${before.total} papers already have a vector of ${model}: going on from there`);
      try {
        const outcome = await embedUnderClaim(db, claims, embedder, {
          onStep: (p) => progress.update(p.done, embedded + p.embedded),
        });
        if (outcome.state === 'done') {
          embedded += outcome.embedded;
          break;
        }
        progress.log(
          `${outcome.by} is embedding with ${model}: waiting (its claim lapses ${config.jobLeaseSeconds} s after it stops)`,
        );
      } finally {
        progress.stop();
      }
      await sleep(claims.leaseMs / 2);
    }
    const dropped = await dropOtherModels(db, model);
    await store.announceModel(model);
    const ms = performance.now() - started;
    const rate = embedded / Math.max(ms / 1000, 0.001);
    console.log(
      `embedded ${embedded} papers with ${model} in ${seconds(ms)} s (${rate.toFixed(1)} papers/s); ` +
        `${dropped} vectors of other models deleted`,
    );
  } finally {
    await embedder.close?.();
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
