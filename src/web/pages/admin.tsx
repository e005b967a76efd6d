import { type Context, Hono } from 'hono';
import { raw } from 'hono/html';
import { isRole } from '../../accounts/accounts.js';
import { featuredPapers, handlesOf, hiddenPapers, openReports } from '../../community/admin-lists.js';
import { listAccounts, type ManagedAccount, setBanned, setRole } from '../../community/moderation.js';
import { can, isCurator } from '../../community/roles.js';
import { addDays, humanDay, isoDay } from '../../model/dates.js';
import { Refusal } from '../../model/refusal.js';
import { type AuditEntry, auditEntries } from '../../store/audit.js';
import { paperPath, userPath } from '../components.js';
import { CSRF_FIELD, checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { renderTitle } from '../math.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { accountContext, viewer } from '../session.js';
import { commentAnchor } from './comments.js';
import { CURATION_WRITES_PER_IP, CURATION_WRITES_WINDOW_SECONDS, expiredForm } from './curation-actions.js';
import { curatePath } from './curator-tools.js';
import { ownPage } from './signin.js';

const AUDIT_SHOWN = 50;
const FEATURED_DAYS = 14;

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function Hidden(props: { csrf: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.csrf} />;
}

function AuditTable(props: { entries: AuditEntry[]; handles: Map<string, string> }) {
  const name = (id: string) => (props.handles.has(id) ? `@${props.handles.get(id)!}` : id);
  const target = (e: AuditEntry) => {
    if (e.targetType === 'paper') return <a href={paperPath(e.targetId)}>{e.targetId}</a>;
    if (e.targetType === 'account')
      return props.handles.has(e.targetId) ? (
        <a href={userPath(props.handles.get(e.targetId)!)}>{name(e.targetId)}</a>
      ) : (
        e.targetId
      );
    return <>comment {e.targetId}</>;
  };
  return (
    <table class="admin">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Did</th>
          <th scope="col">To</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr>
            <td>{when(e.at)}</td>
            <td>{e.actorId ? name(e.actorId) : 'command line'}</td>
            <td>{e.action}</td>
            <td>{target(e)}</td>
            <td>{Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AccountRow(props: { account: ManagedAccount; csrf: string }) {
  const a = props.account;
  const action = `/admin/accounts/${encodeURIComponent(a.id)}`;
  return (
    <tr>
      <td>
        <a href={userPath(a.handle)}>@{a.handle}</a>
      </td>
      <td>{a.email}</td>
      <td>
        <form method="post" action={`${action}/role`} class="inline">
          <Hidden csrf={props.csrf} />
          <label class="skip" for={`role-${a.id}`}>
            Role of @{a.handle}
          </label>
          <select id={`role-${a.id}`} name="role">
            {(['member', 'curator', 'admin'] as const).map((r) => (
              <option value={r} selected={a.role === r}>
                {r}
              </option>
            ))}
          </select>{' '}
          <button type="submit">Set</button>
        </form>
      </td>
      <td>
        {a.bannedAt ? (
          <form method="post" action={`${action}/unban`} class="inline">
            <Hidden csrf={props.csrf} />
            banned {a.bannedAt.slice(0, 10)} <button type="submit">Unban</button>
          </form>
        ) : a.role === 'admin' ? (
          <span class="sub">admins cannot be banned</span>
        ) : (
          <form method="post" action={`${action}/ban`} class="inline">
            <Hidden csrf={props.csrf} />
            <button type="submit">Ban</button>
          </form>
        )}
      </td>
      <td>
        {a.createdAt.slice(0, 10)}
        {a.origin === 'cli' ? ' (command line)' : ''}
      </td>
    </tr>
  );
}

/**
 * /admin for curators and admins: open comment reports, hidden and featured papers, the audit log; admins also get
 * every account with its role and ban controls (POST /admin/accounts/:id/{role, ban, unban}).
 */
export function adminPages(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, baseUrl, signer, now, trustProxy } = ctx;
  const limit = rateLimit(
    { counts: deps.rateCounts, name: 'admin' },
    {
      limit: CURATION_WRITES_PER_IP,
      windowSeconds: CURATION_WRITES_WINDOW_SECONDS,
      trustProxy: trustProxy,
    },
  );
  const moderation = { db, engine: deps.store.engine };

  const forbidden = (c: Context) =>
    ownPage(
      c,
      baseUrl,
      'Curators only',
      <p>Only curators and admins can open this page. Ask an admin if you should be one.</p>,
      403,
    );

  app.get('/admin', async (c) => {
    const me = await viewer(c, db, now());
    if (!me) return c.redirect('/signin?next=/admin', 303);
    if (!isCurator(me)) return forbidden(c);
    const admin = can(me, 'set-role');
    const csrf = csrfToken(c, signer, baseUrl);
    const [reports, hidden, featured, audit, accounts] = await Promise.all([
      openReports(db),
      hiddenPapers(db),
      featuredPapers(db, addDays(isoDay(now()), -FEATURED_DAYS)),
      auditEntries(db, { limit: AUDIT_SHOWN }),
      admin ? listAccounts(db) : Promise.resolve([]),
    ]);
    const handles = await handlesOf(
      db,
      audit.flatMap((e) => [e.actorId ?? '', e.targetType === 'account' ? e.targetId : '']).filter(Boolean),
    );
    const notice = c.req.query('done');
    return ownPage(
      c,
      baseUrl,
      'Curation and moderation',
      <>
        {notice ? (
          <p class="notice" role="status">
            {notice === 'role'
              ? 'Role saved.'
              : notice === 'ban'
                ? 'Banned and signed out everywhere.'
                : notice === 'unban'
                  ? 'Ban lifted.'
                  : 'Done.'}
          </p>
        ) : null}
        <p>
          Signed in as @{me.handle}, {me.role}.
        </p>

        <h2 id="reports">Open reports</h2>
        {reports.length ? (
          <ul class="admin-list">
            {reports.map((r) => (
              <li>
                <a href={`${paperPath(r.paperId)}#${commentAnchor(r.commentId)}`}>
                  A comment by @{r.author} on {r.paperId}
                </a>{' '}
                reported by @{r.reporter} on {when(r.reportedAt)}: “{r.reason}”<blockquote>{r.excerpt}</blockquote>
              </li>
            ))}
          </ul>
        ) : (
          <p>No open reports.</p>
        )}

        <h2 id="hidden">Hidden papers</h2>
        {hidden.length ? (
          <ul class="admin-list">
            {hidden.map((p) => (
              <li>
                <a href={paperPath(p.id)}>{raw(renderTitle(p.title))}</a> ({p.id}), hidden {when(p.at)}{' '}
                <form method="post" action={curatePath(p.id)} class="inline">
                  <Hidden csrf={csrf} />
                  <input type="hidden" name="change" value="unhide" />
                  <input type="hidden" name="next" value="/admin" />
                  <button type="submit">Unhide</button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p>No hidden papers.</p>
        )}

        <h2 id="featured">Featured in the last {FEATURED_DAYS} days</h2>
        {featured.length ? (
          <ul class="admin-list">
            {featured.map((p) => (
              <li>
                <a href={`/day/${p.at}`}>{humanDay(p.at)}</a>: <a href={paperPath(p.id)}>{raw(renderTitle(p.title))}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p>No featured papers lately. Feature one from its page.</p>
        )}

        <h2 id="audit">Audit log</h2>
        {audit.length ? <AuditTable entries={audit} handles={handles} /> : <p>Nothing recorded yet.</p>}

        {admin ? (
          <>
            <h2 id="accounts">Accounts</h2>
            <table class="admin">
              <thead>
                <tr>
                  <th scope="col">Handle</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Ban</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((a) => (
                  <AccountRow account={a} csrf={csrf} />
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </>,
    );
  });

  app.post('/admin/accounts/:id/:change{role|ban|unban}', limit, async (c) => {
    c.header('Cache-Control', 'no-store');
    const me = await viewer(c, db, now());
    if (!me) return c.redirect('/signin?next=/admin', 303);
    const body = await checkedForm(c, signer);
    if (!body) return expiredForm(c, baseUrl, '/admin');
    const id = c.req.param('id');
    const change = c.req.param('change');
    try {
      if (change === 'role') {
        if (!isRole(body.role)) throw new Refusal('invalid', 'Choose a role: member, curator or admin.');
        await setRole(moderation, me, id, body.role, now());
      } else {
        await setBanned(moderation, me, id, change === 'ban', now());
      }
    } catch (error) {
      if (error instanceof Refusal) return refusalPage(c, baseUrl, error, { back: { href: '/admin#accounts' } });
      throw error;
    }
    return c.redirect(`/admin?done=${change}#accounts`, 303);
  });

  return app;
}
