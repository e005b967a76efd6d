import { type Context, Hono } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import { updateProfile } from '../../accounts/accounts.js';
import { checkDisplayName, checkHandle, DISPLAY_NAME_MAX, HANDLE_MAX, HANDLE_MIN } from '../../accounts/profile.js';
import { isCurator } from '../../community/roles.js';
import { followHandle } from '../../community/submissions.js';
import { Refusal } from '../../model/refusal.js';
import { CSRF_FIELD, checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { accountContext, localPath, viewer } from '../session.js';
import { ownPage } from './signin.js';

/** The signed-in visitor's profile (display name, public handle) and sign-out buttons. */
export function accountPages(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, baseUrl, signer, now, trustProxy } = ctx;
  const limit = rateLimit({ limit: 60, windowSeconds: 600, trustProxy: trustProxy });

  function form(
    c: Context,
    account: Account,
    values: { handle: string; displayName: string },
    errors: string[],
    notice?: string,
  ) {
    return ownPage(
      c,
      baseUrl,
      'Your account',
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        {errors.length ? (
          <ul class="error" role="alert">
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        ) : null}
        {fields(c, account, values)}
      </>,
      errors.length ? 400 : 200,
    );
  }

  function fields(c: Context, account: Account, values: { handle: string; displayName: string }) {
    const token = csrfToken(c, signer, baseUrl);
    const next = c.req.query('next');
    return (
      <>
        <p>
          Signed in as <strong>{account.email}</strong>. Your email address is never shown to anyone.
        </p>
        {isCurator(account) ? (
          <p>
            You are {account.role === 'admin' ? 'an admin' : 'a curator'}: <a href="/admin">curation and moderation</a>.
          </p>
        ) : null}
        <form method="post" action="/account">
          <input type="hidden" name={CSRF_FIELD} value={token} />
          <p>
            <label>
              Display name
              <br />
              <input name="display_name" value={values.displayName} required maxlength={DISPLAY_NAME_MAX} size={40} />
            </label>
          </p>
          <p>
            <label>
              Public handle ({HANDLE_MIN} to {HANDLE_MAX} of a-z, 0-9, - and _)
              <br />
              <input
                name="handle"
                value={values.handle}
                required
                minlength={HANDLE_MIN}
                maxlength={HANDLE_MAX}
                pattern="@?[A-Za-z0-9][A-Za-z0-9_\-]*"
                size={30}
              />
            </label>
          </p>
          <p>
            <button type="submit">Save</button>
          </p>
        </form>
        {next && localPath(next) !== '/' ? (
          <p>
            <a href={localPath(next)}>Go back to where you were</a>
          </p>
        ) : null}
        <form method="post" action="/signout" class="inline">
          <input type="hidden" name={CSRF_FIELD} value={token} />
          <button type="submit">Sign out</button>
        </form>{' '}
        <form method="post" action="/signout/all" class="inline">
          <input type="hidden" name={CSRF_FIELD} value={token} />
          <button type="submit">Sign out everywhere</button>
        </form>
      </>
    );
  }

  app.get('/account', limit, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return c.redirect('/signin?next=/account', 303);
    const notice = c.req.query('welcome')
      ? 'Welcome! Choose the handle others will see next to your activity.'
      : c.req.query('saved')
        ? 'Saved.'
        : undefined;
    return form(c, account, account, [], notice);
  });

  app.post('/account', limit, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return c.redirect('/signin?next=/account', 303);
    const body = await checkedForm(c, signer);
    if (!body)
      return ownPage(
        c,
        baseUrl,
        'Please try again',
        <p>
          This form has expired. <a href="/account">Open it again</a> and resend it.
        </p>,
        403,
      );
    const entered = { handle: String(body.handle ?? ''), displayName: String(body.display_name ?? '') };
    const handle = checkHandle(entered.handle);
    const name = checkDisplayName(entered.displayName);
    const errors = [handle, name].flatMap((r) => (r.ok ? [] : [r.error]));
    if (!handle.ok || !name.ok) return form(c, account, entered, errors);
    try {
      await updateProfile(db, account.id, { handle: handle.value, displayName: name.value }, now());
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return refusalPage(c, baseUrl, error, { title: 'Your account', children: fields(c, account, entered) });
    }
    if (handle.value !== account.handle) await followHandle({ store: deps.store, db }, account.id, handle.value);
    return c.redirect('/account?saved=1', 303);
  });

  return app;
}
