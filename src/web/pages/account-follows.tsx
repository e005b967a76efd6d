import type { FC } from 'hono/jsx';
import type { Follow } from '../../digest/follows.js';
import { CSRF_FIELD } from '../csrf.js';

/** Where an unfollow on the account page comes back to. */
export const FOLLOWS_ANCHOR = '/account#follows';

/** The authors and categories the account follows, each with an Unfollow button (POST /follow with `on=0`). */
export const FollowsSection: FC<{ csrf: string; follows: Follow[] }> = ({ csrf, follows }) => (
  <section class="follows" id="follows" aria-labelledby="follows-title">
    <h2 id="follows-title">Following</h2>
    {follows.length ? (
      <>
        <p>
          Their new papers gather on <a href="/following">Following</a> and lift them in <a href="/for-you">For you</a>.
        </p>
        <ul class="follow-list">
          {follows.map((f) => {
            const label = f.kind === 'author' ? f.value : `the category ${f.value}`;
            return (
              <li>
                <div>
                  <a
                    href={
                      f.kind === 'author'
                        ? `/authors/${encodeURIComponent(f.value)}`
                        : `/categories/${encodeURIComponent(f.value)}`
                    }
                  >
                    {f.value}
                  </a>{' '}
                  <span class="scope">{f.kind}</span>
                </div>
                <form method="post" action="/follow">
                  <input type="hidden" name={CSRF_FIELD} value={csrf} />
                  <input type="hidden" name="kind" value={f.kind} />
                  <input type="hidden" name="value" value={f.value} />
                  <input type="hidden" name="on" value="0" />
                  <input type="hidden" name="next" value={FOLLOWS_ANCHOR} />
                  <button type="submit" aria-label={`Unfollow ${label}`}>
                    Unfollow
                  </button>
                </form>
              </li>
            );
          })}
        </ul>
      </>
    ) : (
      <p class="hint">You follow nobody yet: the Follow button beside an author's name or a category follows it.</p>
    )}
  </section>
);
