import { Refusal } from '../model/refusal.js';

/**
 * The one error type of the ingestion boundary: a code a caller can branch on and a message that says what to do. A
 * Refusal, so that the command line shows it as a user's problem (a host down, a bad file), not a bug.
 */
export type SourceErrorCode =
  | 'offline' // the remote host could not be reached
  | 'http' // the remote answered with an HTTP error after retries
  | 'remote-error' // the remote answered 200 but its body is an error (arXiv error entry, OAI-PMH <error>)
  | 'parse' // the input is not valid XML / JSON / gzip
  | 'input' // a local file is missing or unreadable
  | 'too-large'; // a remote file is larger than this server reads

export class SourceError extends Refusal {
  override name = 'SourceError';
  declare readonly code: SourceErrorCode;
  constructor(code: SourceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
