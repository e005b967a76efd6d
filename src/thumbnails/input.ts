import { ThumbnailError } from './errors.js';

/** arXiv's first-page thumbnails are shown at about 200 CSS pixels wide: 400 covers screens of 2 device pixels per px. */
export const THUMBNAIL_WIDTH = 400;
const MIN_WIDTH = 16;
const MAX_WIDTH = 2000;
/** arXiv accepts submissions up to 50 MB; a bigger "paper" is not one worth parsing for a thumbnail. */
export const MAX_PDF_BYTES = 50_000_000;
/** ISO 32000 lets the header sit anywhere in the first 1,024 bytes (some generators put junk before it). */
const HEADER_WINDOW = 1024;

export interface RenderOptions {
  /** Of the thumbnail, in pixels; its height follows the page's shape. */
  width?: number;
  /** PDFs larger than this are refused unread. */
  maxBytes?: number;
}

/**
 * The checks that need no PDF parser: the width asked for, the size cap, and the `%PDF-` header. Cheap enough to run
 * on the web server's thread before the bytes are handed to a worker. Returns the width to render at.
 */
export function checkInput(pdf: Uint8Array, options: RenderOptions = {}): number {
  const width = options.width ?? THUMBNAIL_WIDTH;
  if (!Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH) {
    throw new RangeError(
      `A thumbnail's width is a whole number of pixels from ${MIN_WIDTH} to ${MAX_WIDTH}, not ${width}.`,
    );
  }
  const maxBytes = options.maxBytes ?? MAX_PDF_BYTES;
  if (pdf.byteLength > maxBytes) {
    throw new ThumbnailError(
      'too-large',
      `This PDF is ${megabytes(pdf.byteLength)}, over the ${megabytes(maxBytes)} limit for thumbnails: it was not read. ` +
        'The paper is shown without a thumbnail.',
    );
  }
  if (!hasPdfHeader(pdf)) {
    throw new ThumbnailError(
      'not-a-pdf',
      pdf.byteLength === 0
        ? 'The file is empty, not a PDF: download it again.'
        : `The file is not a PDF (it starts with “${preview(pdf)}”): check the address it was downloaded from, which may ` +
            'have answered with an error page or another format.',
    );
  }
  return width;
}

function hasPdfHeader(pdf: Uint8Array): boolean {
  return Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(pdf.byteLength, HEADER_WINDOW)).includes(
    '%PDF-',
    0,
    'latin1',
  );
}

/** The first bytes as printable text, for a message. */
function preview(pdf: Uint8Array): string {
  return Buffer.from(pdf.subarray(0, 24))
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
