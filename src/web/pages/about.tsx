import { Hono } from 'hono';
import { EDIT_GRACE_MINUTES } from '../../community/comments.js';
import { SUBMIT_WINDOW_DAYS } from '../../community/submissions.js';
import {
  COMMENT_WEIGHT,
  DAYS_PER_DECADE,
  NEW_ACCOUNT_HOURS,
  NEW_ACCOUNT_VOTE_POINTS,
  POINTS_PER_UPVOTE,
  STARS_PER_UPVOTE,
} from '../../model/trending.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';

export function aboutPages(deps: WebDeps): Hono {
  const app = new Hono();
  app.get('/about', (c) =>
    c.html(
      <Layout title="About | Paperboy" path="/about" baseUrl={deps.config.baseUrl}>
        <h1>About Paperboy</h1>
        <p>
          Paperboy is a self-hosted Daily Papers: new research papers from arXiv and the Hugging Face daily papers,
          curated by the research community, with search, feeds and an open API.
        </p>
        <h2 id="subscribe">Get trending papers in your email inbox</h2>
        <p>
          A digest of trending papers, every weekday, every day or once a week at the hour you choose, with alerts for
          the searches, categories and authors you follow: <a href="/subscribe">subscribe</a> with just an email
          address. Every list on this site also has a feed you can follow in any reader: the{' '}
          <a href="/feed.atom">daily papers</a>, <a href="/trending/feed.atom">trending</a>, any category, any author
          and any search.
        </p>
        <h2 id="submit">Submitting papers</h2>
        <p>
          Signed-in readers <a href="/submit">submit</a> papers to the day's feed by arXiv id or link, as on Hugging
          Face: each paper once, within {SUBMIT_WINDOW_DAYS} days of its first version on arXiv. The feed shows who
          submitted it.
        </p>
        <h2 id="trending">How trending works</h2>
        <p>Each paper gets one score from the attention it has had and the day it entered the feed:</p>
        <p>
          <code>
            score = log10(1 + upvotes + {COMMENT_WEIGHT} × comments + GitHub stars / {STARS_PER_UPVOTE}) + day /{' '}
            {DAYS_PER_DECADE}
          </code>
        </p>
        <p>
          Upvotes and comments count both those from Hugging Face and those made here. Ten times the attention makes up
          for {DAYS_PER_DECADE} days of age, so a paper from last week needs far more upvotes than one from today to
          stay on top. Papers nobody has voted on yet rank by their day alone. An upvote from an account younger than{' '}
          {NEW_ACCOUNT_HOURS} hour counts {NEW_ACCOUNT_VOTE_POINTS}/{POINTS_PER_UPVOTE} of an upvote in the score (the
          count shown is not weighted), so a burst of new accounts moves little. Scores change as votes and comments
          arrive, and all of them are stored again on a schedule (hourly unless the site sets PAPERBOY_TRENDING_CRON
          otherwise).
        </p>
        <h2 id="discussion">Discussion and moderation</h2>
        <p>
          Signed-in readers comment on every paper and reply to each other, in a small Markdown (emphasis, links, code,
          lists, quotes) with TeX math between <code>$…$</code> or <code>$$…$$</code>. Comments can be edited for{' '}
          {EDIT_GRACE_MINUTES} minutes after posting, deleted by their author, and reported. Curators feature papers for
          a day, hide spam and lock discussions; admins ban accounts. Every moderation action is recorded.
        </p>
        <h2>API and feeds</h2>
        <p>
          The JSON API follows the shapes of the Hugging Face papers API; see <a href="/docs">the API documentation</a>{' '}
          and the <a href="/openapi.json">OpenAPI document</a>.
        </p>
      </Layout>,
    ),
  );
  return app;
}
