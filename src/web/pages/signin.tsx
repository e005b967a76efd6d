import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import { accountForEmail } from '../../accounts/accounts.js';
import { checkEmail } from '../../accounts/profile.js';
import { createSession, endAllSessions, endSession } from '../../accounts/sessions.js';
import {
  checkSigninLink,
  LINK_MINUTES,
  type LinkCheck,
  requestSigninLink,
  useSigninLink,
} from '../../accounts/signin-links.js';
import { CSRF_FIELD, checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { rateLimit } from '../rate-limit.js';
import { clearSessionCookie, localPath, SESSION_COOKIE, setSessionCookie, viewer } from '../session.js';

/** Set when a link is asked for; the link works only in a browser that sends it back. */
export const NONCE_COOKIE = 'pb_signin';

type Status = 200 | 400 | 403 | 404 | 409 | 429;

/** A page about the visitor's own account: never cached, never sent as a Referer. */
export function ownPage(c: Context, baseUrl: string, title: string, body: Child, status: Status = 200) {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(
    <Layout title={`${title} | Paperboy`} path={new URL(c.req.url).pathname} baseUrl={baseUrl}>
      <h1>{title}</h1>
      {body}
    </Layout>,
    status,
  );
}

/** Sign in by a link sent by email (no passwords), and sign out. */
export function signinPages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;
  const { db, signer, clock: now } = deps;
  const trustProxy = deps.config.trustProxy ?? false;
  const page = (c: Context, title: string, body: Child, status: Status = 200) =>
    ownPage(c, baseUrl, title, body, status);
  const strict = rateLimit(
    { counts: deps.rateCounts, name: 'signin' },
    {
      limit: 10,
      windowSeconds: 600,
      trustProxy,
      onLimited: (c, s) =>
        page(
          c,
          'Too many tries',
          <p>Too many tries from your address. Please try again in {Math.ceil(s / 60)} minutes.</p>,
          429,
        ),
    },
  );
  const loose = rateLimit(
    { counts: deps.rateCounts, name: 'signin-pages' },
    { limit: 60, windowSeconds: 600, trustProxy },
  );
  // Signing out has its own budget: asking for a few links must not keep a reader from signing out everywhere.
  const signOut = rateLimit(
    { counts: deps.rateCounts, name: 'signout' },
    {
      limit: 30,
      windowSeconds: 600,
      trustProxy,
      onLimited: (c, s) =>
        page(
          c,
          'Too many tries',
          <p>Too many tries from your address. Please try again in {Math.ceil(s / 60)} minutes.</p>,
          429,
        ),
    },
  );
  const csrfField = (c: Context) => <input type="hidden" name={CSRF_FIELD} value={csrfToken(c, signer, baseUrl)} />;
  const expired = (c: Context) =>
    page(
      c,
      'Please try again',
      <p>
        This form has expired. <a href="/signin">Open it again</a> and resend it.
      </p>,
      403,
    );

  function signinForm(c: Context, next: string, email = '', error?: string) {
    return page(
      c,
      'Sign in',
      <>
        <p>
          No password: we email you a link that signs you in. It works once, for {LINK_MINUTES} minutes, in this
          browser. The first sign-in creates your account.
        </p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <form method="post" action="/signin">
          {csrfField(c)}
          <input type="hidden" name="next" value={next} />
          <p>
            <label>
              Email address
              <br />
              <input type="email" name="email" value={email} required autocomplete="email" size={40} />
            </label>
          </p>
          <p>
            <button type="submit">Email me a sign-in link</button>
          </p>
        </form>
      </>,
      error ? 400 : 200,
    );
  }

  app.get('/signin', loose, async (c) => {
    if (await viewer(c, db, now())) return c.redirect('/account', 303);
    return signinForm(c, localPath(c.req.query('next')));
  });

  app.post('/signin', strict, async (c) => {
    const body = await checkedForm(c, signer);
    if (!body) return expired(c);
    const next = localPath(body.next);
    const email = checkEmail(typeof body.email === 'string' ? body.email : '');
    if (!email.ok) return signinForm(c, next, typeof body.email === 'string' ? body.email : '', email.error);
    let nonce = getCookie(c, NONCE_COOKIE);
    if (!nonce || nonce.length > 64) nonce = randomBytes(18).toString('base64url');
    setCookie(c, NONCE_COOKIE, nonce, {
      path: '/signin',
      httpOnly: true,
      sameSite: 'Lax',
      secure: baseUrl.startsWith('https:'),
      maxAge: LINK_MINUTES * 60,
    });
    if (await requestSigninLink(db, { email: email.value, nonce, returnTo: next, baseUrl }, now())) deps.kick();
    // The same answer for every address, known or not, and past the per-address limit too.
    return page(
      c,
      'Check your inbox',
      <p>
        If <strong>{email.value}</strong> can receive mail, a message is on its way with a link that signs you in. Open
        it in this browser within {LINK_MINUTES} minutes.
      </p>,
    );
  });

  function linkProblem(c: Context, check: Exclude<LinkCheck, { ok: true }>) {
    if (check.reason === 'other-browser') {
      return page(
        c,
        'Open the link in the browser you asked from',
        <p>
          For your safety a sign-in link works only in the browser where it was asked for. Open it there, or{' '}
          <a href="/signin">ask for a new link</a> here.
        </p>,
        403,
      );
    }
    return page(
      c,
      'This link does not work',
      <p>
        The link is unknown, already used or expired. <a href="/signin">Ask for a new one</a>.
      </p>,
      404,
    );
  }

  // Opening the link only shows a button: a mail scanner that follows links signs nobody in.
  app.get('/signin/verify', loose, async (c) => {
    const token = c.req.query('token') ?? '';
    const check = await checkSigninLink(db, token, getCookie(c, NONCE_COOKIE), now());
    if (!check.ok) return linkProblem(c, check);
    return page(
      c,
      'Sign in',
      <form method="post" action={`/signin/verify?token=${encodeURIComponent(token)}`}>
        {csrfField(c)}
        <p>
          Sign in as <strong>{check.email}</strong>?
        </p>
        <button type="submit">Sign in</button>
      </form>,
    );
  });

  app.post('/signin/verify', strict, async (c) => {
    if (!(await checkedForm(c, signer))) return expired(c);
    const check = await useSigninLink(db, c.req.query('token') ?? '', getCookie(c, NONCE_COOKIE), now());
    if (!check.ok) return linkProblem(c, check);
    const { account, created } = await accountForEmail(db, check.email, now());
    if (account.bannedAt)
      return page(c, 'This account is banned', <p>An admin has banned this account, so it cannot sign in.</p>, 403);
    setSessionCookie(c, await createSession(db, account.id, now()), baseUrl);
    deleteCookie(c, NONCE_COOKIE, { path: '/signin', secure: baseUrl.startsWith('https:') });
    c.header('Cache-Control', 'no-store');
    return c.redirect(created ? `/account?welcome=1&next=${encodeURIComponent(check.returnTo)}` : check.returnTo, 303);
  });

  app.post('/signout', signOut, async (c) => {
    if (!(await checkedForm(c, signer))) return expired(c);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await endSession(db, token);
    clearSessionCookie(c, baseUrl);
    return c.redirect('/', 303);
  });

  app.post('/signout/all', signOut, async (c) => {
    if (!(await checkedForm(c, signer))) return expired(c);
    const account = await viewer(c, db, now());
    if (account) await endAllSessions(db, account.id);
    clearSessionCookie(c, baseUrl);
    return c.redirect('/', 303);
  });

  return app;
}
