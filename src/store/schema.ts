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

export interface Database {
  papers: PapersTable;
  paper_versions: PaperVersionsTable;
  paper_sources: PaperSourcesTable;
  import_checkpoints: ImportCheckpointsTable;
  harvest_state: HarvestStateTable;
}
