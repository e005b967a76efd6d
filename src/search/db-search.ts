import { type RawBuilder, sql } from 'kysely';
import { authorKey } from '../model/record.js';
import type { Db } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { highlight, snippet } from './highlight.js';
import { hasPositive, matchSet, type ParsedQuery, parseQuery } from './query.js';
import { clamp } from './search.js';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, type SearchQuery, type SearchResult, TOTAL_CAP } from './types.js';

/** Said with every answer from the database, so that a reader knows a better one is coming. */
export const WARMING_NOTICE =
  'Search is warming up: these are plain keyword matches from the database. Full ranking and semantic search follow in a few seconds.';

/** Weights of title, authors and abstract in SQLite's bm25(), as in the in-memory index: title > authors > abstract. */
const FTS5_WEIGHTS = sql`10.0, 5.0, 1.0`;

/**
 * Keyword search in the store's own full-text index (FTS5 on SQLite, tsvector on PostgreSQL), for the seconds after
 * a start while the in-memory index is built: every free word must match (the in-memory ranking lets some miss),
 * phrases and exclusions as in the full search, the same filters. It reads no more than a page of papers.
 */
export function databaseSearch(
  store: Pick<Store, 'engine' | 'getPapers'>,
  db: Db,
): (query: SearchQuery) => Promise<SearchResult> {
  return async (query) => {
    const started = performance.now();
    const parsed = parseQuery(typeof query.q === 'string' ? query.q : '');
    const took = () => Math.round((performance.now() - started) * 100) / 100;
    if (!hasPositive(parsed)) return { total: 0, hits: [], notice: 'Type some words to search for.', tookMs: took() };
    const limit = clamp(query.limit ?? DEFAULT_LIMIT, 1, MAX_LIMIT);
    const offset = clamp(query.offset ?? 0, 0, MAX_OFFSET);
    const filters = filterSql(query);
    const byDate = query.sort === 'date';
    let ids: string[];
    let total: number;
    if (store.engine === 'sqlite') {
      const match = fts5Match(parsed);
      const from = sql`papers_fts JOIN papers p ON p.rowid = papers_fts.rowid WHERE papers_fts MATCH ${match} AND ${filters}`;
      const order = byDate ? sql`p.feed_day DESC, p.id DESC` : sql`bm25(papers_fts, ${FTS5_WEIGHTS}), p.id DESC`;
      ids = (
        await sql<{ id: string }>`SELECT p.id FROM ${from} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`.execute(
          db,
        )
      ).rows.map((r) => r.id);
      total = await count(db, sql`SELECT 1 FROM ${from} LIMIT ${TOTAL_CAP + 1}`);
    } else {
      const tsquery = pgQuery(parsed);
      const from = sql`papers p WHERE p.search @@ ${tsquery} AND ${filters}`;
      const order = byDate
        ? sql`p.feed_day DESC NULLS LAST, p.id DESC`
        : sql`ts_rank_cd(p.search, ${tsquery}) DESC, p.id DESC`;
      ids = (
        await sql<{ id: string }>`SELECT p.id FROM ${from} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`.execute(
          db,
        )
      ).rows.map((r) => r.id);
      total = await count(db, sql`SELECT 1 FROM ${from} LIMIT ${TOTAL_CAP + 1}`);
    }
    const set = matchSet(parsed);
    const papers = await store.getPapers(ids);
    return {
      total: Math.min(total, TOTAL_CAP),
      ...(total > TOTAL_CAP ? { capped: true } : {}),
      hits: papers.map((paper, i) => ({
        paper,
        score: 1 / (offset + i + 1),
        titleHtml: highlight(paper.title, set),
        snippetHtml: snippet(paper.abstract, set),
      })),
      mode: 'keyword',
      notice: WARMING_NOTICE,
      tookMs: took(),
    };
  };
}

async function count(db: Db, rows: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ n: number | string }>`SELECT count(*) AS n FROM (${rows}) AS matches`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** The filters of a query as one SQL condition on `p` (the papers table); words are bound, never spliced. */
function filterSql(q: SearchQuery): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`p.hidden_at IS NULL`];
  if (q.categories?.length)
    parts.push(sql`p.id IN (SELECT paper_id FROM paper_categories WHERE category IN (${sql.join(q.categories)}))`);
  if (q.excludeCategories?.length)
    parts.push(
      sql`p.id NOT IN (SELECT paper_id FROM paper_categories WHERE category IN (${sql.join(q.excludeCategories)}))`,
    );
  if (q.from) parts.push(sql`p.feed_day >= ${q.from}`);
  if (q.to) parts.push(sql`p.feed_day <= ${q.to}`);
  if (q.hasCode !== undefined) parts.push(sql`p.has_code = ${q.hasCode ? 1 : 0}`);
  const author = q.author?.trim();
  if (author) parts.push(sql`p.id IN (SELECT paper_id FROM paper_authors WHERE name_key = ${authorKey(author)})`);
  return sql.join(parts, sql` AND `);
}

const ftsString = (words: string[]) => `"${words.join(' ').replace(/"/g, '""')}"`;

/** Every word and phrase, none of the exclusions, as an FTS5 expression (the words are letters and digits only). */
function fts5Match(q: ParsedQuery): string {
  const positive = [
    ...q.terms.map((t) => `${ftsString([t.word])}${t.prefix ? '*' : ''}`),
    ...q.phrases.map((p) => ftsString(p)),
  ].join(' AND ');
  return q.exclude.length ? `(${positive}) NOT (${q.exclude.map(ftsString).join(' OR ')})` : positive;
}

/** The same as a tsquery, each word or phrase in English (stemmed) or as written (authors' names are not stemmed). */
function pgQuery(q: ParsedQuery): RawBuilder<unknown> {
  const either = (text: string, phrase: boolean) =>
    phrase
      ? sql`(phraseto_tsquery('english', ${text}) || phraseto_tsquery('simple', ${text}))`
      : sql`(plainto_tsquery('english', ${text}) || plainto_tsquery('simple', ${text}))`;
  const positive = [
    ...q.terms.map((t) => (t.prefix ? sql`to_tsquery('simple', ${`${t.word}:*`})` : either(t.word, false))),
    ...q.phrases.map((p) => either(p.join(' '), true)),
  ];
  const all = sql.join(positive, sql` && `);
  if (q.exclude.length === 0) return sql`(${all})`;
  return sql`(${all} && !!(${sql.join(
    q.exclude.map((p) => either(p.join(' '), p.length > 1)),
    sql` || `,
  )}))`;
}
