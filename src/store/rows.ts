import type { Selectable } from 'kysely';
import type { Paper } from '../model/paper.js';
import type { SourceName } from '../model/record.js';
import { cleanLine, cleanName, cleanText } from '../model/text.js';
import { trendingScore } from '../model/trending.js';
import type { PapersTable } from './schema.js';

/** A row of papers as reads of whole papers select it (PAPER_COLUMNS). */
export type PaperRow = Omit<Selectable<PapersTable>, 'search'>;

/**
 * A stored paper as every reader sees it. Its texts are cleaned again on the way out (src/model/text.ts), so that a
 * row written before records were cleaned on the way in cannot put a control character into a page, feed or mail.
 */
export function paperFromRow(row: PaperRow): Paper {
  return {
    id: row.id,
    version: row.version,
    title: cleanName(row.title),
    abstract: cleanText(row.abstract),
    authors: (JSON.parse(row.authors) as string[]).map(cleanName),
    primaryCategory: row.primary_category,
    categories: JSON.parse(row.categories) as string[],
    comment: row.comment === null ? null : cleanText(row.comment),
    journalRef: row.journal_ref === null ? null : cleanLine(row.journal_ref),
    doi: row.doi,
    submittedAt: row.submitted_at,
    updatedAt: row.updated_at,
    listedOn: row.listed_on,
    dailyOn: row.daily_on,
    codeUrls: JSON.parse(row.code_urls) as string[],
    projectPage: row.project_page,
    upvotes: row.upvotes,
    communityUpvotes: row.community_upvotes,
    communityPoints: row.community_points,
    numComments: row.num_comments,
    communityComments: row.community_comments,
    submittedBy: row.submitted_by === null ? null : cleanName(row.submitted_by),
    githubRepo: row.github_repo,
    githubStars: row.github_stars,
    provenance: JSON.parse(row.provenance) as Partial<Record<string, SourceName>>,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
    featuredOn: row.featured_on,
    hiddenAt: row.hidden_at,
    commentsLockedAt: row.comments_locked_at,
    thumbnail:
      row.thumbnail_hash && row.thumbnail_width && row.thumbnail_height
        ? { hash: row.thumbnail_hash, width: row.thumbnail_width, height: row.thumbnail_height }
        : null,
  };
}

/** The day a paper belongs to in the feeds: the day it entered the daily feed, else its listing day, else its submission day. */
export function feedDay(paper: Paper): string | null {
  return paper.dailyOn ?? paper.listedOn ?? paper.submittedAt?.slice(0, 10) ?? null;
}

/** Columns written only by this site's community code (votes, comments, curation) and thumbnails, never by an import. */
type CommunityColumns =
  | 'feed_at'
  | 'community_upvotes'
  | 'community_points'
  | 'community_comments'
  | 'featured_on'
  | 'hidden_at'
  | 'comments_locked_at'
  | 'thumbnail_hash'
  | 'thumbnail_width'
  | 'thumbnail_height';

/**
 * The row of a paper, without its community columns: those are written only by votes (src/accounts/votes.ts),
 * comments and curation (src/community/), so that an import never overwrites what a reader did while it ran.
 */
export function rowFromPaper(paper: Paper, titleKey: string): Omit<PapersTable, CommunityColumns> {
  return {
    id: paper.id,
    version: paper.version,
    title: paper.title,
    title_key: titleKey,
    abstract: paper.abstract,
    authors: JSON.stringify(paper.authors),
    authors_text: paper.authors.join(', '),
    primary_category: paper.primaryCategory,
    categories: JSON.stringify(paper.categories),
    comment: paper.comment,
    journal_ref: paper.journalRef,
    doi: paper.doi,
    submitted_at: paper.submittedAt,
    updated_at: paper.updatedAt,
    listed_on: paper.listedOn,
    daily_on: paper.dailyOn,
    feed_day: feedDay(paper),
    code_urls: JSON.stringify(paper.codeUrls),
    has_code: paper.codeUrls.length > 0 || paper.githubRepo ? 1 : 0,
    project_page: paper.projectPage,
    upvotes: paper.upvotes,
    num_comments: paper.numComments,
    submitted_by: paper.submittedBy,
    github_repo: paper.githubRepo,
    github_stars: paper.githubStars,
    provenance: JSON.stringify(paper.provenance),
    created_at: paper.createdAt,
    modified_at: paper.modifiedAt,
    trending: paperTrending(paper),
  };
}

export function paperTrending(paper: Paper): number {
  return trendingScore({ ...paper, numComments: paper.numComments + paper.communityComments, day: feedDay(paper) });
}
