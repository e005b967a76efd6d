import { z } from 'zod';
import { isValidDay } from '../model/dates.js';
import { cleanLine, echo } from '../model/text.js';
import type { SearchQuery } from './types.js';

/** The search page's query string (also used by the search feeds): lenient, so a bad filter is dropped, not fatal. */
const list = z
  .string()
  .max(500)
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .filter((c) => /^[a-z][a-z-]*(\.[A-Za-z-]+)?$/.test(c))
      .slice(0, 20),
  );
const day = z.string().refine(isValidDay);

export interface SearchForm {
  q: string;
  categories: string[];
  exclude: string[];
  from: string | undefined;
  to: string | undefined;
  hasCode: boolean;
  sort: 'relevance' | 'date';
  page: number;
  /** What was asked for but left out (a date that is not a day, a page past the last one allowed), in words. */
  ignored: string[];
}

export function parseSearchForm(params: URLSearchParams): SearchForm {
  const get = <T>(schema: z.ZodType<T>, key: string): T | undefined => {
    const parsed = schema.safeParse(params.getAll(key).join(','));
    return parsed.success ? parsed.data : undefined;
  };
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  const ignored: string[] = [];
  for (const key of ['from', 'to'] as const) {
    const given = params.get(key);
    if (given && !day.safeParse(given).success) {
      ignored.push(
        `“${echo(given)}” is not a day (like 2026-07-01), so the results are not limited by ${key === 'from' ? 'a first' : 'a last'} day.`,
      );
    }
  }
  const pageGiven = params.get('page');
  if (pageGiven && !(Number.isFinite(page) && page >= 1 && page <= 1000 && /^\d+$/.test(pageGiven))) {
    ignored.push(`“${echo(pageGiven)}” is not a page from 1 to 1000, so the first page is shown.`);
  }
  return {
    ignored,
    q: cleanLine((params.get('q') ?? '').slice(0, 500)),
    categories: get(list, 'cat') ?? [],
    exclude: get(list, 'exclude') ?? [],
    from: get(day, 'from'),
    to: get(day, 'to'),
    hasCode: params.get('code') === '1' || params.get('has_code') === 'true',
    sort: params.get('sort') === 'date' ? 'date' : 'relevance',
    page: Number.isFinite(page) && page >= 1 && page <= 1000 ? page : 1,
  };
}

export function toSearchQuery(form: SearchForm, pageSize: number): SearchQuery {
  return {
    q: form.q,
    categories: form.categories.length ? form.categories : undefined,
    excludeCategories: form.exclude.length ? form.exclude : undefined,
    from: form.from,
    to: form.to,
    hasCode: form.hasCode || undefined,
    sort: form.sort,
    limit: pageSize,
    offset: (form.page - 1) * pageSize,
  };
}

/** The form as a query string without the page, for feed links and pagination. */
export function searchFormQuery(form: SearchForm): string {
  const p = new URLSearchParams();
  if (form.q) p.set('q', form.q);
  if (form.categories.length) p.set('cat', form.categories.join(','));
  if (form.exclude.length) p.set('exclude', form.exclude.join(','));
  if (form.from) p.set('from', form.from);
  if (form.to) p.set('to', form.to);
  if (form.hasCode) p.set('code', '1');
  if (form.sort === 'date') p.set('sort', 'date');
  return p.toString();
}
