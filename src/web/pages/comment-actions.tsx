import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { Account } from '../../accounts/accounts.js';
import {
  deleteComment,
  editComment,
  postComment,
  reportComment,
  resolveReports,
  setCommentHidden,
} from '../../community/comments.js';
import { Refusal } from '../../model/refusal.js';
import { paperPath } from '../components.js';
import { checkedForm } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { accountContext, viewer } from '../session.js';
import { CommentForm, commentAnchor, EditForm } from './comments.js';

/** Comment writes of every kind (post, edit, delete, report, curator actions) from one address per window. */
export const COMMENT_WRITES_PER_IP = 60;
export const COMMENT_WRITES_WINDOW_SECONDS = 600;

type Status = 200 | 403 | 429;
type Form = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * POST /papers/:id/comments (a comment, or a reply with `parent`) and /papers/:id/comments/:comment/{edit, delete,
 * report, hide, unhide, resolve}: plain form posts from src/web/pages/comments.tsx, answered with a redirect back to
 * the comment, or with a page that says what went wrong (keeping what the reader wrote). Signed out: to sign-in.
 */
export function commentRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const ctx = accountContext(deps);
  const { db, baseUrl, signer, now, trustProxy } = ctx;

  function page(c: Context, status: Status, paperId: string, title: string, body: Child) {
    c.header('Cache-Control', 'no-store');
    return c.html(
      <Layout title={`${title} | Paperboy`} path={paperPath(paperId)} baseUrl={baseUrl}>
        <h1>{title}</h1>
        {body}
        <p>
          <a href={`${paperPath(paperId)}#comments`}>Back to the paper</a>
        </p>
      </Layout>,
      status,
    );
  }

  const limited = rateLimit(
    { counts: deps.rateCounts, name: 'comments' },
    {
      limit: COMMENT_WRITES_PER_IP,
      windowSeconds: COMMENT_WRITES_WINDOW_SECONDS,
      trustProxy: trustProxy,
      onLimited: (c, seconds) =>
        page(
          c,
          429,
          c.req.param('id') ?? '',
          'Too many tries',
          <p role="alert">
            Too many comment actions from your address. Please try again in {Math.ceil(seconds / 60)} minutes.
          </p>,
        ),
    },
  );

  /**
   * Runs one action for a signed-in reader whose form is genuine. The action returns where to go next, or a page;
   * a refusal is shown with its message, and `again` draws the form once more with what was sent.
   */
  function action(
    run: (
      c: Context,
      account: Account,
      form: Form,
      ids: { paperId: string; commentId: string },
    ) => Promise<string | Response>,
    again?: (ids: { paperId: string; commentId: string }, form: Form) => Child,
  ) {
    return async (c: Context) => {
      const ids = { paperId: c.req.param('id') ?? '', commentId: c.req.param('comment') ?? '' };
      c.header('Cache-Control', 'no-store');
      const account = await viewer(c, db, now());
      if (!account) return c.redirect(`/signin?next=${encodeURIComponent(paperPath(ids.paperId))}`, 303);
      const form = await checkedForm(c, signer);
      if (!form)
        return page(
          c,
          403,
          ids.paperId,
          'Please try again',
          <p role="alert">This form has expired. Go back, reload the page and send it again.</p>,
        );
      try {
        const next = await run(c, account, form, ids);
        return typeof next === 'string' ? c.redirect(next, 303) : next;
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        const retry =
          again && (error.code === 'invalid' || error.code === 'rate-limited') ? again(ids, form) : undefined;
        const written = text(form.body).trim();
        return refusalPage(c, baseUrl, error, {
          title: 'That did not work',
          path: paperPath(ids.paperId),
          back: { href: `${paperPath(ids.paperId)}#comments`, label: 'Back to the paper' },
          children:
            retry ??
            (written ? (
              <label class="comment-field">
                What you wrote, to keep
                <textarea readonly rows={5}>
                  {written}
                </textarea>
              </label>
            ) : null),
        });
      }
    };
  }

  const to = (paperId: string, commentId: string) => `${paperPath(paperId)}#${commentAnchor(commentId)}`;
  const one = '/papers/:id{.+}/comments/:comment{[A-Za-z0-9_-]+}';

  app.post(
    '/papers/:id{.+}/comments',
    limited,
    action(
      async (_c, account, form, { paperId }) => {
        const parentId = text(form.parent) || undefined;
        return to(paperId, await postComment(deps.store, account, paperId, { body: form.body, parentId }, now()));
      },
      ({ paperId }, form) => (
        <CommentForm paperId={paperId} parentId={text(form.parent) || undefined} body={text(form.body)} />
      ),
    ),
  );

  app.post(
    `${one}/edit`,
    limited,
    action(
      async (_c, account, form, { paperId, commentId }) => {
        await editComment(db, account, paperId, commentId, form.body, now());
        return to(paperId, commentId);
      },
      ({ paperId, commentId }, form) => <EditForm paperId={paperId} commentId={commentId} body={text(form.body)} />,
    ),
  );

  app.post(
    `${one}/delete`,
    limited,
    action(async (_c, account, _form, { paperId, commentId }) => {
      await deleteComment(deps.store, account, paperId, commentId, now());
      return `${paperPath(paperId)}#comments`;
    }),
  );

  app.post(
    `${one}/report`,
    limited,
    action(async (c, account, form, { paperId, commentId }) => {
      await reportComment(db, account, paperId, commentId, { reason: form.reason, detail: form.detail }, now());
      return page(c, 200, paperId, 'Thank you', <p role="status">The curators will look at this comment.</p>);
    }),
  );

  for (const [name, hidden] of [
    ['hide', true],
    ['unhide', false],
  ] as const) {
    app.post(
      `${one}/${name}`,
      limited,
      action(async (_c, account, _form, { paperId, commentId }) => {
        await setCommentHidden(deps.store, account, paperId, commentId, hidden, now());
        return to(paperId, commentId);
      }),
    );
  }

  app.post(
    `${one}/resolve`,
    limited,
    action(async (_c, account, _form, { paperId, commentId }) => {
      await resolveReports(db, account, paperId, commentId, now());
      return to(paperId, commentId);
    }),
  );

  return app;
}
