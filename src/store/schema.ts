import type { Generated, Kysely } from 'kysely';

/** Row types of the tables in migrations.ts, for Kysely. JSON columns hold text on both engines. */
export interface PapersTable {
  id: string;
  version: number;
  title: string;
  title_key: string;
  abstract: string;
  authors: string;
  authors_text: string;
  primary_category: string | null;
  categories: string;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  submitted_at: string | null;
  updated_at: string | null;
  listed_on: string | null;
  daily_on: string | null;
  feed_day: string | null;
  /** When the paper entered this feed day (its insertion, or the change of day). */
  feed_at: string | null;
  code_urls: string;
  has_code: number;
  project_page: string | null;
  upvotes: number;
  num_comments: number;
  submitted_by: string | null;
  github_repo: string | null;
  github_stars: number | null;
  provenance: string;
  created_at: string;
  modified_at: string;
  /** See src/model/trending.ts. */
  trending: number;
  /** Upvotes from accounts here (papers.upvotes is the source's); maintained by src/accounts/votes.ts. */
  community_upvotes: Generated<number>;
  /** The trending weight of those votes, in points (src/model/trending.ts). */
  community_points: Generated<number>;
  /** Live comments here (not deleted or hidden); maintained by src/community/comments.ts. */
  community_comments: Generated<number>;
  /** YYYY-MM-DD: the day a curator featured the paper on. */
  featured_on: Generated<string | null>;
  /** Set when a curator hid the paper (spam): it leaves every list, feed and search. */
  hidden_at: Generated<string | null>;
  comments_locked_at: Generated<string | null>;
  /** Set with the image in `thumbnails` (src/store/thumbnails.ts); never by an import. */
  thumbnail_hash: Generated<string | null>;
  thumbnail_width: Generated<number | null>;
  thumbnail_height: Generated<number | null>;
  /**
   * PostgreSQL only (SQLite's full text is its FTS5 table): the tsvector of the text, written in its binary form
   * (tsvectorsend, src/store/bulk.ts); NULL on a write is filled in by a trigger (migration 21, src/store/search-vectors.ts).
   */
  search?: Buffer | null;
}

/**
 * Every column of a paper but PostgreSQL's full-text vector (about 2 kB a paper, which no reader of a paper needs):
 * what reads of whole papers select, instead of selectAll().
 */
export const PAPER_COLUMNS = [
  'id',
  'version',
  'title',
  'title_key',
  'abstract',
  'authors',
  'authors_text',
  'primary_category',
  'categories',
  'comment',
  'journal_ref',
  'doi',
  'submitted_at',
  'updated_at',
  'listed_on',
  'daily_on',
  'feed_day',
  'feed_at',
  'code_urls',
  'has_code',
  'project_page',
  'upvotes',
  'num_comments',
  'submitted_by',
  'github_repo',
  'github_stars',
  'provenance',
  'created_at',
  'modified_at',
  'trending',
  'community_upvotes',
  'community_points',
  'community_comments',
  'featured_on',
  'hidden_at',
  'comments_locked_at',
  'thumbnail_hash',
  'thumbnail_width',
  'thumbnail_height',
] as const satisfies readonly Exclude<keyof PapersTable, 'search'>[];

export interface ThumbnailsTable {
  paper_id: string;
  hash: string;
  type: string;
  bytes: Uint8Array;
  created_at: string;
}

export interface ThumbnailAttemptsTable {
  paper_id: string;
  attempts: number;
  next_try_at: string;
  error: string;
}

export interface PaperVersionsTable {
  paper_id: string;
  version: number;
  date: string | null;
  source: string;
}

export interface PaperSourcesTable {
  paper_id: string;
  source: string;
  hash: string;
  version: number | null;
  first_seen_at: string;
  changed_at: string;
}

export interface ImportCheckpointsTable {
  key: string;
  position: number;
  counts: string;
  updated_at: string;
}

export interface HarvestStateTable {
  key: string;
  state: string;
  updated_at: string;
}

export interface PaperAuthorsTable {
  paper_id: string;
  position: number;
  name: string;
  /** The name folded for matching: lower case, accents and punctuation removed. */
  name_key: string;
}

export interface PaperCategoriesTable {
  paper_id: string;
  category: string;
  is_primary: number;
}

/** Keyed by (paper_id, model): during a switch of embedders a paper has a vector of each (src/search/reembed.ts). */
export interface PaperVectorsTable {
  paper_id: string;
  /** The embedder (and its fitted version) that produced the vector. */
  model: string;
  /** Float32 little-endian. */
  vector: Uint8Array;
}

export interface SearchModelsTable {
  name: string;
  fitted_at: string;
  documents: number;
  data: Uint8Array;
}

/** See the subscriptions migration; enums are checked in src/digest/subscribers.ts and src/mail/outbox.ts. */
export interface SubscribersTable {
  id: string;
  email: string;
  account_id: string | null;
  status: string;
  confirm_hash: string | null;
  confirm_expires_at: string | null;
  frequency: string;
  /** 1 = Monday ... 7 = Sunday: the day a weekly digest arrives. */
  weekday: number;
  hour: number;
  time_zone: string;
  trending: number;
  bounces: number;
  /** The last period (local day or ISO week) a digest was composed for. */
  last_period: string | null;
  /** The newest `papers.feed_at` the last digest had seen: papers that entered their feed day later are new. */
  digest_watermark: string | null;
  last_notice_at: string | null;
  created_at: string;
  confirmed_at: string | null;
  updated_at: string;
}

export interface SubscriberAlertsTable {
  subscriber_id: string;
  kind: string;
  value: string;
}

export interface OutboxTable {
  id: string;
  idempotency_key: string;
  subscriber_id: string | null;
  kind: string;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  headers: string;
  message_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface SentPapersTable {
  subscriber_id: string;
  paper_id: string;
  outbox_id: string;
}

export interface AppSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export interface AccountsTable {
  id: string;
  /** Lower case. */
  email: string;
  /** Lower case, unique: see src/accounts/profile.ts. */
  handle: string;
  display_name: string;
  created_at: string;
  updated_at: string;
  /** member | curator | admin (src/community/roles.ts). */
  role: Generated<string>;
  banned_at: Generated<string | null>;
  /** signin | cli: how the account was created. */
  origin: Generated<string>;
}

export interface SessionsTable {
  token_hash: string;
  account_id: string;
  created_at: string;
  expires_at: string;
}

export interface SigninLinksTable {
  token_hash: string;
  email: string;
  /** Hash of the nonce cookie of the browser that asked: the link works only there. */
  nonce_hash: string;
  return_to: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface SigninAddressesTable {
  email: string;
  asked_at: string;
}

export interface PaperVotesTable {
  account_id: string;
  paper_id: string;
  points: number;
  created_at: string;
}

/** A reader's "not interested" mark on a paper (src/foryou/signals.ts). */
export interface NotInterestedTable {
  account_id: string;
  paper_id: string;
  created_at: string;
}

/** A reader's For you settings (src/foryou/settings.ts); no row: never rotated, never reset. */
export interface ForYouSettingsTable {
  account_id: string;
  /** Mixed into the private feed's token; null: the first address. */
  feed_key: string | null;
  /** ISO: signals before it are left out of the ranking. */
  reset_at: string | null;
}

export interface SubmissionsTable {
  paper_id: string;
  account_id: string;
  /** YYYY-MM-DD: the feed day the paper was submitted to. */
  day: string;
  created_at: string;
}

export interface CommentsTable {
  id: string;
  paper_id: string;
  account_id: string;
  parent_id: string | null;
  /** The Markdown source. */
  body: string;
  /** The body as HTML, rendered when written (src/community/markdown.ts); null before the first render. */
  body_html: Generated<string | null>;
  /** The COMMENT_RENDERER_VERSION that rendered body_html; an older one is rendered again when read. */
  body_html_version: Generated<number>;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  hidden_at: string | null;
}

/** A personal API token (src/accounts/api-tokens.ts): its SHA-256, never the token. */
export interface ApiTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  /** What its owner called it (the script or machine it is for). */
  name: string;
  /** read | write. */
  scope: string;
  created_at: string;
  /** Updated at most once a minute. */
  last_used_at: string | null;
}

export interface CommentReportsTable {
  comment_id: string;
  account_id: string;
  reason: string;
  created_at: string;
  resolved_at: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  /** The account that acted; null for the CLI. */
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  /** JSON. */
  detail: string;
}

/** A reader's reading list or named collection (src/library/collections.ts). */
export interface CollectionsTable {
  id: string;
  account_id: string;
  /** saved (the reading list, one per account) | named. */
  kind: string;
  name: string;
  /** private | link (anyone with the share link) | public. */
  visibility: Generated<string>;
  /** The unguessable id in the share link; null until the owner shares by link. */
  share_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface CollectionPapersTable {
  collection_id: string;
  paper_id: string;
  /** Ascending: the owner's order. */
  position: number;
  /** The owner's note on the paper, plain text. */
  note: Generated<string>;
  added_at: string;
}

/** A scheduled job's run for one period (src/jobs/claims.ts). */
export interface JobRunsTable {
  job: string;
  /** The scheduled time the run is for (ISO), or "start:<time>" for the run at start-up. */
  period: string;
  /** The process running it: host, pid and a random part. */
  claimed_by: string;
  claimed_at: string;
  /** Renewed while the run lasts; older than the lease, the claim may be taken over. */
  heartbeat_at: string;
  finished_at: string | null;
  attempts: Generated<number>;
  error: string | null;
}

/** Requests one client made in the current window of one rate limit, across processes (src/web/rate-counts.ts). */
export interface RateCountsTable {
  /** The limit's name, e.g. "api" or "comments". */
  bucket: string;
  /** The account or address counted. */
  client: string;
  /** The client's first request of the window opened it. */
  window_start: string;
  expires_at: string;
  n: number;
}

/** One committed change, in commit order (src/store/change-feed.ts). */
export interface ChangesTable {
  seq: Generated<number>;
  /** `papers`: the papers in `ids` changed; `model`: the search model named in `ids` was fitted again. */
  kind: 'papers' | 'model';
  /** JSON array. */
  ids: string;
  /** 1 when a title, abstract or author changed (PapersChange.text). */
  text_changed: number;
  /** The process that wrote it, which announced it itself. */
  origin: string;
  at: string;
}

export interface Database {
  changes: ChangesTable;
  papers: PapersTable;
  paper_versions: PaperVersionsTable;
  paper_sources: PaperSourcesTable;
  import_checkpoints: ImportCheckpointsTable;
  harvest_state: HarvestStateTable;
  paper_authors: PaperAuthorsTable;
  paper_categories: PaperCategoriesTable;
  paper_vectors: PaperVectorsTable;
  search_models: SearchModelsTable;
  subscribers: SubscribersTable;
  subscriber_alerts: SubscriberAlertsTable;
  outbox: OutboxTable;
  sent_papers: SentPapersTable;
  app_secrets: AppSecretsTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  signin_links: SigninLinksTable;
  signin_addresses: SigninAddressesTable;
  paper_votes: PaperVotesTable;
  not_interested: NotInterestedTable;
  for_you_settings: ForYouSettingsTable;
  submissions: SubmissionsTable;
  comments: CommentsTable;
  comment_reports: CommentReportsTable;
  audit_log: AuditLogTable;
  thumbnails: ThumbnailsTable;
  thumbnail_attempts: ThumbnailAttemptsTable;
  api_tokens: ApiTokensTable;
  collections: CollectionsTable;
  collection_papers: CollectionPapersTable;
  job_runs: JobRunsTable;
  rate_counts: RateCountsTable;
}

/** The handle through which features read and write their own tables (src/store/open.ts hands it out). */
export type Db = Kysely<Database>;
