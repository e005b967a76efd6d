import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { Account } from '../../accounts/accounts.js';
import { SUBMISSION_INPUT_MAX, SUBMIT_WINDOW_DAYS, submitPaper } from '../../community/submissions.js';
import { Refusal } from '../../model/refusal.js';
import { paperPath } from '../components.js';
import { CSRF_FIELD, checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { viewer } from '../session.js';

/** Submissions each account, and each address, may try in SUBMIT_LIMIT_WINDOW seconds. */
export const SUBMIT_LIMIT_PER_ACCOUNT = 10;
export const SUBMIT_LIMIT_PER_ADDRESS = 30;
export const SUBMIT_LIMIT_WINDOW = 3600;

type Status = 200 | 403 | 429;

/** GET /submit: the form; POST /submit: submits a paper to today's feed (src/community/submissions.ts). */
export function submitPages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;

  function page(c: Context, title: string, body: Child, status: Status = 200) {
    c.header('Cache-Control', 'no-store');
    return c.html(
      <Layout title={`${title} | Paperboy`} path="/submit" baseUrl={baseUrl}>
        <h1>{title}</h1>
        {body}
      </Layout>,
      status,
    );
  }

  const { db, signer, clock: now } = deps;
  const trustProxy = deps.config.trustProxy ?? false;
  const tooMany = (c: Context, seconds: number) =>
    page(
      c,
      'Too many submissions',
      <p>You have submitted a lot in a short time. Please try again in {Math.ceil(seconds / 60)} minutes.</p>,
      429,
    );
  const perAddress = rateLimit(
    { counts: deps.rateCounts, name: 'submit-address' },
    {
      limit: SUBMIT_LIMIT_PER_ADDRESS,
      windowSeconds: SUBMIT_LIMIT_WINDOW,
      trustProxy,
      onLimited: tooMany,
    },
  );
  const perAccount = rateLimit(
    { counts: deps.rateCounts, name: 'submit-account' },
    {
      limit: SUBMIT_LIMIT_PER_ACCOUNT,
      windowSeconds: SUBMIT_LIMIT_WINDOW,
      trustProxy,
      onLimited: tooMany,
      key: async (c) => {
        const account = await viewer(c, db, now());
        return account ? `account:${account.id}` : undefined;
      },
    },
  );
  const loose = rateLimit(
    { counts: deps.rateCounts, name: 'submit-pages' },
    { limit: 60, windowSeconds: 600, trustProxy },
  );
  const toSignIn = (c: Context) => c.redirect('/signin?next=/submit', 303);

  function form(c: Context, account: Account, value: string) {
    return (
      <>
        <p>
          Found a paper worth reading? Submit it to today's feed by its arXiv id or link. Papers first published on
          arXiv in the last {SUBMIT_WINDOW_DAYS} days can be submitted, each once; it will show “submitted by{' '}
          {account.handle}”.
        </p>
        <form method="post" action="/submit">
          <input type="hidden" name={CSRF_FIELD} value={csrfToken(c, signer, baseUrl)} />
          <p>
            <label>
              arXiv id or link
              <br />
              <input
                name="paper"
                value={value.slice(0, SUBMISSION_INPUT_MAX)}
                required
                maxlength={SUBMISSION_INPUT_MAX}
                size={40}
                placeholder="2501.12345 or https://arxiv.org/abs/2501.12345"
                autocomplete="off"
              />
            </label>
          </p>
          <p>
            <button type="submit">Submit</button>
          </p>
        </form>
      </>
    );
  }

  app.get('/submit', loose, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return toSignIn(c);
    return page(c, 'Submit a paper', form(c, account, c.req.query('paper') ?? ''));
  });

  app.post('/submit', perAddress, perAccount, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return toSignIn(c);
    const body = await checkedForm(c, signer);
    if (!body)
      return page(
        c,
        'Please try again',
        <p>
          This form has expired. <a href="/submit">Open it again</a> and resend it.
        </p>,
        403,
      );
    const input = typeof body.paper === 'string' ? body.paper : '';
    try {
      const paperId = await submitPaper({ store: deps.store, db, fetchPaper: deps.fetchPaper }, account, input, now());
      return c.redirect(paperPath(paperId), 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return refusalPage(c, baseUrl, error, {
        title: 'Submit a paper',
        path: '/submit',
        children: form(c, account, input),
      });
    }
  });

  return app;
}
