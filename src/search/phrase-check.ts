import { sql } from 'kysely';
import type { Db } from '../store/schema.js';
import type { Scored } from './paper-index.js';
import { fts5Constraint, type ParsedQuery } from './query.js';

/**
 * Phrases and exclusions are checked in the store's own full-text index (FTS5 on SQLite, tsvector on
 * PostgreSQL), which knows word positions; ranking happens in memory (ranking.ts).
 */
export interface PhraseCheck {
  /** Which of these papers match all the query's phrases (`phrases`) or any of its exclusions (`exclude`). */
  matching(ids: string[], q: ParsedQuery, which: 'phrases' | 'exclude'): Promise<Set<string>>;
}

/** Ids per statement: well under both engines' bound-parameter limits. */
const CHUNK = 500;

export function phraseCheck(db: Db, engine: 'sqlite' | 'postgres'): PhraseCheck {
  return {
    async matching(ids, q, which) {
      const list = which === 'phrases' ? q.phrases : q.exclude;
      const out = new Set<string>();
      if (list.length === 0 || ids.length === 0) return out;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const part = ids.slice(i, i + CHUNK);
        const rows =
          engine === 'sqlite'
            ? await sql<{ id: string }>`SELECT p.id FROM papers_fts JOIN papers p ON p.rowid = papers_fts.rowid
              WHERE papers_fts MATCH ${fts5Constraint(q, which)} AND p.id IN (${sql.join(part)})`.execute(db)
            : await sql<{ id: string }>`SELECT p.id FROM papers p WHERE p.id IN (${sql.join(part)})
              AND p.search @@ (${sql.join(
                list.map(
                  (words) =>
                    sql`(phraseto_tsquery('english', ${words.join(' ')}) || phraseto_tsquery('simple', ${words.join(' ')}))`,
                ),
                which === 'phrases' ? sql` && ` : sql` || `,
              )})`.execute(db);
        for (const r of rows.rows) out.add(r.id);
      }
      return out;
    },
  };
}

/** Keeps the hits that have every quoted phrase and no excluded word, checked until `need` are kept. */
export async function constrain(
  check: PhraseCheck,
  hits: Scored[],
  parsed: ParsedQuery,
  need: number,
): Promise<Scored[]> {
  if (parsed.phrases.length === 0 && parsed.exclude.length === 0) return hits;
  const out: Scored[] = [];
  for (let i = 0; i < hits.length && out.length < need; i += CHUNK) {
    const part = hits.slice(i, i + CHUNK);
    const ids = part.map((h) => h.id);
    const keep = parsed.phrases.length ? await check.matching(ids, parsed, 'phrases') : undefined;
    const drop = parsed.exclude.length ? await check.matching(ids, parsed, 'exclude') : undefined;
    out.push(...part.filter((h) => (!keep || keep.has(h.id)) && !drop?.has(h.id)));
  }
  return out;
}
