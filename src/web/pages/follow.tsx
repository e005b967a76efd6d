import { type Context, Hono } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import {
  accountSubscriber,
  checkFollow,
  type Follow,
  followKey,
  listFollows,
  setFollow,
  startFollowDigest,
} from '../../digest/follows.js';
import { subscriberLinks } from '../../digest/links.js';
import { addDays } from '../../model/dates.js';
import type { Paper } from '../../model/paper.js';
import { Refusal } from '../../model/refusal.js';
import { feedDay } from '../../store/rows.js';
import { PaperList } from '../card.js';
import { checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { accountContext, localPath, viewer } from '../session.js';

/** Follows and unfollows from one address per window. */
export const FOLLOWS_PER_IP = 120;
export const FOLLOWS_WINDOW_SECONDS = 600;
/** Days of papers the Following page shows, and the most it lists. */
export const FOLLOWING_DAYS = 7;
const FOLLOWING_MAX = 100;

/** The `data-follow` value of a button: what src/web/personalize.ts reads to show it pressed. */
export const followAttr = (f: Follow) => followKey(f);

/**
 * Follow / Following: a plain form (signed out it leads to sign-in and back). Rendered the same for every visitor;
 * src/web/personalize.ts fills in the token and presses the button for a reader who follows it.
 */
export function FollowButton(props: Follow & { next: string; named?: boolean }) {
  const label = props.kind === 'author' ? props.value : `the category ${props.value}`;
  return (
    <form class="follow" method="post" action="/follow">
      <input type="hidden" name="csrf" value="" data-csrf />
      <input type="hidden" name="kind" value={props.kind} />
      <input type="hidden" name="value" value={props.value} />
      <input type="hidden" name="next" value={props.next} />
      <button type="submit" aria-pressed="false" data-follow={followAttr(props)} title={`Follow ${label}`}>
        <span class="off">Follow{props.named ? ` ${props.value}` : ''}</span>
        <span class="on">Following{props.named ? ` ${props.value}` : ''}</span>
      </button>
    </form>
  );
}

/** POST /follow (a toggle, or `on=1`/`on=0`), POST /following/digest, GET /following. */
export function followPages(deps: WebDeps): Hono {
  const app = new Hono();
  const { db, baseUrl, signer, now, trustProxy } = accountContext(deps);
  const limited = rateLimit(
    { counts: deps.rateCounts, name: 'follows' },
    {
      limit: FOLLOWS_PER_IP,
      windowSeconds: FOLLOWS_WINDOW_SECONDS,
      trustProxy,
      onLimited: (c, seconds) =>
        c.text(`Too many follows from your address. Please try again in ${Math.ceil(seconds / 60)} minutes.`, 429),
    },
  );

  async function signedIn(c: Context, next: string): Promise<Account | Response> {
    c.header('Cache-Control', 'no-store');
    const account = await viewer(c, db, now());
    if (!account) return c.redirect(`/signin?next=${encodeURIComponent(next)}`, 303);
    return account;
  }

  app.post('/follow', limited, async (c) => {
    const next = localPath((await c.req.parseBody()).next);
    const account = await signedIn(c, next);
    const form = await checkedForm(c, signer);
    if (account instanceof Response) return account;
    if (!form) return c.text('This form has expired. Go back, reload the page and try again.', 403);
    try {
      const follow = checkFollow(form.kind, form.value);
      // `on` says which (the account page's Unfollow, which a second click must not turn back on); none: the toggle.
      const on =
        form.on === '1' ||
        (form.on !== '0' && !(await listFollows(db, account, now())).some((f) => followKey(f) === followKey(follow)));
      await setFollow(db, account, follow, on, now());
    } catch (error) {
      if (error instanceof Refusal) return refusalPage(c, baseUrl, error, { back: { href: next } });
      throw error;
    }
    return c.redirect(next, 303);
  });

  app.post('/following/digest', limited, async (c) => {
    const account = await signedIn(c, '/following');
    if (account instanceof Response) return account;
    if (!(await checkedForm(c, signer)))
      return c.text('This form has expired. Go back, reload the page and try again.', 403);
    try {
      await startFollowDigest(db, account, now());
    } catch (error) {
      if (error instanceof Refusal) return refusalPage(c, baseUrl, error, { back: { href: '/following' } });
      throw error;
    }
    return c.redirect('/following?digest=on', 303);
  });

  app.get('/following', async (c) => {
    const account = await signedIn(c, '/following');
    if (account instanceof Response) return account;
    const follows = await listFollows(db, account, now());
    const subscriber = await accountSubscriber(db, account, now());
    const latest = (await deps.store.neighbourDays('9999-12-31')).previous ?? undefined;
    const papers =
      latest && follows.length ? await followedPapers(follows, addDays(latest, -(FOLLOWING_DAYS - 1)), latest) : [];
    const token = csrfToken(c, signer, baseUrl);
    const mailed = subscriber?.status === 'confirmed';
    return c.html(
      <Layout title="Following | Paperboy" path="/following" baseUrl={baseUrl}>
        <h1>Following</h1>
        {c.req.query('digest') === 'on' ? (
          <p class="notice" role="status">
            Your digest is on: what you follow comes by email on weekdays at 08:00 UTC.
          </p>
        ) : null}
        {follows.length === 0 ? (
          <p class="empty">
            You follow nobody yet. Follow authors and categories from their pages (the Follow button beside their name),
            and their new papers gather here.
          </p>
        ) : (
          <>
            <p class="sub">
              New papers of the last {FOLLOWING_DAYS} listing days by the{' '}
              {follows.length === 1 ? 'one' : follows.length}{' '}
              {follows.length === 1 ? 'author or category' : 'authors and categories'} you follow:{' '}
              {follows.map((f, i) => (
                <>
                  {i ? ', ' : ''}
                  <a
                    href={
                      f.kind === 'author'
                        ? `/authors/${encodeURIComponent(f.value)}`
                        : `/categories/${encodeURIComponent(f.value)}`
                    }
                  >
                    {f.value}
                  </a>
                </>
              ))}
              .
            </p>
            {mailed && subscriber ? (
              <p class="sub">
                They come by email too.{' '}
                <a href={subscriberLinks(baseUrl, deps.signer, subscriber.id).preferencesUrl}>Change your digest</a>.
              </p>
            ) : (
              <form method="post" action="/following/digest" class="inline">
                <input type="hidden" name="csrf" value={token} />
                <button type="submit">Email me what I follow</button>
              </form>
            )}
            {papers.length ? <PaperList papers={papers} /> : <p class="empty">Nothing new from them in these days.</p>}
          </>
        )}
      </Layout>,
    );
  });

  /** The papers of a window by any followed author or in any followed category, newest day first, then trending. */
  async function followedPapers(follows: Follow[], from: string, to: string): Promise<Paper[]> {
    const lists = await Promise.all(
      follows.map((f) =>
        deps.store.listPapers({
          from,
          to,
          ...(f.kind === 'author' ? { author: f.value } : { category: f.value }),
          limit: FOLLOWING_MAX,
        }),
      ),
    );
    const byId = new Map(lists.flat().map((p) => [p.id, p]));
    return [...byId.values()]
      .sort(
        (a, b) =>
          (feedDay(b) ?? '').localeCompare(feedDay(a) ?? '') ||
          b.upvotes + b.communityUpvotes - (a.upvotes + a.communityUpvotes),
      )
      .slice(0, FOLLOWING_MAX);
  }

  return app;
}
