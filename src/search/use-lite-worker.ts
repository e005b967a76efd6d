import { parentPort } from 'node:worker_threads';
import type { UseLiteReply, UseLiteRequest } from './use-lite-embedder.js';
import { UseLiteModel } from './use-lite-model.js';

/** The thread UseLiteEmbedder starts: loads the model once, then embeds the batches it is sent, one at a time. */
const port = parentPort!;
try {
  const model = await UseLiteModel.load();
  port.on('message', async (request: UseLiteRequest) => {
    try {
      const vectors = await model.embed(request.texts);
      const flat = new Float32Array(vectors.length * (vectors[0]?.length ?? 0));
      vectors.forEach((v, i) => {
        flat.set(v, i * v.length);
      });
      port.postMessage({ kind: 'embedded', vectors: flat } satisfies UseLiteReply, [flat.buffer]);
    } catch (error) {
      port.postMessage({ kind: 'failed', message: describe(error) } satisfies UseLiteReply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies UseLiteReply);
} catch (error) {
  port.postMessage({ kind: 'failed', message: describe(error) } satisfies UseLiteReply);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
