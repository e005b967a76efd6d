/** The one error type of the ingestion boundary: a code a caller can branch on and a message that says what to do. */
export type SourceErrorCode =
  | 'offline' // the remote host could not be reached
  | 'http' // the remote answered with an HTTP error after retries
  | 'remote-error' // the remote answered 200 but its body is an error (arXiv error entry, OAI-PMH <error>)
  | 'parse' // the input is not valid XML / JSON / gzip
  | 'input'; // a local file is missing or unreadable

export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
