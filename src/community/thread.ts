import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { bodyColumns, MAX_DISPLAY_DEPTH } from './comments.js';
import { COMMENT_RENDERER_VERSION } from './markdown.js';

/** One comment as the thread shows it to a particular reader. */
export interface ThreadComment {
  id: string;
  parentId: string | null;
  author: { id: string; handle: string; displayName: string };
  /** Markdown source; empty for a removed comment kept as a placeholder for its replies. */
  body: string;
  /** The body as HTML, safe to insert into a page as it is. */
  html: string;
  createdAt: string;
  editedAt: string | null;
  /** Why the text is gone, when it is: the author deleted it, or a curator hid it (curators still see the text). */
  removed: 'deleted' | 'hidden' | null;
  hiddenAt: string | null;
  /** Open reports; counted for curators only. */
  openReports: number;
  /** Set on replies moved up to MAX_DISPLAY_DEPTH: the handle of the author they answer. */
  replyTo: string | null;
  replies: ThreadComment[];
}

/** Comments read for one page; a discussion longer than this shows its oldest. */
export const THREAD_LIMIT = 2000;

/**
 * A paper's discussion as a tree, oldest first at every level. Deleted comments, and hidden ones for everyone but
 * curators, keep their place only when replies hang from them, with their text left out.
 */
export async function commentThread(
  db: Kysely<Database>,
  paperId: string,
  opts: { curator?: boolean } = {},
): Promise<ThreadComment[]> {
  const rows = await db
    .selectFrom('comments')
    .innerJoin('accounts', 'accounts.id', 'comments.account_id')
    .select([
      'comments.id',
      'comments.parent_id',
      'comments.body',
      'comments.body_html',
      'comments.body_html_version',
      'comments.created_at',
      'comments.edited_at',
      'comments.deleted_at',
      'comments.hidden_at',
      'accounts.id as account_id',
      'accounts.handle',
      'accounts.display_name',
    ])
    .where('comments.paper_id', '=', paperId)
    .orderBy('comments.created_at')
    .orderBy('comments.id')
    .limit(THREAD_LIMIT)
    .execute();
  const reports = new Map<string, number>();
  if (opts.curator && rows.length) {
    const open = await db
      .selectFrom('comment_reports')
      .innerJoin('comments', 'comments.id', 'comment_reports.comment_id')
      .select(['comment_reports.comment_id', (eb) => eb.fn.countAll().as('n')])
      .where('comments.paper_id', '=', paperId)
      .where('comment_reports.resolved_at', 'is', null)
      .groupBy('comment_reports.comment_id')
      .execute();
    for (const r of open) reports.set(r.comment_id, Number(r.n));
  }
  const html = await storedHtml(db, rows);
  const nodes = rows.map(
    (r, i): ThreadComment => ({
      id: r.id,
      parentId: r.parent_id,
      author: { id: r.account_id, handle: r.handle, displayName: r.display_name },
      body: r.body,
      html: html[i]!,
      createdAt: r.created_at,
      editedAt: r.edited_at,
      removed: r.deleted_at ? 'deleted' : r.hidden_at ? 'hidden' : null,
      hiddenAt: r.hidden_at,
      openReports: reports.get(r.id) ?? 0,
      replyTo: null,
      replies: [],
    }),
  );
  return capDepth(visible(buildTree(nodes), opts.curator ?? false));
}

/**
 * Each comment's stored HTML. A row written before HTML was stored, or by an older renderer, is rendered now and
 * stored unless its text changed meanwhile, so that it is rendered once and not on every view.
 */
async function storedHtml(
  db: Kysely<Database>,
  rows: { id: string; body: string; body_html: string | null; body_html_version: number }[],
): Promise<string[]> {
  const html: string[] = [];
  const stale: { id: string; body: string; columns: ReturnType<typeof bodyColumns> }[] = [];
  for (const row of rows) {
    if (row.body_html !== null && row.body_html_version === COMMENT_RENDERER_VERSION) {
      html.push(row.body_html);
      continue;
    }
    const columns = bodyColumns(row.body);
    stale.push({ id: row.id, body: row.body, columns });
    html.push(columns.body_html);
  }
  if (stale.length) {
    // Stored again in one transaction, for the next reader; the reader at hand has its HTML whether or not that
    // succeeds (a store busy with an import, say): a failed write is tried again at the next view.
    await db
      .transaction()
      .execute(async (trx) => {
        for (const r of stale) {
          await trx.updateTable('comments').set(r.columns).where('id', '=', r.id).where('body', '=', r.body).execute();
        }
      })
      .catch(() => {});
  }
  return html;
}

/** Links comments (given oldest first) to their parents; a reply whose parent is missing becomes a top-level comment. */
export function buildTree(nodes: ThreadComment[]): ThreadComment[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const roots: ThreadComment[] = [];
  for (const node of nodes) {
    const parent = node.parentId ? byId.get(node.parentId) : undefined;
    (parent ? parent.replies : roots).push(node);
  }
  return roots;
}

function visible(nodes: ThreadComment[], curator: boolean): ThreadComment[] {
  return nodes.flatMap((node) => {
    const replies = visible(node.replies, curator);
    const shown = node.removed === null || (curator && node.removed === 'hidden');
    if (shown) return [{ ...node, replies }];
    if (replies.length === 0) return [];
    return [{ ...node, body: '', html: '', replies }];
  });
}

/** Replies below MAX_DISPLAY_DEPTH are listed, oldest first, at that depth under their deepest shown ancestor. */
function capDepth(nodes: ThreadComment[], depth = 1): ThreadComment[] {
  return nodes.map((node) => {
    if (depth < MAX_DISPLAY_DEPTH - 1) return { ...node, replies: capDepth(node.replies, depth + 1) };
    const handles = new Map<string, string>([[node.id, node.author.handle]]);
    const flat: ThreadComment[] = [];
    const walk = (list: ThreadComment[]) => {
      for (const reply of list) {
        handles.set(reply.id, reply.author.handle);
        flat.push({
          ...reply,
          replyTo: reply.parentId === node.id ? null : (handles.get(reply.parentId!) ?? null),
          replies: [],
        });
        walk(reply.replies);
      }
    };
    walk(node.replies);
    flat.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return { ...node, replies: flat };
  });
}

/** Every comment of a tree, in display order. */
export function flatten(nodes: ThreadComment[]): ThreadComment[] {
  return nodes.flatMap((n) => [n, ...flatten(n.replies)]);
}
