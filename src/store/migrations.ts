/**
 * The schema, as an append-only list: never edit a migration that has shipped, add a new one.
 * The schema version is the number of migrations applied. Each runs in its own transaction.
 * Dates are ISO-8601 text on both engines so that both return the same values.
 */
export interface Migration {
  name: string;
  sqlite: string;
  postgres: string;
}

const papersColumns = `
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL,
  title_key TEXT NOT NULL,
  abstract TEXT NOT NULL,
  authors TEXT NOT NULL DEFAULT '[]',
  authors_text TEXT NOT NULL DEFAULT '',
  primary_category TEXT,
  categories TEXT NOT NULL DEFAULT '[]',
  comment TEXT,
  journal_ref TEXT,
  doi TEXT,
  submitted_at TEXT,
  updated_at TEXT,
  listed_on TEXT,
  daily_on TEXT,
  feed_day TEXT,
  code_urls TEXT NOT NULL DEFAULT '[]',
  has_code INTEGER NOT NULL DEFAULT 0,
  project_page TEXT,
  upvotes INTEGER NOT NULL DEFAULT 0,
  num_comments INTEGER NOT NULL DEFAULT 0,
  submitted_by TEXT,
  github_repo TEXT,
  github_stars INTEGER,
  provenance TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL`;

const feedAt = `
ALTER TABLE papers ADD COLUMN feed_at TEXT;
UPDATE papers SET feed_at = created_at;
CREATE INDEX papers_feed_at ON papers (feed_at);
ALTER TABLE subscribers ADD COLUMN digest_watermark TEXT;`;

/** Rate-limit counts are worth no disk write: in PostgreSQL their table is UNLOGGED (emptied after a crash). */
const sharedWork = (unlogged: string) => `
CREATE TABLE job_runs (
  job TEXT NOT NULL,
  period TEXT NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL,
  finished_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 1,
  error TEXT,
  PRIMARY KEY (job, period)
);
CREATE ${unlogged}TABLE rate_counts (
  bucket TEXT NOT NULL,
  client TEXT NOT NULL,
  window_start TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (bucket, client)
);`;

const sharedTables = `
CREATE INDEX papers_feed_day ON papers (feed_day, upvotes);
CREATE INDEX papers_title_key ON papers (title_key);
CREATE INDEX papers_primary_category ON papers (primary_category, feed_day);

CREATE TABLE paper_versions (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  date TEXT,
  source TEXT NOT NULL,
  PRIMARY KEY (paper_id, version)
);

-- One row per (paper, source): the hash of what that source last said, so a re-import can skip unchanged records.
CREATE TABLE paper_sources (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  hash TEXT NOT NULL,
  version INTEGER,
  first_seen_at TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (paper_id, source)
);

CREATE TABLE import_checkpoints (
  key TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  counts TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE harvest_state (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

const authorsAndCategories = `
CREATE TABLE paper_authors (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  PRIMARY KEY (paper_id, position)
);
CREATE INDEX paper_authors_name_key ON paper_authors (name_key);
CREATE TABLE paper_categories (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  is_primary INTEGER NOT NULL,
  PRIMARY KEY (paper_id, category)
);
CREATE INDEX paper_categories_category ON paper_categories (category);
`;

// status: pending (waiting for its confirmation link) | confirmed | unsubscribed | suppressed (too many bounces).
// outbox.status: pending -> sending (claimed until lease_until) -> sent | failed; idempotency_key makes composing
// the same message twice (e.g. one subscriber's digest for one period) impossible.
const subscriptions = `
CREATE TABLE subscribers (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  account_id TEXT,
  status TEXT NOT NULL,
  confirm_hash TEXT,
  confirm_expires_at TEXT,
  frequency TEXT NOT NULL DEFAULT 'weekdays',
  weekday INTEGER NOT NULL DEFAULT 1,
  hour INTEGER NOT NULL DEFAULT 8,
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  trending INTEGER NOT NULL DEFAULT 1,
  bounces INTEGER NOT NULL DEFAULT 0,
  last_period TEXT,
  last_notice_at TEXT,
  created_at TEXT NOT NULL,
  confirmed_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX subscribers_email ON subscribers (email);
CREATE UNIQUE INDEX subscribers_confirm_hash ON subscribers (confirm_hash);
CREATE INDEX subscribers_status ON subscribers (status, id);
CREATE TABLE subscriber_alerts (
  subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (subscriber_id, kind, value)
);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  subscriber_id TEXT REFERENCES subscribers (id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  html TEXT NOT NULL,
  text TEXT NOT NULL,
  headers TEXT NOT NULL DEFAULT '{}',
  message_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_until TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE UNIQUE INDEX outbox_idempotency_key ON outbox (idempotency_key);
CREATE INDEX outbox_ready ON outbox (status, next_attempt_at);
CREATE TABLE sent_papers (
  subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  paper_id TEXT NOT NULL,
  outbox_id TEXT NOT NULL,
  PRIMARY KEY (subscriber_id, paper_id)
);
CREATE TABLE app_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

// Tokens are stored as SHA-256 hashes, never as sent. A vote's `points` are what it adds to the trending attention,
// in quarters of an upvote (src/accounts/votes.ts); papers.community_points is their sum, kept in the vote's transaction.
const accounts = `
ALTER TABLE papers ADD COLUMN community_upvotes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE papers ADD COLUMN community_points INTEGER NOT NULL DEFAULT 0;
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  handle TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_email ON accounts (email);
CREATE UNIQUE INDEX accounts_handle ON accounts (handle);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE TABLE signin_links (
  token_hash TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  nonce_hash TEXT NOT NULL,
  return_to TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX signin_links_email ON signin_links (email, created_at);
CREATE TABLE paper_votes (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  points INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, paper_id)
);
CREATE INDEX paper_votes_paper ON paper_votes (paper_id);
`;

/**
 * Submissions, comments, curation and moderation. Hidden papers and comments stay stored (a curator can undo);
 * every curator and admin action is written to audit_log by src/store/audit.ts.
 */
const community = `
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
ALTER TABLE accounts ADD COLUMN banned_at TEXT;
ALTER TABLE accounts ADD COLUMN origin TEXT NOT NULL DEFAULT 'signin';
ALTER TABLE papers ADD COLUMN community_comments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE papers ADD COLUMN featured_on TEXT;
ALTER TABLE papers ADD COLUMN hidden_at TEXT;
ALTER TABLE papers ADD COLUMN comments_locked_at TEXT;
CREATE INDEX papers_featured_on ON papers (featured_on);
CREATE TABLE submissions (
  paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX submissions_account ON submissions (account_id, created_at);
CREATE TABLE comments (
  id TEXT PRIMARY KEY,
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  parent_id TEXT REFERENCES comments (id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  edited_at TEXT,
  deleted_at TEXT,
  hidden_at TEXT
);
CREATE INDEX comments_paper ON comments (paper_id, created_at);
CREATE INDEX comments_account ON comments (account_id, created_at);
CREATE TABLE comment_reports (
  comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  PRIMARY KEY (comment_id, account_id)
);
CREATE INDEX comment_reports_open ON comment_reports (resolved_at, created_at);
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id TEXT,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
`;

/** Binary columns are BLOB in SQLite and BYTEA in PostgreSQL; the tables are otherwise the same. */
const vectorTables = (binary: 'BLOB' | 'BYTEA') => `
CREATE TABLE paper_vectors (
  paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  vector ${binary} NOT NULL
);
CREATE INDEX paper_vectors_model ON paper_vectors (model);
CREATE TABLE search_models (
  name TEXT PRIMARY KEY,
  fitted_at TEXT NOT NULL,
  documents INTEGER NOT NULL,
  data ${binary} NOT NULL
);
`;

/** The thumbnails migration: the same on both engines but for the type of the image's bytes. */
function thumbnails(bytes: 'BLOB' | 'BYTEA'): string {
  return `
ALTER TABLE papers ADD COLUMN thumbnail_hash TEXT;
ALTER TABLE papers ADD COLUMN thumbnail_width INTEGER;
ALTER TABLE papers ADD COLUMN thumbnail_height INTEGER;
CREATE TABLE thumbnails (
  paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  type TEXT NOT NULL,
  bytes ${bytes} NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE thumbnail_attempts (
  paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
  attempts INTEGER NOT NULL,
  next_try_at TEXT NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX papers_without_thumbnail ON papers (feed_day) WHERE thumbnail_hash IS NULL;
`;
}

const apiTokens = `
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_account ON api_tokens (account_id, created_at);
`;

/**
 * A reader's library: the reading list ("Saved", one per account, kind 'saved') and named collections, each paper in
 * one at a position with the owner's note. A collection is private, shared by an unguessable link (share_id: 16
 * random bytes, kept as is so that its owner can copy the link again; a new link replaces it), or public.
 */
const library = `
CREATE TABLE collections (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  visibility TEXT NOT NULL DEFAULT 'private',
  share_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX collections_account ON collections (account_id, created_at);
CREATE UNIQUE INDEX collections_saved ON collections (account_id) WHERE kind = 'saved';
CREATE UNIQUE INDEX collections_share_id ON collections (share_id);
CREATE TABLE collection_papers (
  collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  added_at TEXT NOT NULL,
  PRIMARY KEY (collection_id, paper_id)
);
CREATE INDEX collection_papers_order ON collection_papers (collection_id, position);
CREATE INDEX collection_papers_paper ON collection_papers (paper_id);
`;

const notInterested = `
CREATE TABLE not_interested (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, paper_id)
);
`;

const forYouSettings = `
CREATE TABLE for_you_settings (
  account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  feed_key TEXT,
  reset_at TEXT
);
`;

/** The vectors of two models side by side while search switches embedders (src/search/reembed.ts): keyed by both. */
const vectorsPerModel = {
  sqlite: `
CREATE TABLE paper_vectors_per_model (
  paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (paper_id, model)
);
INSERT INTO paper_vectors_per_model (paper_id, model, vector) SELECT paper_id, model, vector FROM paper_vectors;
DROP TABLE paper_vectors;
ALTER TABLE paper_vectors_per_model RENAME TO paper_vectors;
CREATE INDEX paper_vectors_model ON paper_vectors (model, paper_id);
`,
  postgres: `
ALTER TABLE paper_vectors DROP CONSTRAINT paper_vectors_pkey;
ALTER TABLE paper_vectors ADD PRIMARY KEY (paper_id, model);
DROP INDEX paper_vectors_model;
CREATE INDEX paper_vectors_model ON paper_vectors (model, paper_id);
`,
};

/**
 * PostgreSQL's full-text column, written with the row instead of generated by it: an import computes the vectors of
 * its next batch on a second connection while the current batch is written (src/store/search-vectors.ts), so that
 * the two halves of the work use both cores. A writer that gives no vector (NULL), or changes the text and keeps the
 * old vector, gets the one the trigger computes: the column always holds paper_search_vector() of the row's text.
 * OR REPLACE: a restored older backup drops the table, with its triggers, but not these functions.
 */
const searchWritten = `
CREATE OR REPLACE FUNCTION paper_search_vector(title TEXT, authors_text TEXT, abstract TEXT) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('simple', authors_text), 'B') ||
    setweight(to_tsvector('english', abstract), 'C');
CREATE OR REPLACE FUNCTION papers_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search := paper_search_vector(NEW.title, NEW.authors_text, NEW.abstract);
  RETURN NEW;
END $$;
ALTER TABLE papers ALTER COLUMN search DROP EXPRESSION;
-- A paper's vector and abstract are its largest values; lz4 compresses them several times faster than pglz.
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE papers ALTER COLUMN search SET COMPRESSION lz4, ALTER COLUMN abstract SET COMPRESSION lz4;
  END IF;
END $$;
CREATE TRIGGER papers_search_insert BEFORE INSERT ON papers FOR EACH ROW
  WHEN (NEW.search IS NULL) EXECUTE FUNCTION papers_search_fill();
CREATE TRIGGER papers_search_update BEFORE UPDATE OF title, authors_text, abstract, search ON papers FOR EACH ROW
  WHEN (NEW.search IS NULL OR (NEW.search IS NOT DISTINCT FROM OLD.search
    AND (NEW.title, NEW.authors_text, NEW.abstract) IS DISTINCT FROM (OLD.title, OLD.authors_text, OLD.abstract)))
  EXECUTE FUNCTION papers_search_fill();
`;

export const migrations: readonly Migration[] = [
  {
    name: 'papers, versions, sources, checkpoints, harvest state, full-text index',
    sqlite: `
CREATE TABLE papers (${papersColumns}
);
${sharedTables}
CREATE VIRTUAL TABLE papers_fts USING fts5 (
  title, authors_text, abstract,
  content = 'papers', content_rowid = 'rowid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
  INSERT INTO papers_fts (rowid, title, authors_text, abstract) VALUES (new.rowid, new.title, new.authors_text, new.abstract);
END;
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
  INSERT INTO papers_fts (papers_fts, rowid, title, authors_text, abstract) VALUES ('delete', old.rowid, old.title, old.authors_text, old.abstract);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, authors_text, abstract ON papers BEGIN
  INSERT INTO papers_fts (papers_fts, rowid, title, authors_text, abstract) VALUES ('delete', old.rowid, old.title, old.authors_text, old.abstract);
  INSERT INTO papers_fts (rowid, title, authors_text, abstract) VALUES (new.rowid, new.title, new.authors_text, new.abstract);
END;
`,
    postgres: `
CREATE TABLE papers (${papersColumns},
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('simple', authors_text), 'B') ||
    setweight(to_tsvector('english', abstract), 'C')
  ) STORED
);
${sharedTables}
CREATE INDEX papers_search ON papers USING GIN (search);
`,
  },
  {
    name: 'authors and categories of each paper, for author and category pages',
    sqlite: authorsAndCategories,
    postgres: authorsAndCategories,
  },
  {
    name: 'embedding vectors and fitted search models',
    sqlite: vectorTables('BLOB'),
    postgres: vectorTables('BYTEA'),
  },
  {
    name: 'trending score, stored and indexed',
    sqlite: `
ALTER TABLE papers ADD COLUMN trending REAL NOT NULL DEFAULT 0;
CREATE INDEX papers_trending ON papers (trending);
CREATE INDEX papers_feed_day_trending ON papers (feed_day, trending);
`,
    postgres: `
ALTER TABLE papers ADD COLUMN trending DOUBLE PRECISION NOT NULL DEFAULT 0;
CREATE INDEX papers_trending ON papers (trending);
CREATE INDEX papers_feed_day_trending ON papers (feed_day, trending);
`,
  },
  {
    // The feed's order (feed_day DESC NULLS LAST, trending DESC, id DESC) as one index, so that a page of a day reads
    // its 50 papers only: without id, every paper of the day was read and sorted (most share a trending score).
    // SQLite reads its index backwards (NULLs sort first there); PostgreSQL needs the NULLS LAST order spelled out.
    name: 'the feed order in one index, to read only the papers of a page',
    sqlite: `
CREATE INDEX papers_feed_order ON papers (feed_day, trending, id);
DROP INDEX papers_feed_day_trending;
`,
    postgres: `
CREATE INDEX papers_feed_order ON papers (feed_day DESC NULLS LAST, trending DESC, id DESC);
DROP INDEX papers_feed_day_trending;
`,
  },
  {
    name: 'email subscriptions: subscribers, their alerts, the outbox, papers sent to each, generated secrets',
    sqlite: subscriptions,
    postgres: subscriptions,
  },
  {
    name: 'accounts signed in by emailed links, their sessions, and community upvotes',
    sqlite: accounts,
    postgres: accounts,
  },
  {
    name: 'community: roles and bans, submissions, threaded comments and reports, curation, audit log',
    sqlite: community,
    postgres: community,
  },
  {
    // Hidden papers leave every list, so day counts and neighbour days skip them; without this index they read each
    // paper's row (6 ms instead of 0.5 ms for a month of 8,000 papers in SQLite) where papers_feed_day alone answered.
    name: 'the feed day of every paper that is not hidden',
    sqlite: 'CREATE INDEX papers_visible_day ON papers (feed_day) WHERE hidden_at IS NULL;',
    postgres: 'CREATE INDEX papers_visible_day ON papers (feed_day) WHERE hidden_at IS NULL;',
  },
  {
    // One row per address asking for sign-in links: writing it first makes requests for one address take turns, so
    // that a burst cannot pass the per-address limit (a row lock in PostgreSQL; SQLite writes one at a time anyway).
    name: 'a row per address asking for sign-in links',
    sqlite: 'CREATE TABLE signin_addresses (email TEXT PRIMARY KEY, asked_at TEXT NOT NULL);',
    postgres: 'CREATE TABLE signin_addresses (email TEXT PRIMARY KEY, asked_at TEXT NOT NULL);',
  },
  {
    // A comment's HTML is rendered when it is written, not on every view; body_html_version is the renderer that
    // made it (src/community/markdown.ts), so that rows made by an older one are rendered again when next read.
    name: 'comment HTML stored with the version of the renderer that made it',
    sqlite:
      'ALTER TABLE comments ADD COLUMN body_html TEXT; ALTER TABLE comments ADD COLUMN body_html_version INTEGER NOT NULL DEFAULT 0;',
    postgres:
      'ALTER TABLE comments ADD COLUMN body_html TEXT; ALTER TABLE comments ADD COLUMN body_html_version INTEGER NOT NULL DEFAULT 0;',
  },
  {
    // A paper's thumbnail (its PDF's first page, src/thumbnails/) is stored beside it: the image in its own table, read
    // only when a browser asks for it, and its hash and size on the paper, so that a list shows it without a join.
    // thumbnail_attempts holds the failures, so that a paper whose PDF could not be had is tried again later, not at once.
    name: 'thumbnails of the PDFs first pages, and the attempts that failed',
    sqlite: thumbnails('BLOB'),
    postgres: thumbnails('BYTEA'),
  },
  {
    // When a paper entered its feed day (set on insert and whenever the day changes, as when Hugging Face lists an
    // arXiv paper), so that a digest can take only what is new since the last one (src/digest/): a paper that was in
    // the store but not shown last time is not sent later as if it were new, and one listed late is not lost.
    // digest_watermark is the newest feed_at a subscriber's last digest had seen.
    name: 'when each paper entered its feed day, and how far each subscriber has been served',
    sqlite: feedAt,
    postgres: feedAt,
  },
  {
    // Personal API tokens (src/accounts/api-tokens.ts): only the SHA-256 of each token is kept, as for sessions. A
    // token belongs to one account and goes with it; revoking one deletes its row.
    name: 'personal API tokens, stored hashed, with their scope and when each was last used',
    sqlite: apiTokens,
    postgres: apiTokens,
  },
  {
    name: 'the library: reading lists and collections of papers, with notes, private, shared by link or public',
    sqlite: library,
    postgres: library,
  },
  {
    // "Not interested" marks (src/foryou/): a reader's papers to push down, with their near-duplicates, in "For you".
    name: 'papers each reader marked not interested, for the For you ranking',
    sqlite: notInterested,
    postgres: notInterested,
  },
  {
    // The change feed (src/store/change-feed.ts): one row per committed change to papers (or to the search model),
    // written in the change's own transaction, so that every process on the store follows them in commit order.
    name: 'the change feed that every process on the store follows',
    sqlite: `
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  ids TEXT NOT NULL,
  text_changed INTEGER NOT NULL,
  origin TEXT NOT NULL,
  at TEXT NOT NULL
);`,
    postgres: `
CREATE TABLE changes (
  seq INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  ids TEXT NOT NULL,
  text_changed INTEGER NOT NULL,
  origin TEXT NOT NULL,
  at TEXT NOT NULL
);`,
  },
  {
    // Migration 18. Work shared by every process on one database (src/jobs/claims.ts, src/web/rate-counts.ts): a row
    // per scheduled job and period, claimed by the process that runs it and kept alive by its heartbeat, so that a
    // run happens once across the deployment and one whose process died is taken over; and the requests each client
    // made in the current window of each rate limit, counted across processes.
    name: 'claims on scheduled runs, and rate-limit counts shared by every process',
    sqlite: sharedWork(''),
    postgres: sharedWork('UNLOGGED '),
  },
  {
    // A reader's For you settings (src/foryou/settings.ts): the key mixed into their private feed's token (a new one
    // makes a new address and the old one stop working), and the time of their last reset, before which their
    // upvotes, saves and marks no longer shape the ranking. One row per account that changed either.
    name: 'For you: the private feed key and the reset time of each reader',
    sqlite: forYouSettings,
    postgres: forYouSettings,
  },
  {
    // Migration 20. A paper's vector under each model: while a new embedder embeds every paper in the background,
    // search keeps using the previous model's vectors; the switch then deletes them.
    name: 'paper vectors keyed by paper and model, so that two models can coexist during a switch',
    ...vectorsPerModel,
  },
  {
    // Migration 21. PostgreSQL only (SQLite's FTS5 table is kept by its triggers, unchanged): see searchWritten.
    name: 'PostgreSQL: the full-text vector written with each paper, or filled in by a trigger',
    sqlite: '-- nothing to change on SQLite',
    postgres: searchWritten,
  },
];
