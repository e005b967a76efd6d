import { createHash } from 'node:crypto';
import type { Paper } from '../model/paper.js';
import type { PaperRecord, SourceName } from '../model/record.js';

/**
 * How much each source is trusted for bibliographic fields (title, abstract, authors, categories, ...).
 * arXiv is the publisher of record; a JSONL dump is a copy of arXiv listings; Hugging Face re-serves arXiv
 * metadata; a saved page has only a title and an abstract. A submission on this site says nothing bibliographic.
 */
export const SOURCE_AUTHORITY: Record<SourceName, number> = {
  'arxiv-oai': 4,
  'arxiv-api': 4,
  jsonl: 3,
  'hf-daily': 2,
  page: 1,
  community: 0,
};

/** Bibliographic fields: one source owns each, by authority, and a newer arXiv version replaces them. */
const BIBLIOGRAPHIC = [
  'title',
  'abstract',
  'authors',
  'primaryCategory',
  'categories',
  'comment',
  'journalRef',
  'doi',
] as const;
/** Community facts: only the source that counts them knows them; its latest word wins. */
const COMMUNITY = ['upvotes', 'numComments', 'submittedBy', 'githubRepo', 'githubStars', 'projectPage'] as const;
/** Days a paper first appeared somewhere: the earliest one wins. */
const FIRST_DAYS = ['submittedAt', 'listedOn', 'dailyOn'] as const;

/** A stable fingerprint of what a source said about a paper, to recognise a re-import of the same record. */
export function recordHash(record: PaperRecord): string {
  return createHash('sha1').update(JSON.stringify(record)).digest('base64url');
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export function emptyPaper(id: string, now: string): Paper {
  return {
    id,
    version: 0,
    title: '',
    abstract: '',
    authors: [],
    primaryCategory: null,
    categories: [],
    comment: null,
    journalRef: null,
    doi: null,
    submittedAt: null,
    updatedAt: null,
    listedOn: null,
    dailyOn: null,
    codeUrls: [],
    projectPage: null,
    upvotes: 0,
    communityUpvotes: 0,
    communityPoints: 0,
    numComments: 0,
    communityComments: 0,
    submittedBy: null,
    githubRepo: null,
    githubStars: null,
    provenance: {},
    createdAt: now,
    modifiedAt: now,
  };
}

/**
 * Folds one source record into the stored paper (or a new one). Pure: returns the merged paper and whether
 * anything a reader could see changed.
 */
export function mergeRecord(
  existing: Paper | undefined,
  record: PaperRecord,
  now: string,
): { paper: Paper; changed: boolean } {
  const base = existing ?? emptyPaper(record.id, now);
  const next: Paper = { ...base, provenance: { ...base.provenance } };
  const set = <K extends keyof Paper>(field: K, value: Paper[K]) => {
    next[field] = value;
    next.provenance[field] = record.source;
  };

  const olderVersion = record.version !== undefined && record.version < base.version;
  if (!olderVersion) {
    const newerVersion = record.version !== undefined && record.version > base.version;
    for (const field of BIBLIOGRAPHIC) {
      const value = record[field];
      if (isEmpty(value)) continue;
      const owner = base.provenance[field];
      const authority = SOURCE_AUTHORITY[record.source];
      const takes = owner === undefined || newerVersion || authority >= SOURCE_AUTHORITY[owner];
      if (takes) set(field, value as Paper[typeof field]);
    }
    if (record.updatedAt && (!base.updatedAt || record.updatedAt > base.updatedAt)) set('updatedAt', record.updatedAt);
  }
  if (record.version !== undefined && record.version > base.version) next.version = record.version;

  for (const field of COMMUNITY) {
    const value = record[field];
    if (value !== undefined && value !== null && value !== '') set(field, value as Paper[typeof field]);
  }
  for (const field of FIRST_DAYS) {
    const value = record[field];
    if (value && (!base[field] || value < base[field]!)) set(field, value);
  }
  const codeUrls = [
    ...new Set([...base.codeUrls, ...(record.codeUrls ?? []), ...(record.githubRepo ? [record.githubRepo] : [])]),
  ];
  if (codeUrls.length !== base.codeUrls.length) set('codeUrls', codeUrls);

  if (!next.title) {
    throw new Error(
      `Paper ${record.id} from ${record.source} has no title; the parser of that source should have rejected it.`,
    );
  }
  const changed = existing === undefined || visibleChange(base, next);
  if (changed) next.modifiedAt = now;
  return { paper: next, changed };
}

function visibleChange(a: Paper, b: Paper): boolean {
  for (const key of Object.keys(b) as (keyof Paper)[]) {
    if (key === 'modifiedAt' || key === 'createdAt') continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return true;
  }
  return false;
}
