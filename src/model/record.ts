/**
 * One paper as a source describes it, before it is merged into the store.
 * Every parser (JSONL dump, saved page, arXiv Atom, arXiv OAI-PMH, Hugging Face daily papers) produces these, and so
 * does a submission by a reader of this site (`community`: only the feed day and the submitter, see src/community/submissions.ts).
 */
export type SourceName = 'arxiv-oai' | 'arxiv-api' | 'jsonl' | 'hf-daily' | 'page' | 'community';

export interface PaperRecord {
  /** arXiv id without version ("2503.11731", "hep-th/9901001"), or "title-<hash>" when a source gives no id (see synthetic-id.ts). */
  id: string;
  source: SourceName;
  /** The arXiv version this record describes, when the source says. */
  version?: number | undefined;
  title: string;
  abstract: string;
  authors?: string[] | undefined;
  primaryCategory?: string | undefined;
  categories?: string[] | undefined;
  comment?: string | undefined;
  journalRef?: string | undefined;
  doi?: string | undefined;
  /** ISO timestamps. */
  submittedAt?: string | undefined;
  updatedAt?: string | undefined;
  /** YYYY-MM-DD: the day the paper appeared in an arXiv listing. */
  listedOn?: string | undefined;
  /** YYYY-MM-DD: the day the paper entered the daily feed (Hugging Face). */
  dailyOn?: string | undefined;
  codeUrls?: string[] | undefined;
  projectPage?: string | undefined;
  upvotes?: number | undefined;
  numComments?: number | undefined;
  submittedBy?: string | undefined;
  githubRepo?: string | undefined;
  githubStars?: number | undefined;
}

/** A record, or the reason one entry of the input could not become a record. */
export type ParsedEntry =
  | { ok: true; record: PaperRecord; position: string }
  | { ok: false; error: string; position: string };

/** Text folded for matching across sources: accents dropped, lower case, letters and digits only. */
export function foldKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A title as matched across sources (a saved page and arXiv spell the same title differently). */
export const titleKey = foldKey;

/** An author name as matched for author pages and filters. */
export const authorKey = foldKey;
