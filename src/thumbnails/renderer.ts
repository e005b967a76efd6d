import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../model/ts-worker.js';
import type { Raster } from './draw.js';
import { encodeThumbnail, type Thumbnail } from './encode.js';
import { ThumbnailError, type ThumbnailReason } from './errors.js';
import { checkInput, type RenderOptions } from './input.js';

/**
 * First-page thumbnails made off the caller's thread: one long-lived worker thread draws one PDF at a time with
 * MuPDF (draw.ts), then sharp encodes the pixels on libuv's thread pool (encode.ts), so the web server's event loop
 * stays free. A drawing that runs past `timeoutMs` ends the thread and a fresh one takes its place, as does a thread
 * whose MuPDF heap a big page has grown past `maxHeapBytes`: memory stays flat over any number of renders. The idle
 * thread does not keep the process alive; close() ends it.
 */
export interface ThumbnailRendererOptions extends RenderOptions {
  /** The longest the drawing of one page may take; a typical paper's first page takes about 35 ms. */
  timeoutMs?: number;
  /** The WASM heap a thread may keep after a render before it is replaced (one big page can grow it to 2 GB). */
  maxHeapBytes?: number;
}

/** What the thread is sent, and what it answers (render-worker.ts). */
export interface RenderJob {
  pdf: Uint8Array;
  width: number;
}
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'drawn'; raster: Raster; heapBytes: number }
  | { kind: 'refused'; reason: ThumbnailReason; message: string; fatal: boolean; heapBytes: number }
  | { kind: 'bug'; message: string };

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_HEAP_BYTES = 256 * 1024 * 1024;
/** Loading tsx and compiling MuPDF's WASM takes about a second; a thread not ready in this long will not be. */
const START_TIMEOUT_MS = 60_000;
const WORKER_ENTRY = new URL('./render-worker.ts', import.meta.url);

export class ThumbnailRenderer {
  readonly #options: RenderOptions;
  readonly #timeoutMs: number;
  readonly #maxHeapBytes: number;
  #thread: RenderThread | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ThumbnailRendererOptions = {}) {
    this.#options = { width: options.width, maxBytes: options.maxBytes };
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxHeapBytes = options.maxHeapBytes ?? DEFAULT_MAX_HEAP_BYTES;
  }

  /** The PDF's first page as a WebP image; rejects with a ThumbnailError when the PDF cannot give one. */
  render(pdf: Uint8Array): Promise<Thumbnail> {
    let width: number;
    try {
      width = checkInput(pdf, this.#options);
    } catch (error) {
      return Promise.reject(error);
    }
    const raster = this.#queue.then(() => this.#draw({ pdf, width }));
    this.#queue = raster.catch(() => {});
    return raster.then((r) => encodeThumbnail(r, width));
  }

  /** Ends the thread; renders under way or waiting reject with ThumbnailError 'closed'. */
  async close(): Promise<void> {
    this.#closed = true;
    const thread = this.#thread;
    this.#thread = undefined;
    await thread?.terminate();
  }

  async #draw(job: RenderJob): Promise<Raster> {
    if (this.#closed) throw closedError();
    const thread = (this.#thread ??= new RenderThread());
    thread.ref();
    let timer: NodeJS.Timeout | undefined;
    try {
      await thread.ready;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimedOut()), this.#timeoutMs);
      });
      const reply = await Promise.race([thread.run(job), timeout]);
      if (reply.heapBytes > this.#maxHeapBytes || (reply.kind === 'refused' && reply.fatal)) this.#replace(thread);
      if (reply.kind === 'refused') throw new ThumbnailError(reply.reason, reply.message);
      return reply.raster;
    } catch (error) {
      if (error instanceof ThumbnailError) throw error;
      this.#replace(thread);
      if (this.#closed) throw closedError();
      if (error instanceof TimedOut) {
        throw new ThumbnailError(
          'timeout',
          `Drawing this PDF's first page took over ${this.#timeoutMs / 1000} s, so it was stopped. A page this ` +
            'slow to draw is unusual: the paper is shown without a thumbnail.',
        );
      }
      if (error instanceof ThreadExit) {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          throw new ThumbnailError(
            'too-large',
            "Drawing this PDF's first page ran out of memory; the paper is shown without a thumbnail.",
          );
        }
        throw new ThumbnailError(
          'broken',
          `The thumbnail thread stopped while drawing this PDF (${error.message}); the paper is shown without a thumbnail.`,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      thread.unref();
    }
  }

  /** Ends `thread` and, unless the renderer is closed, starts its successor now so the next render finds it ready. */
  #replace(thread: RenderThread): void {
    void thread.terminate();
    if (this.#thread === thread) this.#thread = this.#closed ? undefined : new RenderThread();
  }
}

const closedError = () =>
  new ThumbnailError('closed', 'The thumbnail renderer was closed before it rendered this PDF: render it again later.');

class TimedOut extends Error {}

/** The thread exited, or failed to start: `code` is Node's (e.g. ERR_WORKER_OUT_OF_MEMORY) when it gave one. */
class ThreadExit extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Settled = Extract<WorkerReply, { kind: 'drawn' | 'refused' }>;

/** One worker thread with at most one job in flight. */
class RenderThread {
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  #job: { resolve: (reply: Settled) => void; reject: (error: Error) => void } | undefined;
  #exited: ThreadExit | undefined;

  constructor() {
    this.#worker = tsWorker(WORKER_ENTRY, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
    this.#worker.unref();
    let started: () => void;
    let failed: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // A successor started by #replace may fail with no render waiting on it; the next render sees the failure.
    this.ready.catch(() => {});
    const startTimer = setTimeout(() => {
      failed(new Error(`The thumbnail thread did not start within ${START_TIMEOUT_MS / 1000} s.`));
      void this.terminate();
    }, START_TIMEOUT_MS).unref();
    this.#worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') {
        clearTimeout(startTimer);
        started();
        return;
      }
      const job = this.#job;
      this.#job = undefined;
      if (reply.kind === 'bug') job?.reject(new Error(`The thumbnail thread failed: ${reply.message}`));
      else job?.resolve(reply);
    });
    this.#worker.on('error', (error: Error & { code?: string }) => {
      this.#exited ??= new ThreadExit(error.message, error.code);
    });
    this.#worker.on('exit', (exitCode) => {
      clearTimeout(startTimer);
      const exit = (this.#exited ??= new ThreadExit(`it exited with code ${exitCode}`));
      failed(
        new Error(
          `The thumbnail thread could not start (${exit.message}). Check that the mupdf, sharp and tsx packages are ` +
            'installed (npm ci).',
        ),
      );
      this.#job?.reject(exit);
      this.#job = undefined;
    });
  }

  run(job: RenderJob): Promise<Settled> {
    if (this.#exited) return Promise.reject(this.#exited);
    // A copy of the view alone (posting a view would copy its whole underlying buffer), handed over without another.
    const pdf = new Uint8Array(job.pdf);
    return new Promise((resolve, reject) => {
      this.#job = { resolve, reject };
      this.#worker.postMessage({ ...job, pdf } satisfies RenderJob, [pdf.buffer]);
    });
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}
