import { Hono } from 'hono';
import { accountFromRow } from '../../accounts/accounts.js';
import { HANDLE_MAX } from '../../accounts/profile.js';
import { submissionsOf } from '../../community/submissions.js';
import { publicCollections } from '../../library/collections.js';
import { PaperList } from '../card.js';
import { userPath } from '../components.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { libraryPath } from './library.js';
import { notFoundPage } from './not-found.js';

/** /users/:handle: a member's public profile (handle, display name, the papers they submitted); never their address. */
export function userPages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;

  app.get('/users/:handle', async (c) => {
    const handle = c.req.param('handle').toLowerCase();
    const row =
      handle.length <= HANDLE_MAX
        ? await deps.db
            .selectFrom('accounts')
            .selectAll()
            .where('handle', '=', handle)
            .where('banned_at', 'is', null)
            .executeTakeFirst()
        : undefined;
    if (!row)
      return notFoundPage(
        c,
        baseUrl,
        'There is no member with this handle. Handles change: look for the paper instead.',
      );
    const account = accountFromRow(row);
    const [papers, collections] = await Promise.all([
      submissionsOf(deps.db, account.id),
      publicCollections(deps.db, account.id),
    ]);
    return c.html(
      <Layout
        title={`${account.displayName} (@${account.handle}) | Paperboy`}
        path={userPath(account.handle)}
        baseUrl={baseUrl}
      >
        <h1>
          {account.displayName} <span class="sub">@{account.handle}</span>
        </h1>
        {papers.length ? (
          <>
            <p class="sub">Papers submitted to the daily feed</p>
            <PaperList papers={papers} />
          </>
        ) : (
          <p>No papers submitted yet.</p>
        )}
        {collections.length ? (
          <section aria-labelledby="public-collections">
            <h2 id="public-collections">Collections</h2>
            <ul class="collections">
              {collections.map((col) => (
                <li>
                  <a href={libraryPath(col.id)}>{col.name}</a>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </Layout>,
    );
  });

  return app;
}
