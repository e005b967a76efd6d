import type { SourceName } from './record.js';

/** A paper as the store holds it: the merge of everything its sources said. */
export interface Paper {
  id: string;
  /** Latest known arXiv version (0 when no source gave one). */
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  primaryCategory: string | null;
  categories: string[];
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
  submittedAt: string | null;
  updatedAt: string | null;
  listedOn: string | null;
  dailyOn: string | null;
  codeUrls: string[];
  projectPage: string | null;
  /** Upvotes at the source (Hugging Face). What a reader sees is this plus `communityUpvotes`. */
  upvotes: number;
  /** Upvotes from accounts on this site, and their weight in trending (src/model/trending.ts). */
  communityUpvotes: number;
  communityPoints: number;
  /** Comments at the source (Hugging Face); `communityComments` are the live ones here (src/community/comments.ts). */
  numComments: number;
  communityComments: number;
  submittedBy: string | null;
  githubRepo: string | null;
  githubStars: number | null;
  /** Which source each field came from (field name to source). */
  provenance: Partial<Record<string, SourceName>>;
  /** When Paperboy first stored the paper, and last changed it (ISO). */
  createdAt: string;
  modifiedAt: string;
  /** Curation (src/community/curation.ts); absent on a paper not read from the store. */
  featuredOn?: string | null;
  hiddenAt?: string | null;
  commentsLockedAt?: string | null;
  /** The first page of its PDF as a small image (src/thumbnails/), served at thumbnailPath; absent until made. */
  thumbnail?: Thumbnail | null;
}

export interface Thumbnail {
  /** Of the image's bytes: a new image has a new address, so browsers may keep one for ever. */
  hash: string;
  width: number;
  height: number;
}
