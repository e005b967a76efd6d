import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Refusal, RefusalCode } from '../model/refusal.js';
import { paperPath } from './components.js';
import { Layout } from './layout.js';

export type RefusalStatus = 400 | 403 | 404 | 409 | 429 | 502 | 503;

/** The HTTP status of each refusal: the one place where a feature's refusal meets HTTP. */
const STATUS: Record<RefusalCode, RefusalStatus> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  'rate-limited': 429,
  unavailable: 503,
  locked: 403,
  'too-late': 403,
  'already-reported': 409,
  // The profile form is drawn again for the reader to choose another handle, as for any other field it refuses.
  taken: 400,
  exists: 409,
  'last-admin': 409,
  'is-admin': 409,
  'too-many': 409,
  // The paper missing is arXiv's, not a page of this site.
  'not-on-arxiv': 400,
  'too-old': 400,
  'already-submitted': 409,
  removed: 409,
  misconfigured: 503,
  offline: 503,
  http: 502,
  'remote-error': 502,
  parse: 502,
  input: 400,
  'too-large': 502,
};

export function statusOf(refusal: Refusal): RefusalStatus {
  return STATUS[refusal.code];
}

export interface RefusalPageOptions {
  /** The page's heading; by default "Not done". */
  title?: string | undefined;
  /** The page's path, for the layout (canonical link, current navigation item); by default the request's. */
  path?: string | undefined;
  /** A link back to where the reader came from. */
  back?: { href: string; label?: string } | undefined;
  /** Shown after the message: the form drawn again with what was sent, or what the reader wrote, to keep. */
  children?: Child;
}

/**
 * The page that says a request was refused: the refusal's message (with a link to the paper it is about, if any),
 * anything to keep or try again, and a way back; its status from statusOf. Never cached.
 */
export function refusalPage(
  c: Context,
  baseUrl: string,
  refusal: Refusal,
  options: RefusalPageOptions = {},
): Response | Promise<Response> {
  const title = options.title ?? 'Not done';
  c.header('Cache-Control', 'no-store');
  return c.html(
    <Layout title={`${title} | Paperboy`} path={options.path ?? new URL(c.req.url).pathname} baseUrl={baseUrl}>
      <h1>{title}</h1>
      <p class="error" role="alert">
        {refusal.message}
        {refusal.paperId ? (
          <>
            {' '}
            <a href={paperPath(refusal.paperId)}>See the paper</a>.
          </>
        ) : null}
      </p>
      {options.children}
      {options.back ? (
        <p>
          <a href={options.back.href}>{options.back.label ?? 'Go back'}</a>
        </p>
      ) : null}
    </Layout>,
    statusOf(refusal),
  );
}
