import { Hono } from 'hono';
import { raw } from 'hono/html';
import { parseArxivId } from '../../model/arxiv-id.js';
import { humanDay } from '../../model/dates.js';
import type { Paper } from '../../model/paper.js';
import { isSyntheticId } from '../../model/synthetic-id.js';
import { thumbnailPath } from '../../store/thumbnails.js';
import { PaperItem, Submitter, UpvoteForm } from '../card.js';
import { Authors, categoryPath, paperPath } from '../components.js';
import type { WebDeps } from '../deps.js';
import { Layout, SubscribeBanner } from '../layout.js';
import { renderTextWithMath, renderTitle } from '../math.js';
import { CommentsSection, commentsView } from './comments.js';
import { CuratorTools, curatorView, FeaturedTag, HiddenBanner } from './curator-tools.js';
import { notFoundPage } from './not-found.js';

const RELATED = 8;

function links(p: Paper): { href: string; label: string }[] {
  const out: { href: string; label: string }[] = [];
  if (!isSyntheticId(p.id)) {
    out.push(
      { href: `https://arxiv.org/abs/${p.id}`, label: 'arXiv' },
      { href: `https://arxiv.org/pdf/${p.id}`, label: 'PDF' },
    );
  }
  for (const url of p.codeUrls) out.push({ href: url, label: `Code: ${url.replace(/^https:\/\//, '')}` });
  if (p.projectPage) out.push({ href: p.projectPage, label: 'Project page' });
  if (p.doi) out.push({ href: `https://doi.org/${p.doi}`, label: `DOI ${p.doi}` });
  return out;
}

/** A paper's own page: everything known about it, and the papers most like it. */
export function paperPages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;

  app.get('/papers/:id{.+}', async (c) => {
    const raw_ = c.req.param('id');
    const parsed = parseArxivId(raw_);
    if (parsed && parsed.id !== raw_) return c.redirect(paperPath(parsed.id), 301);
    const curator = await curatorView(c, deps);
    const paper = await deps.store.getPaper(raw_, { hidden: curator !== undefined });
    if (!paper) {
      return notFoundPage(
        c,
        baseUrl,
        parsed
          ? `Paperboy has no paper ${parsed.id} yet. It appears here once a harvest or an import brings it in; meanwhile it is on arXiv: https://arxiv.org/abs/${parsed.id}`
          : 'There is no paper with this id.',
      );
    }
    const [versions, related, comments] = await Promise.all([
      deps.store.getVersions(paper.id),
      deps.search.related(paper.id, RELATED).catch(() => [] as Paper[]),
      commentsView(c, deps, paper),
    ]);
    const summary = paper.abstract.length > 200 ? `${paper.abstract.slice(0, 197)}...` : paper.abstract;
    return c.html(
      <Layout
        title={`${paper.title} | Paperboy`}
        description={summary}
        path={paperPath(paper.id)}
        baseUrl={baseUrl}
        ogType="article"
        image={
          paper.thumbnail ? { ...paper.thumbnail, path: thumbnailPath(paper.id, paper.thumbnail.hash) } : undefined
        }
      >
        <article>
          {curator ? <HiddenBanner paper={paper} view={curator} /> : null}
          <h1>{raw(renderTitle(paper.title))}</h1>
          <p class="meta">
            <Authors authors={paper.authors} all />
          </p>
          <FeaturedTag paper={paper} />
          <ul class="links" aria-label="Links">
            {links(paper).map((l) => (
              <li>
                <a class="tag" href={l.href} rel="nofollow noopener">
                  {l.label}
                </a>
              </li>
            ))}
          </ul>
          <h2>Abstract</h2>
          <div class="abstract">{raw(renderTextWithMath(paper.abstract))}</div>
          <dl class="facts">
            <dt>Upvotes</dt>
            <dd>
              <UpvoteForm paper={paper} />
            </dd>
            {paper.submittedBy ? (
              <>
                <dt>Submitted by</dt>
                <dd>
                  <Submitter paper={paper} />
                </dd>
              </>
            ) : null}
            {paper.dailyOn ? (
              <>
                <dt>In the daily feed</dt>
                <dd>
                  <a href={`/day/${paper.dailyOn}`}>{humanDay(paper.dailyOn)}</a>
                </dd>
              </>
            ) : null}
            {paper.listedOn ? (
              <>
                <dt>Listed on arXiv</dt>
                <dd>
                  <a href={`/day/${paper.listedOn}`}>{humanDay(paper.listedOn)}</a>
                </dd>
              </>
            ) : null}
            {paper.submittedAt ? (
              <>
                <dt>Submitted</dt>
                <dd>{humanDay(paper.submittedAt.slice(0, 10))}</dd>
              </>
            ) : null}
            {versions.length ? (
              <>
                <dt>Versions</dt>
                <dd>{versions.map((v) => `v${v.version}${v.date ? ` (${v.date.slice(0, 10)})` : ''}`).join(', ')}</dd>
              </>
            ) : null}
            {paper.categories.length ? (
              <>
                <dt>Categories</dt>
                <dd>
                  {paper.categories.map((cat, i) => (
                    <>
                      {i ? ' · ' : ''}
                      <a href={categoryPath(cat)}>{cat}</a>
                    </>
                  ))}
                </dd>
              </>
            ) : null}
            {paper.comment ? (
              <>
                <dt>Comment</dt>
                <dd>{paper.comment}</dd>
              </>
            ) : null}
            {paper.journalRef ? (
              <>
                <dt>Journal</dt>
                <dd>{paper.journalRef}</dd>
              </>
            ) : null}
            {paper.githubStars !== null ? (
              <>
                <dt>GitHub stars</dt>
                <dd>{paper.githubStars}</dd>
              </>
            ) : null}
          </dl>
          {curator ? <CuratorTools paper={paper} view={curator} /> : null}
        </article>
        {comments ? <CommentsSection view={comments} /> : null}
        {related.length ? (
          <section aria-labelledby="related">
            <h2 id="related">Related papers</h2>
            <ol class="papers">
              {related.map((p) => (
                <PaperItem paper={p} heading="h3" />
              ))}
            </ol>
          </section>
        ) : null}
        <SubscribeBanner />
      </Layout>,
    );
  });

  return app;
}
