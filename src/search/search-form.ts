import { z } from 'zod';
import type { SearchQuery } from './types.js';
import { isValidDay } from '../model/dates.js';
import { cleanLine } from '../model/text.js';

/** The search page's query string (also used by the search feeds): lenient, so a bad filter is dropped, not fatal. */
const list = z.string().max(500).transform((s) => s.split(/[\s,]+/).filter((c) => /^[a-z][a-z-]*(\.[A-Za-z-]+)?$/.test(c)).slice(0, 20));
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
}

export function parseSearchForm(params: URLSearchParams): SearchForm {
  const get = <T,>(schema: z.ZodType<T>, key: string): T | undefined => {
    const parsed = schema.safeParse(params.getAll(key).join(','));
    return parsed.success ? parsed.data : undefined;
  };
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
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
