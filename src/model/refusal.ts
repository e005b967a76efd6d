/**
 * Every reason Paperboy refuses a user, one closed list: features branch on these, the site maps each to an HTTP
 * status (src/web/refusal.tsx), the command line prints the message of any of them without a stack.
 */
export const REFUSAL_CODES = [
  // Any feature
  'invalid', // the input cannot be taken as it is: the message says what to send instead
  'forbidden', // this account (or role) may not do this
  'not-found', // the thing acted on does not exist, or is hidden from this account
  'rate-limited', // too much in a short time: wait, then try again
  'unavailable', // this server cannot do it now, or is not set up to (e.g. it cannot reach arXiv)
  // Comments
  'locked', // a curator locked the paper's discussion
  'too-late', // the time to edit has passed
  'already-reported', // this account already reported the comment
  // Accounts and moderation
  'taken', // another account holds the handle
  'exists', // the account (or handle) to create exists already
  'last-admin', // the last admin cannot be given another role
  'is-admin', // an admin cannot be banned
  'too-many', // the account holds as many of these (API tokens) as it may: remove one first
  // Submissions
  'not-on-arxiv', // arXiv has no paper with the id given
  'too-old', // the paper was first published too long ago to be submitted
  'already-submitted', // someone submitted the paper, here or on Hugging Face
  'removed', // the curators removed the paper
  // Configuration (ConfigError, src/config/config.ts)
  'misconfigured',
  // Ingestion (SourceError, src/ingest/errors.ts says what each means)
  'offline',
  'http',
  'remote-error',
  'parse',
  'input',
  'too-large',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface RefusalOptions {
  /** The paper on this site the refusal is about, when the reader may want to open it (e.g. one already submitted). */
  paperId?: string | undefined;
  cause?: unknown;
}

/**
 * The one error type from features to the site and the command line: a request that was refused, with a code to
 * branch on and a message, written for the user, that says what to do next. Anything else thrown is a bug.
 */
export class Refusal extends Error {
  override name = 'Refusal';
  readonly paperId: string | undefined;

  constructor(
    readonly code: RefusalCode,
    message: string,
    options: RefusalOptions = {},
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.paperId = options.paperId;
  }
}
