// The judged test collections in ../shared/data/benchmarks/, as paper records for a store plus queries and judgments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PaperRecord } from '../src/model/record.js';

export interface Collection {
  name: string;
  records: PaperRecord[];
  queries: Map<string, string>;
  qrels: Map<string, Map<string, number>>;
}

const ROOT = new URL('../../shared/data/benchmarks/', import.meta.url).pathname;

/** SMART-format records: `.I n` starts a record, `.X` lines start fields. */
function smart(text: string): { id: string; fields: Record<string, string> }[] {
  const out: { id: string; fields: Record<string, string> }[] = [];
  let field = '';
  for (const line of text.split(/\r?\n/)) {
    const m = /^\.([A-Z])(?:\s+(.*))?$/.exec(line);
    if (m?.[1] === 'I') {
      out.push({ id: m[2]!.trim(), fields: {} });
      field = '';
    } else if (m) {
      field = m[1]!;
    } else if (field && out.length) {
      const rec = out[out.length - 1]!;
      rec.fields[field] = `${rec.fields[field] ?? ''}${line.trim()} `;
    }
  }
  return out;
}

const clean = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * Cranfield: 1,400 documents, 225 queries numbered 1..225 in file order (cranqrel.readme). Judgment codes run
 * from 1 (complete answer) to 4 (minimum interest); as gains, 5 - code. Code -1 (one per query) counts as not relevant.
 */
export function cranfield(): Collection {
  const dir = join(ROOT, 'cranfield');
  const records = smart(readFileSync(join(dir, 'cran.all.1400'), 'utf8')).map((d): PaperRecord => {
    const title = clean(d.fields.T) || `Cranfield document ${d.id}`;
    return {
      id: `cran-${d.id}`,
      source: 'jsonl',
      title,
      abstract: clean(d.fields.W),
      authors: clean(d.fields.A) ? [clean(d.fields.A)] : [],
    };
  });
  const queries = new Map(
    smart(readFileSync(join(dir, 'cran.qry'), 'utf8')).map((q, i) => [String(i + 1), clean(q.fields.W)]),
  );
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(dir, 'cranqrel'), 'utf8').split('\n')) {
    const [q, d, code] = line.trim().split(/\s+/);
    if (!q || !d || code === undefined) continue;
    const c = Number(code);
    const gain = c >= 1 && c <= 4 ? 5 - c : 0;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(`cran-${d}`, gain);
  }
  return { name: 'Cranfield', records, queries, qrels };
}

/** CACM: 3,204 documents (title, abstract when there is one, authors), 64 queries of which 52 are judged (binary). */
export function cacm(): Collection {
  const dir = join(ROOT, 'cacm');
  const records = readFileSync(join(dir, 'cacm.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line): PaperRecord => {
      const d = JSON.parse(line) as { id: string; title: string; abstract: string; authors: string[] };
      return {
        id: `cacm-${d.id}`,
        source: 'jsonl',
        title: clean(d.title) || `CACM ${d.id}`,
        abstract: clean(d.abstract),
        authors: d.authors,
      };
    });
  const queries = new Map(
    smart(readFileSync(join(dir, 'query.text'), 'utf8')).map((q) => [String(Number(q.id)), clean(q.fields.W)]),
  );
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(dir, 'qrels.text'), 'utf8').split('\n')) {
    const [q, d] = line.trim().split(/\s+/);
    if (!q || !d) continue;
    const key = String(Number(q));
    if (!qrels.has(key)) qrels.set(key, new Map());
    qrels.get(key)!.set(`cacm-${Number(d)}`, 1);
  }
  return { name: 'CACM', records, queries, qrels };
}
