import type { FC } from 'hono/jsx';
import { type ApiToken, MAX_TOKENS_PER_ACCOUNT, TOKEN_NAME_MAX, type TokenScope } from '../../accounts/api-tokens.js';
import { CSRF_FIELD } from '../csrf.js';

/** A token just made: shown on the page that answers its creation, and never again. */
export interface CreatedToken {
  token: string;
  info: ApiToken;
}

const SCOPE_LABEL: Record<TokenScope, string> = { read: 'read', write: 'read and write' };

/** `2026-07-01 09:05 UTC`: the same for every reader, as the times of the audit log. */
const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The new token, at the top of the page, with what to do with it. */
export const NewToken: FC<{ created: CreatedToken }> = ({ created }) => (
  <div class="notice new-token" role="status">
    <p>
      <strong>Your new token “{created.info.name}”</strong> ({SCOPE_LABEL[created.info.scope]}). Copy it now: it is not
      shown again.
    </p>
    <p class="token-value">
      <input
        id="new-token"
        readonly
        value={created.token}
        aria-label="Your new API token"
        spellcheck={false}
        autocomplete="off"
      />{' '}
      <button type="button" data-copy="new-token" hidden>
        Copy
      </button>
      <span data-copy-status aria-live="polite" />
    </p>
    <p class="hint">
      Send it as <code>Authorization: Bearer {created.token.slice(0, 7)}…</code> (see <a href="/docs">the API</a>).
      Anyone who has it acts as you: keep it out of shared code, and revoke it below if it leaks.
    </p>
  </div>
);

/** The account's API tokens: each with a revoke button, and the form that makes another. */
export const TokensSection: FC<{ csrf: string; tokens: ApiToken[]; errors?: string[] | undefined }> = ({
  csrf,
  tokens,
  errors,
}) => (
  <section class="tokens" id="tokens" aria-labelledby="tokens-title">
    <h2 id="tokens-title">API tokens</h2>
    <p>
      Scripts and tools use <a href="/docs">the JSON API</a> as you with a token. A <em>read</em> token reads what is
      yours; a <em>read and write</em> token also upvotes and changes your library.
    </p>
    {errors?.length ? (
      <ul class="error" role="alert">
        {errors.map((e) => (
          <li>{e}</li>
        ))}
      </ul>
    ) : null}
    {tokens.length ? (
      <ul class="token-list">
        {tokens.map((t) => (
          <li>
            <div>
              <strong>{t.name}</strong> <span class="scope">{SCOPE_LABEL[t.scope]}</span>
              <br />
              <small>
                created <time datetime={t.createdAt}>{at(t.createdAt)}</time>, last used{' '}
                {t.lastUsedAt ? <time datetime={t.lastUsedAt}>{at(t.lastUsedAt)}</time> : 'never'}
              </small>
            </div>
            <form method="post" action={`/account/tokens/${encodeURIComponent(t.id)}/revoke`}>
              <input type="hidden" name={CSRF_FIELD} value={csrf} />
              <button type="submit" aria-label={`Revoke ${t.name}`}>
                Revoke
              </button>
            </form>
          </li>
        ))}
      </ul>
    ) : (
      <p class="hint">You have no tokens.</p>
    )}
    {tokens.length < MAX_TOKENS_PER_ACCOUNT ? (
      <form method="post" action="/account/tokens" class="token-form">
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <p>
          <label>
            Name (what it is for)
            <br />
            <input name="name" maxlength={TOKEN_NAME_MAX} size={30} placeholder="e.g. my reading script" />
          </label>
        </p>
        <fieldset>
          <legend>Scope</legend>
          <label class="choice">
            <input type="radio" name="scope" value="read" checked /> read
          </label>{' '}
          <label class="choice">
            <input type="radio" name="scope" value="write" /> read and write
          </label>
        </fieldset>
        <p>
          <button type="submit">Create token</button>
        </p>
      </form>
    ) : (
      <p class="hint">
        You have {MAX_TOKENS_PER_ACCOUNT} tokens, as many as an account may: revoke one to create another.
      </p>
    )}
  </section>
);
