import { drawFirstPage } from './draw.js';
import { encodeThumbnail, type Thumbnail } from './encode.js';
import { checkInput, type RenderOptions } from './input.js';

export type { Thumbnail } from './encode.js';
export type { RenderOptions } from './input.js';

/**
 * The first page of a PDF as a WebP image about 400 pixels wide, in the calling thread: MuPDF draws the page (about
 * 35 ms of CPU for a typical paper, during which this thread does nothing else), sharp encodes it. The site goes
 * through ThumbnailRenderer (renderer.ts) instead, which draws in a worker thread. Throws ThumbnailError when the PDF
 * cannot give a thumbnail.
 */
export async function renderFirstPage(pdf: Uint8Array, options: RenderOptions = {}): Promise<Thumbnail> {
  const width = checkInput(pdf, options);
  return encodeThumbnail(drawFirstPage(pdf, width), width);
}
