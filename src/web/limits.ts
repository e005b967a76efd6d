/** The largest request line and headers taken (Node's own default): a longer URL is answered 431 (oversized.ts). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** The largest request body taken: a 10,000-character comment, every character percent-encoded, fits. */
export const MAX_BODY_BYTES = 256 * 1024;
