import type { Paper as StoredPaper } from '../../model/paper.js';
import { feedDay } from '../../store/rows.js';
import type { PaperVersion } from '../../store/store.js';
import type { DailyEntry, Paper, PaperDetail } from './schemas.js';

/** Absolute URLs of this site's pages, from the configured base URL. */
export function siteUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

export function paperPageUrl(baseUrl: string, id: string): string {
  return siteUrl(baseUrl, `/papers/${id.split('/').map(encodeURIComponent).join('/')}`);
}

export function isArxivId(id: string): boolean {
  return !id.startsWith('title-');
}

const startOfDay = (day: string | null) => (day ? `${day}T00:00:00.000Z` : null);

export function apiPaper(p: StoredPaper, baseUrl: string): Paper {
  const day = feedDay(p);
  const arxiv = isArxivId(p.id);
  return {
    id: p.id,
    authors: p.authors.map((name) => ({ name })),
    publishedAt: p.submittedAt ?? startOfDay(day),
    title: p.title,
    summary: p.abstract,
    upvotes: p.upvotes + p.communityUpvotes,
    githubRepo: p.githubRepo,
    githubStars: p.githubStars,
    projectPage: p.projectPage,
    submittedOnDailyAt: startOfDay(p.dailyOn),
    submittedOnDailyBy: p.submittedBy ? { name: p.submittedBy } : null,
    categories: p.categories,
    primaryCategory: p.primaryCategory,
    codeUrls: p.codeUrls,
    version: p.version,
    feedDay: day,
    featuredOn: p.featuredOn ?? null,
    arxivUrl: arxiv ? `https://arxiv.org/abs/${p.id}` : null,
    pdfUrl: arxiv ? `https://arxiv.org/pdf/${p.id}` : null,
    url: paperPageUrl(baseUrl, p.id),
  };
}

export function apiPaperDetail(p: StoredPaper, versions: PaperVersion[], baseUrl: string): PaperDetail {
  return {
    ...apiPaper(p, baseUrl),
    versions: versions.map((v) => ({ version: v.version, date: v.date, source: v.source })),
  };
}

export function dailyEntry(p: StoredPaper, baseUrl: string): DailyEntry {
  const paper = apiPaper(p, baseUrl);
  return {
    paper,
    publishedAt: startOfDay(paper.feedDay),
    title: p.title,
    summary: p.abstract,
    numComments: p.numComments + p.communityComments,
    submittedBy: paper.submittedOnDailyBy,
    thumbnail: null,
    mediaUrls: [],
    isAuthorParticipating: false,
  };
}
