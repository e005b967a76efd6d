import { type Context, Hono } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import { updateProfile } from '../../accounts/accounts.js';
import { createApiToken, isTokenScope, listApiTokens, revokeApiToken } from '../../accounts/api-tokens.js';
import { checkDisplayName, checkHandle, DISPLAY_NAME_MAX, HANDLE_MAX, HANDLE_MIN } from '../../accounts/profile.js';
import { isCurator } from '../../community/roles.js';
import { followHandle } from '../../community/submissions.js';
import { listFollows } from '../../digest/follows.js';
import { Refusal } from '../../model/refusal.js';
import { CSRF_FIELD, checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage, statusOf } from '../refusal.js';
import { accountContext, localPath, viewer } from '../session.js';
import { FollowsSection } from './account-follows.js';
import { type CreatedToken, NewToken, TokensSection } from './account-tokens.js';
import { ownPage } from './signin.js';

/** The signed-in visitor's profile (display name, public handle), follows, API tokens and sign-out buttons. */
export function accountPages(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, baseUrl, signer, now, trustProxy } = ctx;
  const limit = rateLimit(
    { counts: deps.rateCounts, name: 'account' },
    { limit: 60, windowSeconds: 600, trustProxy: trustProxy },
  );

  async function form(
    c: Context,
    account: Account,
    values: { handle: string; displayName: string },
    errors: string[],
    more: { notice?: string | undefined; created?: CreatedToken; tokenErrors?: string[]; status?: 400 | 409 } = {},
  ) {
    const { notice, created, tokenErrors } = more;
    const token = csrfToken(c, signer, baseUrl);
    const [tokens, follows] = await Promise.all([listApiTokens(db, account.id), listFollows(db, account, now())]);
    return ownPage(
      c,
      baseUrl,
      'Your account',
      <>
        {created ? <NewToken created={created} /> : null}
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
        {fields(c, account, values, token)}
        <FollowsSection csrf={token} follows={follows} />
        <TokensSection csrf={token} tokens={tokens} errors={tokenErrors} />
      </>,
      more.status ?? (errors.length ? 400 : 200),
    );
  }

  function fields(c: Context, account: Account, values: { handle: string; displayName: string }, token: string) {
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

  const expired = (c: Context) =>
    ownPage(
      c,
      baseUrl,
      'Please try again',
      <p>
        This form has expired. <a href="/account">Open it again</a> and resend it.
      </p>,
      403,
    );

  app.get('/account', limit, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return c.redirect('/signin?next=/account', 303);
    const revoked = c.req.query('revoked');
    const notice = c.req.query('welcome')
      ? 'Welcome! Choose the handle others will see next to your activity.'
      : c.req.query('saved')
        ? 'Saved.'
        : revoked === '1'
          ? 'Token revoked: it no longer works.'
          : revoked === '0'
            ? 'That token was revoked already.'
            : undefined;
    return form(c, account, account, [], { notice });
  });

  app.post('/account', limit, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return c.redirect('/signin?next=/account', 303);
    const body = await checkedForm(c, signer);
    if (!body) return expired(c);
    const entered = { handle: String(body.handle ?? ''), displayName: String(body.display_name ?? '') };
    const handle = checkHandle(entered.handle);
    const name = checkDisplayName(entered.displayName);
    const errors = [handle, name].flatMap((r) => (r.ok ? [] : [r.error]));
    if (!handle.ok || !name.ok) return form(c, account, entered, errors);
    try {
      await updateProfile(db, account.id, { handle: handle.value, displayName: name.value }, now());
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return refusalPage(c, baseUrl, error, {
        title: 'Your account',
        children: fields(c, account, entered, csrfToken(c, signer, baseUrl)),
      });
    }
    if (handle.value !== account.handle) await followHandle({ store: deps.store, db }, account.id, handle.value);
    return c.redirect('/account?saved=1', 303);
  });

  // A new token is shown on the answer to this post, once: it is not stored, so no later page can show it.
  app.post('/account/tokens', limit, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return c.redirect('/signin?next=/account', 303);
    const body = await checkedForm(c, signer);
    if (!body) return expired(c);
    const scope = body.scope ?? 'read';
    try {
      if (!isTokenScope(scope)) throw new Refusal('invalid', 'Choose the scope of the token: read, or read and write.');
      const created = await createApiToken(db, account.id, { name: body.name, scope }, now());
      return form(c, account, account, [], { created });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const status = statusOf(error) === 409 ? 409 : 400;
      return form(c, account, account, [], { tokenErrors: [error.message], status });
    }
  });

  app.post('/account/tokens/:id/revoke', limit, async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return c.redirect('/signin?next=/account', 303);
    if (!(await checkedForm(c, signer))) return expired(c);
    const revoked = await revokeApiToken(db, c.req.param('id'), account.id);
    return c.redirect(`/account?revoked=${revoked ? 1 : 0}#tokens`, 303);
  });

  return app;
}
