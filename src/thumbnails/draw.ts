import * as mupdf from 'mupdf';
import { ThumbnailError } from './errors.js';

/** RGB pixels, 3 bytes each, rows top to bottom with no padding. */
export interface Raster {
  pixels: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
}

/** Sides further apart than this are not a page: the thumbnail would be a sliver or taller than a screen. */
const MAX_ASPECT = 8;

/** MuPDF's error lines for the drawing under way, for the message of a 'broken' PDF. */
let mupdfErrors: string[] = [];
mupdf.setLog({ error: (message) => mupdfErrors.push(message), warning: () => {} });

/**
 * Draws the first page of a PDF with MuPDF (WASM) straight at about `width` pixels wide (MuPDF rounds the page's
 * edges outwards, so perhaps one more). Synchronous and CPU-bound: about 35 ms for a typical paper's first page. Frees
 * every MuPDF object and empties MuPDF's cache before it returns, so nothing builds up from one PDF to the next.
 */
export function drawFirstPage(pdf: Uint8Array, width: number): Raster {
  mupdfErrors = [];
  let doc: mupdf.Document | undefined;
  let page: mupdf.Page | undefined;
  let pixmap: mupdf.Pixmap | undefined;
  try {
    doc = mupdf.Document.openDocument(pdf, 'application/pdf');
    if (!doc.isPDF()) {
      throw new ThumbnailError(
        'not-a-pdf',
        'The file has a PDF header but reads as another format: check the address it was downloaded from.',
      );
    }
    if (doc.needsPassword()) {
      throw new ThumbnailError(
        'encrypted',
        'This PDF is protected by a password, so no thumbnail can be made of it; the paper is shown without one.',
      );
    }
    if (doc.countPages() === 0) throw broken('it has no page that can be read');
    page = doc.loadPage(0);
    const [x0, y0, x1, y1] = page.getBounds();
    const [w, h] = [x1 - x0, y1 - y0];
    if (!(w >= 1 && h >= 1 && w / h <= MAX_ASPECT && h / w <= MAX_ASPECT)) {
      throw new ThumbnailError(
        'page-size',
        `The first page measures ${Math.round(w)} × ${Math.round(h)} points; a thumbnail is made only of a page whose ` +
          `sides are at least 1 point and within ${MAX_ASPECT} times each other. The paper is shown without one.`,
      );
    }
    const scale = width / w;
    pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
    const [pw, ph] = [pixmap.getWidth(), pixmap.getHeight()];
    if (pixmap.getStride() !== pw * 3) throw new Error(`MuPDF drew ${pw}-pixel rows ${pixmap.getStride()} bytes apart`);
    // A copy out of the WASM heap, which the next call may reuse or grow: its own ArrayBuffer, transferable.
    const pixels = new Uint8Array(pixmap.getPixels());
    return { pixels, width: pw, height: ph };
  } catch (error) {
    if (error instanceof ThumbnailError || !fromMupdf(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/malloc|overly large|out of memory/i.test(message)) {
      throw new ThumbnailError(
        'too-large',
        `Drawing this PDF's first page needs more memory than a thumbnail may take (MuPDF: ${message}); the paper is ` +
          'shown without one.',
        { cause: error },
      );
    }
    throw broken(message, error);
  } finally {
    pixmap?.destroy();
    page?.destroy();
    doc?.destroy();
    mupdf.emptyStore();
  }
}

/**
 * MuPDF reports a PDF it cannot handle with a plain Error, aborts (a WASM RuntimeError) on worse, and throws a string
 * for a few internal conditions; a TypeError or any other error is a bug in the calling code.
 */
function fromMupdf(error: unknown): boolean {
  return (
    typeof error === 'string' ||
    (error instanceof Error && (error.constructor === Error || error.name === 'RuntimeError'))
  );
}

function broken(why: string, cause?: unknown): ThumbnailError {
  const said = mupdfErrors.find((line) => line !== why);
  return new ThumbnailError(
    'broken',
    `This PDF cannot be read (${why}${said ? `; MuPDF: ${said}` : ''}). It is most often a download cut short: fetch ` +
      'it again; if it stays broken, the paper is shown without a thumbnail.',
    { cause },
  );
}
