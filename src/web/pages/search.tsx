import { Hono } from 'hono';
import { raw } from 'hono/html';
import { parseSearchForm, searchFormQuery, toSearchQuery } from '../../search/search-form.js';
import { PaperItem } from '../card.js';
import { FeedLinks, Pager } from '../components.js';
import type { WebDeps } from '../deps.js';
import { feedLinks } from '../feeds/links.js';
import { Layout } from '../layout.js';
import { ExportLinks } from './library.js';

const PAGE_SIZE = 20;

/** The search page: a plain GET form, results rendered on the server (readable without JavaScript). */
export function searchPages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;

  app.get('/search', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const form = parseSearchForm(params);
    const query = searchFormQuery(form);
    const result = form.q.trim() ? await deps.search.search(toSearchQuery(form, PAGE_SIZE)) : undefined;
    if (result?.paperId) return c.redirect(`/papers/${result.paperId}`);
    const title = form.q ? `${form.q} | Search | Paperboy` : 'Search | Paperboy';
    return c.html(
      <Layout
        bodyClass="search-page"
        title={title}
        path={`/search${query ? `?${query}` : ''}`}
        baseUrl={baseUrl}
        query={form.q}
        feeds={form.q ? feedLinks('/search', query) : undefined}
      >
        <h1>Search papers</h1>
        <form action="/search" method="get" role="search">
          <div class="searchbox">
            <label class="skip" for="q">
              Search for
            </label>
            <input
              id="q"
              type="search"
              name="q"
              value={form.q}
              placeholder={'robustness "adversarial examples" -survey'}
            />
            <button type="submit">Search</button>
          </div>
          <fieldset class="filters">
            <legend class="skip">Filters</legend>
            <label>
              Categories
              <input name="cat" value={form.categories.join(', ')} placeholder="cs.CL, cs.LG" />
            </label>
            <label>
              Exclude categories
              <input name="exclude" value={form.exclude.join(', ')} placeholder="cs.CR" />
            </label>
            <label>
              From
              <input type="date" name="from" value={form.from ?? ''} />
            </label>
            <label>
              To
              <input type="date" name="to" value={form.to ?? ''} />
            </label>
            <label>
              Sort by
              <select name="sort">
                <option value="relevance" selected={form.sort === 'relevance'}>
                  relevance
                </option>
                <option value="date" selected={form.sort === 'date'}>
                  date
                </option>
              </select>
            </label>
            <label class="check">
              <input type="checkbox" name="code" value="1" checked={form.hasCode} />
              Has code
            </label>
          </fieldset>
        </form>
        {form.ignored.length ? (
          <ul class="error" role="alert">
            {form.ignored.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        ) : null}
        {result ? (
          <>
            <p class="sub" role="status">
              {result.capped ? `${result.total}+` : result.total} {result.total === 1 ? 'paper' : 'papers'} for{' '}
              {raw('&ldquo;')}
              {form.q}
              {raw('&rdquo;')}
            </p>
            {result.notice ? <p class="notice">{result.notice}</p> : null}
            {result.hits.length ? (
              <ol class="papers">
                {result.hits.map((h) => (
                  <PaperItem paper={h.paper} titleHtml={h.titleHtml} snippetHtml={h.snippetHtml} />
                ))}
              </ol>
            ) : (
              <p>Nothing matches. Try fewer words, remove a filter, or check the spelling.</p>
            )}
            <Pager path="/search" params={params} page={form.page} hasNext={form.page * PAGE_SIZE < result.total} />
            <FeedLinks base="/search" query={query} alert={{ search: `/search?${query}` }} />
            {result.hits.length ? <ExportLinks base="/search" query={query} /> : null}
          </>
        ) : (
          <p class="sub">
            Search titles, authors and abstracts. Use quotes for a phrase, a minus to exclude a word, or paste an arXiv
            id.
          </p>
        )}
      </Layout>,
    );
  });

  return app;
}
