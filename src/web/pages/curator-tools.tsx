import type { Context } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import { isCurator } from '../../community/roles.js';
import { humanDay, isoDay } from '../../model/dates.js';
import type { Paper } from '../../model/paper.js';
import { feedDay } from '../../store/rows.js';
import { CSRF_FIELD, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { viewer } from '../session.js';

export const curatePath = (id: string) => `/papers/${id}/curate`;

/** A curator looking at a page, with the token their forms need; undefined for everyone else. */
export interface CuratorView {
  account: Account;
  csrf: string;
  today: string;
}

/**
 * Whether the visitor is a curator (or admin). Pages that show curator tools render them only then, and mark the
 * answer private: the tools are never in a page rendered for everyone, nor in a cached one.
 */
export async function curatorView(c: Context, deps: WebDeps): Promise<CuratorView | undefined> {
  const now = deps.clock();
  const account = await viewer(c, deps.db, now);
  if (!isCurator(account)) return undefined;
  c.header('Cache-Control', 'private, no-store');
  return { account: account!, csrf: csrfToken(c, deps.signer, deps.config.baseUrl), today: isoDay(now) };
}

function Action(props: {
  paper: Paper;
  view: CuratorView;
  change: string;
  label: string;
  day?: string | undefined;
  next?: string | undefined;
}) {
  return (
    <form method="post" action={curatePath(props.paper.id)} class="inline">
      <input type="hidden" name={CSRF_FIELD} value={props.view.csrf} />
      <input type="hidden" name="change" value={props.change} />
      {props.day ? <input type="hidden" name="day" value={props.day} /> : null}
      {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
      <button type="submit">{props.label}</button>
    </form>
  );
}

/** "Featured on <day>", on the paper page for everyone. */
export function FeaturedTag(props: { paper: Paper }) {
  const day = props.paper.featuredOn;
  return day ? (
    <p class="tags">
      <a class="tag featured" href={`/day/${day}`}>
        Featured on {humanDay(day)}
      </a>
    </p>
  ) : null;
}

/** Shown to curators above a hidden paper: everyone else gets a 404. */
export function HiddenBanner(props: { paper: Paper; view: CuratorView }) {
  if (!props.paper.hiddenAt) return null;
  return (
    <aside class="banner hidden-paper" role="status" aria-label="Hidden">
      <p>
        <strong>Hidden</strong> by a curator on {humanDay(props.paper.hiddenAt.slice(0, 10))}: this paper is in no list,
        feed or search, and its page is “not found” for everyone but curators.
      </p>
      <Action paper={props.paper} view={props.view} change="unhide" label="Unhide" />
    </aside>
  );
}

/** Feature, hide and lock buttons: plain forms (src/web/pages/curation-actions.tsx), no JavaScript needed. */
export function CuratorTools(props: { paper: Paper; view: CuratorView }) {
  const { paper, view } = props;
  const day = feedDay(paper);
  return (
    <section class="curator" aria-labelledby="curator-tools">
      <h2 id="curator-tools">Curator tools</h2>
      <p>
        {paper.featuredOn ? (
          <Action paper={paper} view={view} change="unfeature" label={`Unfeature (featured on ${paper.featuredOn})`} />
        ) : (
          <>
            <Action paper={paper} view={view} change="feature" day={view.today} label="Feature today" />
            {day && day !== view.today ? (
              <>
                {' '}
                <Action paper={paper} view={view} change="feature" day={day} label={`Feature on ${day}`} />
              </>
            ) : null}
          </>
        )}{' '}
        {paper.hiddenAt ? (
          <Action paper={paper} view={view} change="unhide" label="Unhide" />
        ) : (
          <Action paper={paper} view={view} change="hide" label="Hide as spam" />
        )}{' '}
        {paper.commentsLockedAt ? (
          <Action paper={paper} view={view} change="unlock" label="Unlock the discussion" />
        ) : (
          <Action paper={paper} view={view} change="lock" label="Lock the discussion" />
        )}
      </p>
      <p class="sub">
        Every action is recorded in the <a href="/admin">audit log</a>.
      </p>
    </section>
  );
}
