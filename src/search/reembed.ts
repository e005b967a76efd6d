import { setImmediate } from 'node:timers/promises';
import type { Db } from '../store/schema.js';
import { type Embedder, paperText } from './embedder.js';
import { saveVectors } from './index-store.js';

/**
 * Embedding every paper with a new embedder (PAPERBOY_EMBEDDER changed): the vectors stored so far are the progress,
 * so a run that was stopped or killed goes on where it was. Meanwhile search uses the previous model's vectors
 * (index-sync.ts); once every paper has a vector of the new model, the others are deleted and search switches at once.
 */

/** The claim (src/jobs/claims.ts) a re-embedding runs under, so that one process of a deployment does it. */
export const EMBED_JOB = 'embed';

/** Runs work once across the processes of a deployment: `held` while another one does it (src/jobs/claims.ts). */
export interface EmbedClaims {
  readonly leaseMs: number;
  run(
    job: string,
    period: string,
    work: (signal: AbortSignal) => Promise<void>,
  ): Promise<{ state: string; by?: string }>;
  /** Forgets a finished run, so that it can be claimed again (a switch back to a model embedded before). */
  reopen(job: string, period: string): Promise<void>;
}

/**
 * Papers embedded (and saved, in one transaction) per step: as many as take about a second, so that progress shows
 * and a killed run loses little, whether the embedder does 10 papers/s (USE lite on 2 cores) or 10,000 (LSA).
 */
const STEP = { first: 16, min: 4, max: 2048, seconds: 1 };

export interface EmbedProgress {
  /** Papers with a vector of the model, and visible papers in all. */
  done: number;
  total: number;
  /** Papers this run embedded. */
  embedded: number;
}

/** Visible papers, and how many of them have a vector of `model`. */
export async function coverage(db: Db, model: string): Promise<{ done: number; total: number }> {
  const total = await db
    .selectFrom('papers')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('hidden_at', 'is', null)
    .executeTakeFirstOrThrow();
  const done = await db
    .selectFrom('papers')
    .innerJoin('paper_vectors', 'paper_vectors.paper_id', 'papers.id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('papers.hidden_at', 'is', null)
    .where('paper_vectors.model', '=', model)
    .executeTakeFirstOrThrow();
  return { done: Number(done.n), total: Number(total.n) };
}

/** How many vectors each model has stored, most first. */
export async function storedModels(db: Db): Promise<{ model: string; vectors: number }[]> {
  const rows = await db
    .selectFrom('paper_vectors')
    .select(['model', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('model')
    .execute();
  return rows.map((r) => ({ model: r.model, vectors: Number(r.n) })).sort((a, b) => b.vectors - a.vectors);
}

/** Deletes the vectors of every model but `model`: the end of a switch. */
export async function dropOtherModels(db: Db, model: string): Promise<number> {
  const result = await db.deleteFrom('paper_vectors').where('model', '!=', model).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes these papers' vectors of `model` (their text changed during a switch): the embedding does them again. */
export async function forgetVectors(db: Db, model: string, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await db
      .deleteFrom('paper_vectors')
      .where('model', '=', model)
      .where('paper_id', 'in', ids.slice(i, i + 500))
      .execute();
}

/**
 * Embeds the visible papers that have no vector of the embedder's model, in id order, a step at a time (each saved
 * before the next starts), until none is left or `stopped()` says so. Returns how many it embedded.
 */
export async function embedMissing(
  db: Db,
  embedder: Embedder,
  opts: { step?: number; onStep?: (p: EmbedProgress) => void; stopped?: () => boolean } = {},
): Promise<number> {
  const model = embedder.model();
  if (!model) throw new Error(`the ${embedder.kind} embedder has no model yet: fit it first (\`paperboy refit\`)`);
  let step = opts.step ?? STEP.first;
  let { done, total } = await coverage(db, model);
  let embedded = 0;
  let after = '';
  // A refit (LSA) during the run changes the embedder's model: what is left is for the next run, under its name.
  while (!opts.stopped?.() && embedder.model() === model) {
    const started = performance.now();
    const rows = await db
      .selectFrom('papers')
      .select(['id', 'title', 'abstract'])
      .where('id', '>', after)
      .where('hidden_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('paper_vectors')
              .select('paper_vectors.paper_id')
              .whereRef('paper_vectors.paper_id', '=', 'papers.id')
              .where('paper_vectors.model', '=', model),
          ),
        ),
      )
      .orderBy('id')
      .limit(step)
      .execute();
    if (rows.length === 0) break;
    const vectors = await embedder.embed(
      rows.map((r) => paperText(r)),
      'document',
    );
    await saveVectors(
      db,
      model,
      rows.map((r, i): [string, Float32Array] => [r.id, vectors[i]!]),
    );
    embedded += rows.length;
    done += rows.length;
    total = Math.max(total, done);
    opts.onStep?.({ done, total, embedded });
    after = rows[rows.length - 1]!.id;
    if (opts.step === undefined) step = nextStep(step, (performance.now() - started) / 1000);
    await setImmediate();
  }
  return embedded;
}

function nextStep(step: number, seconds: number): number {
  if (seconds < STEP.seconds / 2) return Math.min(step * 2, STEP.max);
  if (seconds > STEP.seconds * 2) return Math.max(Math.floor(step / 2), STEP.min);
  return step;
}

/**
 * Embeds what is missing under the deployment's claim on the model: resolves `done` once every paper has a vector of
 * it (this process embedded them, or another did), or `held` while another process is at it.
 */
export async function embedUnderClaim(
  db: Db,
  claims: EmbedClaims,
  embedder: Embedder,
  opts: Parameters<typeof embedMissing>[2] = {},
): Promise<{ state: 'done'; embedded: number } | { state: 'held'; by: string }> {
  const model = embedder.model()!;
  let embedded = 0;
  for (;;) {
    const { done, total } = await coverage(db, model);
    if (done >= total) return { state: 'done', embedded };
    const outcome = await claims.run(EMBED_JOB, model, async (lost) => {
      embedded += await embedMissing(db, embedder, {
        ...opts,
        stopped: () => lost.aborted || (opts.stopped?.() ?? false),
      });
    });
    if (outcome.state === 'held') return { state: 'held', by: outcome.by ?? 'another process' };
    if (opts.stopped?.() || embedder.model() !== model) return { state: 'done', embedded };
    // A run of an earlier switch to this model: claim it again for the papers that have no vector of it.
    if (outcome.state === 'finished') await claims.reopen(EMBED_JOB, model);
  }
}

/** Papers per second, and the time left, as a log line says them. */
export function pace(p: EmbedProgress, seconds: number): string {
  const rate = p.embedded / Math.max(seconds, 0.001);
  const left = rate > 0 ? Math.round((p.total - p.done) / rate) : undefined;
  return `${p.done}/${p.total} papers, ${rate.toFixed(1)} papers/s, ETA ${left === undefined ? '?' : `${left} s`}`;
}
