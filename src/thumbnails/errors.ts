/**
 * Why a PDF got no thumbnail. Each is about the PDF, not a bug: a caller records it and shows the paper without a
 * thumbnail; rendering the same bytes again gives the same answer, except after 'timeout' on a busy machine.
 */
export type ThumbnailReason =
  | 'not-a-pdf' // the bytes are not a PDF (an HTML error page, an image, nothing)
  | 'encrypted' // the PDF needs a password to be opened
  | 'broken' // a PDF that cannot be read or has no page to render (truncated, damaged)
  | 'too-large' // over the size cap, or its page needs more memory than a thumbnail may take
  | 'page-size' // the first page's sides are absurd (under a point, or one over 8 times the other)
  | 'timeout' // rendering took longer than the renderer allows
  | 'closed'; // the renderer was closed before it got to this PDF

export class ThumbnailError extends Error {
  override name = 'ThumbnailError';

  constructor(
    readonly reason: ThumbnailReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A ThumbnailError's fields as they cross between threads (structured clone keeps only `message` of an Error). */
export interface ThumbnailFailure {
  reason: ThumbnailReason;
  message: string;
}
