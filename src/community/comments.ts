import { type Kysely, sql, type Transaction } from 'kysely';
import type { Account } from '../accounts/accounts.js';
import { randomId } from '../crypto/tokens.js';
import { Refusal } from '../model/refusal.js';
import { cleanLine, cleanText } from '../model/text.js';
import { recordAudit } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { COMMENT_RENDERER_VERSION, renderCommentMarkdown } from './markdown.js';
import { can } from './roles.js';

type Db = Kysely<Database>;
type Trx = Transaction<Database>;
type Actor = Pick<Account, 'id' | 'role' | 'bannedAt'>;

export const BODY_MAX = 10_000;
/** An author may correct a comment for this long after posting it; after that, a reply adds to it. */
export const EDIT_GRACE_MINUTES = 15;
/** Replies deeper than this are shown at this depth, each saying whom it answers. */
export const MAX_DISPLAY_DEPTH = 6;
/** New comments (and replies) one account may post per window. */
export const COMMENTS_PER_WINDOW = 10;
export const COMMENT_WINDOW_MINUTES = 10;
export const REPORT_DETAIL_MAX = 500;
export const REPORT_REASONS = {
  spam: 'Spam or advertising',
  abuse: 'Harassment or abuse',
  'off-topic': 'Off topic',
  other: 'Something else',
} as const;
export type ReportReason = keyof typeof REPORT_REASONS;

/** A comment's columns for its text: the Markdown and its HTML, written together. */
export const bodyColumns = (body: string) => ({
  body,
  body_html: renderCommentMarkdown(body),
  body_html_version: COMMENT_RENDERER_VERSION,
});

/** The body as stored: control characters removed, line endings made uniform, the ends trimmed; refused when empty or too long. */
export function checkBody(input: unknown): string {
  const body = cleanText(typeof input === 'string' ? input : '')
    .replace(/\r\n?/g, '\n')
    .trim();
  if (!body) throw new Refusal('invalid', 'The comment is empty. Write something, then post it.');
  if (body.length > BODY_MAX) {
    throw new Refusal(
      'invalid',
      `A comment can be at most ${BODY_MAX.toLocaleString('en')} characters; this one has ${body.length.toLocaleString('en')}. Shorten it or split it into two comments.`,
    );
  }
  return body;
}

export interface CommentRow {
  id: string;
  paperId: string;
  accountId: string;
  parentId: string | null;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  hiddenAt: string | null;
}

export function canStillEdit(comment: Pick<CommentRow, 'createdAt'>, now: Date): boolean {
  return now.getTime() - Date.parse(comment.createdAt) <= EDIT_GRACE_MINUTES * 60_000;
}

/** Moves the paper's live comment count, and its trending score with it, inside the caller's transaction. */
async function openPaper(trx: Trx, paperId: string): Promise<void> {
  const paper = await trx
    .selectFrom('papers')
    .select(['comments_locked_at', 'hidden_at'])
    .where('id', '=', paperId)
    .executeTakeFirst();
  if (!paper || paper.hidden_at) throw new Refusal('not-found', `There is no paper ${paperId}.`);
  if (paper.comments_locked_at) {
    throw new Refusal(
      'locked',
      'A curator has locked the discussion of this paper: you can read it, but no longer add to it.',
    );
  }
}

/** The comment, when it is on this paper. */
async function commentOn(db: Db | Trx, paperId: string, commentId: string): Promise<CommentRow> {
  const row = await db.selectFrom('comments').selectAll().where('id', '=', commentId).executeTakeFirst();
  if (!row || row.paper_id !== paperId)
    throw new Refusal(
      'not-found',
      'There is no such comment on this paper; it may have been removed. Reload the page.',
    );
  return {
    id: row.id,
    paperId: row.paper_id,
    accountId: row.account_id,
    parentId: row.parent_id,
    body: row.body,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    hiddenAt: row.hidden_at,
  };
}

/** Posts a comment on a paper, or a reply to one of its comments. Returns the new comment's id. */
export async function postComment(
  store: Store,
  account: Actor,
  paperId: string,
  input: { body: unknown; parentId?: string | undefined },
  now: Date,
): Promise<string> {
  if (!can(account, 'comment')) throw new Refusal('forbidden', 'Your account may not comment.');
  const text = bodyColumns(checkBody(input.body));
  return store.transaction(async (trx, papers) => {
    await openPaper(trx, paperId);
    if (input.parentId) {
      const parent = await commentOn(trx, paperId, input.parentId);
      if (parent.deletedAt || parent.hiddenAt) {
        throw new Refusal(
          'invalid',
          'The comment you are answering has been removed. Post your comment on the paper instead.',
        );
      }
    }
    // Touching the account's row first makes one account's posts take turns (PostgreSQL holds its row lock to the
    // commit; SQLite runs one write transaction at a time), so that posts sent at once cannot all pass the count.
    await trx
      .updateTable('accounts')
      .set({ updated_at: sql<string>`updated_at` })
      .where('id', '=', account.id)
      .execute();
    const since = new Date(now.getTime() - COMMENT_WINDOW_MINUTES * 60_000).toISOString();
    const recent = await trx
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', account.id)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= COMMENTS_PER_WINDOW) {
      throw new Refusal(
        'rate-limited',
        `You have posted ${COMMENTS_PER_WINDOW} comments in the last ${COMMENT_WINDOW_MINUTES} minutes. Please wait a few minutes, then post again.`,
      );
    }
    const id = randomId();
    await trx
      .insertInto('comments')
      .values({
        id,
        paper_id: paperId,
        account_id: account.id,
        parent_id: input.parentId || null,
        ...text,
        created_at: now.toISOString(),
      })
      .execute();
    await papers.addComments(paperId, 1);
    return id;
  });
}

/** The author corrects a comment within EDIT_GRACE_MINUTES of posting it. */
export async function editComment(
  db: Db,
  account: Actor,
  paperId: string,
  commentId: string,
  bodyInput: unknown,
  now: Date,
): Promise<void> {
  const text = bodyColumns(checkBody(bodyInput));
  await db.transaction().execute(async (trx) => {
    const comment = await commentOn(trx, paperId, commentId);
    if (comment.accountId !== account.id || !can(account, 'comment'))
      throw new Refusal('forbidden', 'Only its author can edit a comment.');
    if (comment.deletedAt) throw new Refusal('not-found', 'This comment was deleted.');
    if (comment.hiddenAt)
      throw new Refusal('forbidden', 'A curator has hidden this comment, so it can no longer be edited.');
    await openPaper(trx, paperId);
    if (!canStillEdit(comment, now)) {
      throw new Refusal(
        'too-late',
        `A comment can be edited for ${EDIT_GRACE_MINUTES} minutes after it is posted, and this one is older. Reply to it to add a correction.`,
      );
    }
    await trx
      .updateTable('comments')
      .set({ ...text, edited_at: now.toISOString() })
      .where('id', '=', commentId)
      .execute();
  });
}

/**
 * The author deletes a comment: its text goes, the row stays so that its replies keep their place (shown under
 * "[deleted]"). Deleting twice changes nothing.
 */
export async function deleteComment(
  store: Store,
  account: Actor,
  paperId: string,
  commentId: string,
  now: Date,
): Promise<void> {
  await store.transaction(async (trx, papers) => {
    const comment = await commentOn(trx, paperId, commentId);
    if (comment.accountId !== account.id) {
      throw new Refusal(
        'forbidden',
        'Only its author can delete a comment. If it breaks the rules, report it to the curators.',
      );
    }
    const done = await trx
      .updateTable('comments')
      .set({ ...bodyColumns(''), deleted_at: now.toISOString() })
      .where('id', '=', commentId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) > 0 && !comment.hiddenAt) await papers.addComments(paperId, -1);
  });
}

export function reportReason(reason: unknown, detail: unknown): string {
  const key =
    typeof reason === 'string' && Object.hasOwn(REPORT_REASONS, reason) ? (reason as ReportReason) : undefined;
  const text = cleanLine(typeof detail === 'string' ? detail : '').trim();
  if (!key)
    throw new Refusal('invalid', `Choose a reason for the report: ${Object.values(REPORT_REASONS).join(', ')}.`);
  if (text.length > REPORT_DETAIL_MAX) {
    throw new Refusal(
      'invalid',
      `Say what is wrong in at most ${REPORT_DETAIL_MAX} characters; you wrote ${text.length}.`,
    );
  }
  if (key === 'other' && !text) throw new Refusal('invalid', 'Say in a few words what is wrong with the comment.');
  return text ? `${key}: ${text}` : key;
}

/** One report per account and comment, for the curators. */
export async function reportComment(
  db: Db,
  account: Actor,
  paperId: string,
  commentId: string,
  input: { reason: unknown; detail: unknown },
  now: Date,
): Promise<void> {
  if (!can(account, 'report')) throw new Refusal('forbidden', 'Your account may not report comments.');
  const reason = reportReason(input.reason, input.detail);
  const comment = await commentOn(db, paperId, commentId);
  if (comment.deletedAt) throw new Refusal('not-found', 'This comment was deleted.');
  if (comment.accountId === account.id)
    throw new Refusal('invalid', 'This is your own comment: delete it instead of reporting it.');
  const inserted = await db
    .insertInto('comment_reports')
    .values({ comment_id: commentId, account_id: account.id, reason, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['comment_id', 'account_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    throw new Refusal('already-reported', 'You have already reported this comment; the curators will look at it.');
  }
}

/**
 * A curator hides a comment (it leaves the thread and the count; its replies stay) or shows it again. Hiding
 * resolves the comment's open reports. The change and its audit entry are one transaction; asking for the state the
 * comment is already in changes and records nothing. Returns whether anything changed.
 */
export async function setCommentHidden(
  store: Store,
  curator: Actor,
  paperId: string,
  commentId: string,
  hidden: boolean,
  now: Date,
): Promise<boolean> {
  if (!can(curator, 'hide'))
    throw new Refusal('forbidden', 'Only curators can hide or show comments. To flag a comment, report it.');
  return store.transaction(async (trx, papers) => {
    const comment = await commentOn(trx, paperId, commentId);
    const at = now.toISOString();
    const done = await trx
      .updateTable('comments')
      .set({ hidden_at: hidden ? at : null })
      .where('id', '=', commentId)
      .where('hidden_at', hidden ? 'is' : 'is not', null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return false;
    if (!comment.deletedAt) await papers.addComments(paperId, hidden ? -1 : 1);
    const resolved = hidden ? await resolveOpen(trx, commentId, at) : 0;
    await recordAudit(
      trx,
      {
        actorId: curator.id,
        action: hidden ? 'comment.hide' : 'comment.unhide',
        targetType: 'comment',
        targetId: commentId,
        detail: { paperId, ...(hidden ? { resolvedReports: resolved } : {}) },
      },
      now,
    );
    return true;
  });
}

async function resolveOpen(trx: Trx, commentId: string, at: string): Promise<number> {
  const done = await trx
    .updateTable('comment_reports')
    .set({ resolved_at: at })
    .where('comment_id', '=', commentId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows);
}

/** A curator dismisses a comment's open reports, leaving it shown. Returns how many were resolved. */
export async function resolveReports(
  db: Db,
  curator: Actor,
  paperId: string,
  commentId: string,
  now: Date,
): Promise<number> {
  if (!can(curator, 'hide')) throw new Refusal('forbidden', 'Only curators can resolve reports.');
  return db.transaction().execute(async (trx) => {
    await commentOn(trx, paperId, commentId);
    const resolved = await resolveOpen(trx, commentId, now.toISOString());
    if (resolved > 0) {
      await recordAudit(
        trx,
        {
          actorId: curator.id,
          action: 'comment.resolve-reports',
          targetType: 'comment',
          targetId: commentId,
          detail: { paperId, resolved },
        },
        now,
      );
    }
    return resolved;
  });
}
