import { parentPort } from 'node:worker_threads';
import { ThumbnailError } from './errors.js';
import type { RenderJob, WorkerReply } from './renderer.js';

/**
 * The thread ThumbnailRenderer starts: draws the first page of each PDF it is sent, one at a time, and hands back the
 * pixels (the renderer encodes them; sharp must not run in a thread that may be terminated mid-task). After each it
 * reports how large MuPDF's WASM heap has grown, which never shrinks: the renderer replaces a thread a big page inflated.
 */
const wasm: { HEAPU8?: Uint8Array } = {};
// mupdf.js hands this object to its Emscripten module, which keeps its current heap view on it as HEAPU8.
(globalThis as { $libmupdf_wasm_Module?: object }).$libmupdf_wasm_Module = wasm;
const { drawFirstPage } = await import('./draw.js');
const port = parentPort!;

port.on('message', (job: RenderJob) => {
  try {
    const raster = drawFirstPage(job.pdf, job.width);
    const reply: WorkerReply = { kind: 'drawn', raster, heapBytes: heapBytes() };
    port.postMessage(reply, [raster.pixels.buffer]);
  } catch (error) {
    const reply: WorkerReply =
      error instanceof ThumbnailError
        ? {
            kind: 'refused',
            reason: error.reason,
            message: error.message,
            // MuPDF aborted: its WASM instance is in no state to draw again.
            fatal: error.cause instanceof Error && error.cause.name === 'RuntimeError',
            heapBytes: heapBytes(),
          }
        : { kind: 'bug', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    port.postMessage(reply);
  }
});
port.postMessage({ kind: 'ready' } satisfies WorkerReply);

function heapBytes(): number {
  return wasm.HEAPU8?.byteLength ?? 0;
}
