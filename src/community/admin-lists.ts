import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** What the admin page lists for curators: open reports, hidden and featured papers, who did what. */

export interface OpenReport {
  commentId: string;
  paperId: string;
  /** The start of the comment's Markdown source. */
  excerpt: string;
  reason: string;
  reporter: string;
  author: string;
  reportedAt: string;
}

const EXCERPT = 200;

/** Unresolved reports, newest first (resolving them is src/community/comments.ts). */
export async function openReports(db: Kysely<Database>, limit = 100): Promise<OpenReport[]> {
  const rows = await db
    .selectFrom('comment_reports')
    .innerJoin('comments', 'comments.id', 'comment_reports.comment_id')
    .innerJoin('accounts as reporter', 'reporter.id', 'comment_reports.account_id')
    .innerJoin('accounts as author', 'author.id', 'comments.account_id')
    .select([
      'comment_reports.comment_id',
      'comments.paper_id',
      'comments.body',
      'comment_reports.reason',
      'comment_reports.created_at',
      'reporter.handle as reporter',
      'author.handle as author',
    ])
    .where('comment_reports.resolved_at', 'is', null)
    .orderBy('comment_reports.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    commentId: r.comment_id,
    paperId: r.paper_id,
    excerpt: r.body.length > EXCERPT ? `${r.body.slice(0, EXCERPT - 1)}…` : r.body,
    reason: r.reason,
    reporter: r.reporter,
    author: r.author,
    reportedAt: r.created_at,
  }));
}

export interface CuratedPaper {
  id: string;
  title: string;
  /** When it was hidden, or the day it is featured on. */
  at: string;
}

export async function hiddenPapers(db: Kysely<Database>, limit = 100): Promise<CuratedPaper[]> {
  const rows = await db
    .selectFrom('papers')
    .select(['id', 'title', 'hidden_at'])
    .where('hidden_at', 'is not', null)
    .orderBy('hidden_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, at: r.hidden_at! }));
}

/** Papers featured on `since` or later, the latest day first. */
export async function featuredPapers(db: Kysely<Database>, since: string, limit = 100): Promise<CuratedPaper[]> {
  const rows = await db
    .selectFrom('papers')
    .select(['id', 'title', 'featured_on'])
    .where('featured_on', '>=', since)
    .orderBy('featured_on', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, at: r.featured_on! }));
}

/** Handles of these accounts, for naming actors and targets in the audit log. */
export async function handlesOf(db: Kysely<Database>, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].slice(0, 500);
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('accounts').select(['id', 'handle']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.handle]));
}
