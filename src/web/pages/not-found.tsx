import type { Context } from 'hono';
import { Layout } from '../layout.js';

/** A 404 that helps: what was not found, and where to go instead. */
export function notFoundPage(c: Context, baseUrl: string, message = 'There is no page at this address.') {
  return c.html(
    <Layout title="Not found | Paperboy" path={new URL(c.req.url).pathname} baseUrl={baseUrl}>
      <h1>Not found</h1>
      <p>{message}</p>
      <form role="search" action="/search" method="get" class="searchbox">
        <label class="skip" for="nf-q">
          Search papers
        </label>
        <input id="nf-q" type="search" name="q" placeholder="Search for a title, an author, a topic" />
        <button type="submit">Search</button>
      </form>
      <p>
        Or go to <a href="/">today's papers</a>, <a href="/trending">trending</a>, or the{' '}
        <a href="/month">papers of the month</a>.
      </p>
    </Layout>,
    404,
  );
}
