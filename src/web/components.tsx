import { raw } from 'hono/html';
import { humanDay } from '../model/dates.js';
import type { Paper } from '../model/paper.js';
import { authorKey } from '../model/record.js';
import { renderTitle } from './math.js';

export const paperPath = (id: string) => `/papers/${id}`;
export const authorPath = (name: string) => `/authors/${encodeURIComponent(name)}`;
export const categoryPath = (category: string) => `/categories/${encodeURIComponent(category)}`;
export const userPath = (handle: string) => `/users/${encodeURIComponent(handle)}`;

const MAX_AUTHORS = 8;

export function Authors(props: { authors: string[]; all?: boolean }) {
  const shown = props.all ? props.authors : props.authors.slice(0, MAX_AUTHORS);
  const more = props.authors.length - shown.length;
  return (
    <span>
      {shown.map((name, i) => (
        <>
          {i > 0 ? ', ' : ''}
          {authorKey(name) ? <a href={authorPath(name)}>{name}</a> : name}
        </>
      ))}
      {more > 0 ? ` and ${more} more` : ''}
    </span>
  );
}

export const upvotePath = (id: string) => `/papers/${id}/upvote`;

/**
 * The upvote button: a plain form (src/web/pages/upvote.ts), enhanced by app.js. The empty token and `aria-pressed` are
 * filled in for a signed-in visitor by src/web/personalize.ts; signed out, the form leads to sign-in.
 */
export function UpvoteForm(props: { paper: Paper }) {
  const p = props.paper;
  const total = p.upvotes + p.communityUpvotes;
  return (
    <form class="votes" method="post" action={upvotePath(p.id)} data-upvote>
      <input type="hidden" name="csrf" value="" data-upvote-csrf />
      <button
        type="submit"
        aria-pressed="false"
        data-paper={p.id}
        title="Upvote"
        aria-label={`Upvote (${total} upvotes)`}
      >
        <strong data-count>{total}</strong>upvotes
      </button>
    </form>
  );
}

/** One paper in a list. `titleHtml`/`snippetHtml` come escaped from search, with <mark> around matches. */
export function PaperItem(props: {
  paper: Paper;
  titleHtml?: string | undefined;
  snippetHtml?: string | undefined;
  heading?: 'h2' | 'h3';
}) {
  const p = props.paper;
  const day = p.dailyOn ?? p.listedOn ?? p.submittedAt?.slice(0, 10);
  const title = raw(renderTitle(p.title, props.titleHtml));
  const heading = <a href={paperPath(p.id)}>{title}</a>;
  return (
    <li class="paper">
      <UpvoteForm paper={p} />
      <div>
        {props.heading === 'h3' ? <h3>{heading}</h3> : <h2>{heading}</h2>}
        <div class="meta">
          <Authors authors={p.authors} />
        </div>
        {props.snippetHtml ? <p class="snippet">{raw(props.snippetHtml)}</p> : null}
        <ul class="tags" aria-label="Facts">
          {day ? <li class="tag">{humanDay(day)}</li> : null}
          {p.featuredOn ? (
            <li>
              <a class="featured" href={`/day/${p.featuredOn}`}>
                featured {humanDay(p.featuredOn)}
              </a>
            </li>
          ) : null}
          {p.primaryCategory ? (
            <li>
              <a href={categoryPath(p.primaryCategory)}>{p.primaryCategory}</a>
            </li>
          ) : null}
          {p.codeUrls.length ? (
            <li>
              <a href={p.codeUrls[0]} rel="nofollow noopener">
                code
              </a>
            </li>
          ) : null}
          {p.submittedBy ? (
            <li class="tag">
              submitted by <Submitter paper={p} />
            </li>
          ) : null}
          {p.numComments + p.communityComments ? (
            <li>
              <a href={`${paperPath(p.id)}#comments`}>{countOf(p.numComments + p.communityComments, 'comment')}</a>
            </li>
          ) : null}
        </ul>
      </div>
    </li>
  );
}

/** The submitter: a link to their profile when they submitted here, the Hugging Face name otherwise. */
export function Submitter(props: { paper: Paper }) {
  const p = props.paper;
  return p.provenance.submittedBy === 'community' && p.submittedBy ? (
    <a href={userPath(p.submittedBy)}>{p.submittedBy}</a>
  ) : (
    p.submittedBy
  );
}

const countOf = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function PaperList(props: { papers: Paper[] }) {
  return (
    <ol class="papers">
      {props.papers.map((p) => (
        <PaperItem paper={p} />
      ))}
    </ol>
  );
}

/** Previous/next page links that keep the rest of the query string. */
export function Pager(props: { path: string; params: URLSearchParams; page: number; hasNext: boolean }) {
  const link = (page: number) => {
    const params = new URLSearchParams(props.params);
    if (page <= 1) params.delete('page');
    else params.set('page', String(page));
    const qs = params.toString();
    return `${props.path}${qs ? `?${qs}` : ''}`;
  };
  if (props.page <= 1 && !props.hasNext) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.page > 1 ? (
        <a href={link(props.page - 1)} rel="prev">
          ← Previous page
        </a>
      ) : (
        <span />
      )}
      {props.hasNext ? (
        <a href={link(props.page + 1)} rel="next">
          Next page →
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

/** Where to follow a list: its feeds, and (for searches, categories, authors) an email alert. */
export function FeedLinks(props: {
  base: string;
  query?: string | undefined;
  alert?: { search?: string; category?: string; author?: string };
}) {
  const qs = props.query ? `?${props.query}` : '';
  const alert = props.alert
    ? `/subscribe?${new URLSearchParams(props.alert as Record<string, string>).toString()}`
    : undefined;
  return (
    <p class="feeds">
      Follow this list: <a href={`${props.base}/feed.atom${qs}`}>Atom</a> ·{' '}
      <a href={`${props.base}/feed.rss${qs}`}>RSS</a> · <a href={`${props.base}/feed.json${qs}`}>JSON Feed</a>
      {alert ? (
        <>
          {' '}
          · <a href={alert}>Email alerts</a>
        </>
      ) : null}
    </p>
  );
}
