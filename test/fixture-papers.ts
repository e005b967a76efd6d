import { fileURLToPath } from 'node:url';
import { readJsonlDump } from '../src/ingest/jsonl-dump.js';
import type { PaperRecord } from '../src/model/record.js';
import type { Store } from '../src/store/store.js';

/** Test data for the API and feed tests: real arXiv listings from the shared fixtures, placed on chosen days. */
export const FIXTURE = fileURLToPath(
  new URL('../../shared/data/fixtures/daily_arxiv_raw/2025-03-18.jsonl', import.meta.url),
);

/**
 * Feed days of the loaded papers, five each, chosen around ISO week and year boundaries: 2025-12-28 is the Sunday
 * of 2025-W52, 2025-12-29 the Monday of 2026-W01, 2026-01-04 its Sunday, 2026-01-05 the Monday of 2026-W02.
 */
export const DAYS = [
  '2025-03-18',
  '2025-03-31',
  '2025-12-28',
  '2025-12-29',
  '2026-01-04',
  '2026-01-05',
  '2026-07-01',
] as const;
export const PER_DAY = 5;
export const LATEST_DAY = '2026-07-01';

export const HOSTILE_TITLE = 'Escaping <script>alert("x")</script> & other <b>tags</b> in titles';
export const HOSTILE_ID = '2607.00001';
export const OLD_STYLE_ID = 'hep-th/9901001';

export interface LoadedPapers {
  /** Ids per day, in load order. */
  byDay: Map<string, string[]>;
  records: PaperRecord[];
}

export async function loadTestPapers(store: Store): Promise<LoadedPapers> {
  const real: PaperRecord[] = [];
  for await (const entry of readJsonlDump(FIXTURE)) {
    if (entry.ok) real.push(entry.record);
    if (real.length === DAYS.length * PER_DAY) break;
  }
  const byDay = new Map<string, string[]>();
  const records = real.map((r, i) => {
    const day = DAYS[Math.floor(i / PER_DAY)]!;
    byDay.set(day, [...(byDay.get(day) ?? []), r.id]);
    return { ...r, listedOn: day };
  });
  // The latest day came through Hugging Face's daily papers: upvotes, submitters, repositories.
  const hf: PaperRecord[] = (byDay.get(LATEST_DAY) ?? []).map((id, i) => ({
    id,
    source: 'hf-daily',
    title: records.find((r) => r.id === id)!.title,
    abstract: '',
    dailyOn: LATEST_DAY,
    upvotes: 10 * (i + 1),
    numComments: i,
    submittedBy: i % 2 === 0 ? 'alice' : 'bob',
    githubRepo: `https://github.com/example/repo-${i}`,
    githubStars: 100 * i,
  }));
  const synthetic: PaperRecord[] = [
    {
      id: HOSTILE_ID,
      source: 'arxiv-api',
      version: 1,
      title: HOSTILE_TITLE,
      abstract: 'Abstracts hold a < b && c > d, "quotes" and ]]> too.',
      authors: ['Ada <Lovelace>', 'Bob & Co'],
      primaryCategory: 'cs.CR',
      categories: ['cs.CR'],
      listedOn: LATEST_DAY,
    },
    {
      id: OLD_STYLE_ID,
      source: 'arxiv-api',
      version: 1,
      title: 'An old-style identifier',
      abstract: 'First version.',
      authors: ['Old Author'],
      primaryCategory: 'hep-th',
      categories: ['hep-th'],
      submittedAt: '1999-01-04T00:00:00Z',
    },
    {
      id: OLD_STYLE_ID,
      source: 'arxiv-api',
      version: 2,
      title: 'An old-style identifier',
      abstract: 'Second version.',
      authors: ['Old Author'],
      primaryCategory: 'hep-th',
      categories: ['hep-th'],
      submittedAt: '1999-01-04T00:00:00Z',
      updatedAt: '1999-02-01T00:00:00Z',
    },
  ];
  await store.upsertPapers([...records, ...hf, ...synthetic]);
  byDay.set(LATEST_DAY, [...(byDay.get(LATEST_DAY) ?? []), HOSTILE_ID]);
  return { byDay, records };
}
