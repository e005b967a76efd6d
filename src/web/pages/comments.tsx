import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Account } from '../../accounts/accounts.js';
import {
  BODY_MAX,
  canStillEdit,
  EDIT_GRACE_MINUTES,
  REPORT_DETAIL_MAX,
  REPORT_REASONS,
} from '../../community/comments.js';
import { can, isCurator } from '../../community/roles.js';
import { commentThread, type ThreadComment } from '../../community/thread.js';
import { humanDay } from '../../model/dates.js';
import type { Paper } from '../../model/paper.js';
import { paperPath, userPath } from '../components.js';
import type { WebDeps } from '../deps.js';
import { viewer } from '../session.js';

export const commentsPath = (paperId: string) => `${paperPath(paperId)}/comments`;
export const commentPath = (paperId: string, commentId: string, action: string) =>
  `${commentsPath(paperId)}/${commentId}/${action}`;
export const commentAnchor = (commentId: string) => `comment-${commentId}`;

/** What the discussion of a paper shows to one reader. */
export interface CommentsView {
  paper: Pick<Paper, 'id' | 'communityComments' | 'commentsLockedAt'>;
  thread: ThreadComment[];
  viewer: Account | undefined;
  now: Date;
}

/**
 * The discussion is drawn for each request, because what a reader may do depends on who they are (their own
 * comments, curators). Its forms carry the empty CSRF field that src/web/personalize.ts fills for a signed-in reader.
 */
export async function commentsView(
  c: Context,
  deps: WebDeps,
  paper: CommentsView['paper'],
): Promise<CommentsView | undefined> {
  const now = deps.clock();
  const account = await viewer(c, deps.db, now);
  const thread = await commentThread(deps.db, paper.id, { curator: isCurator(account) });
  return { paper, thread, viewer: account, now };
}

const CsrfField = () => <input type="hidden" name="csrf" value="" data-csrf />;

const when = (iso: string) => `${humanDay(iso.slice(0, 10))}, ${iso.slice(11, 16)} UTC`;

function BodyField(props: { label: string; value?: string; rows?: number }) {
  return (
    <label class="comment-field">
      {props.label}
      <textarea name="body" rows={props.rows ?? 5} maxlength={BODY_MAX} required>
        {props.value ?? ''}
      </textarea>
    </label>
  );
}

const MARKDOWN_HINT =
  'Markdown: *emphasis*, [links](https://…), `code`, lists, > quotes, and TeX math in $…$ or $$…$$.';

/** The form that posts a new comment, or a reply when `parentId` is given; also shown again with an error. */
export function CommentForm(props: { paperId: string; parentId?: string | undefined; body?: string; label?: string }) {
  return (
    <form class="comment-form" method="post" action={commentsPath(props.paperId)}>
      <CsrfField />
      {props.parentId ? <input type="hidden" name="parent" value={props.parentId} /> : null}
      <BodyField
        label={props.label ?? (props.parentId ? 'Your reply' : 'Add to the discussion')}
        value={props.body ?? ''}
      />
      <p class="hint">{MARKDOWN_HINT}</p>
      <button type="submit">{props.parentId ? 'Post reply' : 'Post comment'}</button>
    </form>
  );
}

export function EditForm(props: { paperId: string; commentId: string; body: string }) {
  return (
    <form class="comment-form" method="post" action={commentPath(props.paperId, props.commentId, 'edit')}>
      <CsrfField />
      <BodyField label="Your comment" value={props.body} />
      <p class="hint">You can edit a comment for {EDIT_GRACE_MINUTES} minutes after posting it.</p>
      <button type="submit">Save</button>
    </form>
  );
}

function ReportForm(props: { paperId: string; commentId: string }) {
  return (
    <form class="comment-form" method="post" action={commentPath(props.paperId, props.commentId, 'report')}>
      <CsrfField />
      <fieldset>
        <legend>What is wrong with this comment?</legend>
        {Object.entries(REPORT_REASONS).map(([key, label]) => (
          <label class="choice">
            <input type="radio" name="reason" value={key} required /> {label}
          </label>
        ))}
      </fieldset>
      <label class="comment-field">
        Details (needed for “{REPORT_REASONS.other}”)
        <textarea name="detail" rows={2} maxlength={REPORT_DETAIL_MAX} />
      </label>
      <button type="submit">Report to the curators</button>
    </form>
  );
}

/** A one-button form. */
function ActionButton(props: { action: string; label: string }) {
  return (
    <form class="inline" method="post" action={props.action}>
      <CsrfField />
      <button type="submit">{props.label}</button>
    </form>
  );
}

function Actions(props: { view: CommentsView; comment: ThreadComment }) {
  const { view, comment } = props;
  const me = view.viewer;
  if (!me) return null;
  const paperId = view.paper.id;
  const locked = !!view.paper.commentsLockedAt;
  const mine = comment.author.id === me.id;
  const deleted = comment.removed === 'deleted';
  const parts = [];
  if (!comment.removed && !locked && can(me, 'comment')) {
    parts.push(
      <details>
        <summary>Reply</summary>
        <CommentForm paperId={paperId} parentId={comment.id} />
      </details>,
    );
  }
  if (mine && !comment.removed && !locked && canStillEdit(comment, view.now)) {
    parts.push(
      <details>
        <summary>Edit</summary>
        <EditForm paperId={paperId} commentId={comment.id} body={comment.body} />
      </details>,
    );
  }
  if (mine && !deleted) {
    parts.push(
      <details>
        <summary>Delete</summary>
        <ActionButton action={commentPath(paperId, comment.id, 'delete')} label="Delete this comment" />
      </details>,
    );
  }
  if (!mine && !comment.removed && can(me, 'report')) {
    parts.push(
      <details>
        <summary>Report</summary>
        <ReportForm paperId={paperId} commentId={comment.id} />
      </details>,
    );
  }
  if (isCurator(me) && !deleted) {
    parts.push(
      comment.removed === 'hidden' ? (
        <ActionButton action={commentPath(paperId, comment.id, 'unhide')} label="Show again" />
      ) : (
        <ActionButton action={commentPath(paperId, comment.id, 'hide')} label="Hide" />
      ),
    );
    if (comment.openReports > 0) {
      parts.push(
        <span class="reports">
          {comment.openReports} open {comment.openReports === 1 ? 'report' : 'reports'}
        </span>,
        <ActionButton action={commentPath(paperId, comment.id, 'resolve')} label="Dismiss reports" />,
      );
    }
  }
  return parts.length ? <div class="comment-actions">{parts}</div> : null;
}

function Comment(props: { view: CommentsView; comment: ThreadComment }) {
  const { view, comment } = props;
  const curator = isCurator(view.viewer);
  // A removed comment kept for its replies shows no author or text; curators still see what they hid.
  const placeholder = comment.removed === 'deleted' || (comment.removed === 'hidden' && !curator);
  return (
    <li class="comment" id={commentAnchor(comment.id)}>
      <article>
        <header class="meta">
          {placeholder ? null : (
            <>
              <a href={userPath(comment.author.handle)}>{comment.author.displayName}</a>{' '}
              <span>@{comment.author.handle}</span> ·{' '}
            </>
          )}
          <a href={`#${commentAnchor(comment.id)}`}>
            <time datetime={comment.createdAt}>{when(comment.createdAt)}</time>
          </a>
          {comment.editedAt && !placeholder ? ' · edited' : ''}
          {comment.replyTo ? <> · in reply to @{comment.replyTo}</> : null}
          {comment.removed === 'hidden' && curator ? <strong class="tag"> hidden by a curator</strong> : null}
        </header>
        {placeholder ? (
          <p class="removed">{comment.removed === 'deleted' ? '[deleted]' : '[hidden by a curator]'}</p>
        ) : (
          <div class="comment-body">{raw(comment.html)}</div>
        )}
        <Actions view={view} comment={comment} />
      </article>
      {comment.replies.length ? (
        <ol class="comments">
          {comment.replies.map((r) => (
            <Comment view={view} comment={r} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

/** The discussion under a paper: a form to join it (or a way to sign in), then the thread. */
export function CommentsSection(props: { view: CommentsView }) {
  const { view } = props;
  const { paper } = view;
  const count = paper.communityComments;
  return (
    <section class="discussion" aria-labelledby="comments">
      <h2 id="comments">
        Discussion <span class="sub">{count === 1 ? '1 comment' : `${count} comments`}</span>
      </h2>
      {paper.commentsLockedAt ? (
        <p class="notice" role="status">
          A curator has locked this discussion: it can be read, but no new comments or replies can be added.
        </p>
      ) : view.viewer ? (
        can(view.viewer, 'comment') ? (
          <CommentForm paperId={paper.id} />
        ) : null
      ) : (
        <p>
          <a href={`/signin?next=${encodeURIComponent(paperPath(paper.id))}`}>Sign in</a> to join the discussion.
        </p>
      )}
      {view.thread.length ? (
        <ol class="comments">
          {view.thread.map((comment) => (
            <Comment view={view} comment={comment} />
          ))}
        </ol>
      ) : (
        <p class="sub">No comments yet.</p>
      )}
    </section>
  );
}
