import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { parseArxivId } from '../../model/arxiv-id.js';
import { humanDay } from '../../model/dates.js';
import { webUrl } from '../../model/html.js';
import type { Paper } from '../../model/paper.js';
import { isSyntheticId } from '../../model/synthetic-id.js';
import { texToUnicode } from '../../model/tex-unicode.js';
import { thumbnailPath } from '../../store/thumbnails.js';
import { Avatar } from '../avatar.js';
import {
  Byline,
  CategoryChips,
  CodeLink,
  PaperItem,
  PaperTitle,
  SaveForm,
  Submitter,
  Thumbnail,
  UpvoteForm,
} from '../card.js';
import { Authors, paperPath } from '../components.js';
import type { WebDeps } from '../deps.js';
import { Layout, SubscribeBanner } from '../layout.js';
import { renderTextWithMath } from '../math.js';
import { mayHaveWritten } from '../session.js';
import { CommentsSection, commentsView } from './comments.js';
import { CuratorTools, curatorView, FeaturedTag, HiddenBanner } from './curator-tools.js';
import { FollowButton } from './follow.js';
import { AddToCollection, collectView } from './library.js';
import { notFoundPage } from './not-found.js';

const RELATED = 8;

/** Where else the paper is: its code links beyond the first, its project page, its DOI. */
function links(p: Paper): { href: string; label: string }[] {
  const out: { href: string; label: string }[] = [];
  for (const url of p.codeUrls.filter((u) => webUrl(u)))
    out.push({ href: url, label: `Code: ${url.replace(/^https:\/\//, '')}` });
  const project = webUrl(p.projectPage);
  if (project) out.push({ href: project, label: 'Project page' });
  if (p.doi) out.push({ href: `https://doi.org/${p.doi}`, label: `DOI ${p.doi}` });
  return out;
}

/**
 * Share: a plain link to the paper's address without JavaScript; app.js makes it open the system's share sheet, or
 * copy the address and say so in the status beside it.
 */
function ShareLink(props: { url: string }) {
  return (
    <>
      <a class="stat share" href={props.url} data-share>
        Share
      </a>
      <span class="share-status" role="status" data-share-status />
    </>
  );
}

/** Everything else known about a paper, beside its abstract. */
function Facts(props: { paper: Paper; versions: { version: number; date: string | null }[] }) {
  const { paper, versions } = props;
  const fact = (term: string, value: Child) => (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
  const more = links(paper);
  return (
    <dl class="facts">
      {isSyntheticId(paper.id) ? null : fact('arXiv id', <a href={`https://arxiv.org/abs/${paper.id}`}>{paper.id}</a>)}
      {paper.submittedBy ? (
        <>
          <dt>Submitted by</dt>
          <dd>
            <Avatar name={paper.submittedBy} /> <Submitter paper={paper} />
          </dd>
        </>
      ) : null}
      {paper.dailyOn
        ? fact('In the daily feed', <a href={`/day/${paper.dailyOn}`}>{humanDay(paper.dailyOn)}</a>)
        : null}
      {paper.listedOn
        ? fact('Listed on arXiv', <a href={`/day/${paper.listedOn}`}>{humanDay(paper.listedOn)}</a>)
        : null}
      {paper.submittedAt ? fact('Submitted', humanDay(paper.submittedAt.slice(0, 10))) : null}
      {versions.length
        ? fact('Versions', versions.map((v) => `v${v.version}${v.date ? ` (${v.date.slice(0, 10)})` : ''}`).join(', '))
        : null}
      {paper.categories.length || paper.primaryCategory
        ? fact('Categories', <CategoryChips paper={paper} label="Categories" />)
        : null}
      {paper.githubStars !== null ? fact('GitHub stars', paper.githubStars.toLocaleString('en')) : null}
      {paper.comment ? fact('Comment', paper.comment) : null}
      {paper.journalRef ? fact('Journal', paper.journalRef) : null}
      {more.length
        ? fact(
            'Links',
            <ul class="links">
              {more.map((l) => (
                <li>
                  <a href={l.href} rel="nofollow noopener">
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>,
          )
        : null}
    </dl>
  );
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
    const paper = await deps.store.getPaper(raw_, { hidden: curator !== undefined, fresh: mayHaveWritten(c) });
    if (!paper) {
      return notFoundPage(
        c,
        baseUrl,
        parsed
          ? `Paperboy has no paper ${parsed.id} yet. It appears here once a harvest or an import brings it in; meanwhile it is on arXiv: https://arxiv.org/abs/${parsed.id}`
          : 'There is no paper with this id.',
      );
    }
    const [versions, related, comments, collect] = await Promise.all([
      deps.store.getVersions(paper.id),
      deps.search.related(paper.id, RELATED).catch(() => [] as Paper[]),
      commentsView(c, deps, paper),
      collectView(c, deps, paper.id),
    ]);
    const summary = paper.abstract.length > 200 ? `${paper.abstract.slice(0, 197)}...` : paper.abstract;
    const arxiv = !isSyntheticId(paper.id);
    const day = paper.dailyOn ?? paper.listedOn;
    return c.html(
      <Layout
        title={`${texToUnicode(paper.title)} | Paperboy`}
        description={summary}
        path={paperPath(paper.id)}
        baseUrl={baseUrl}
        ogType="article"
        image={
          paper.thumbnail ? { ...paper.thumbnail, path: thumbnailPath(paper.id, paper.thumbnail.hash) } : undefined
        }
      >
        <div class="paper-page">
          <article class="paper-main">
            {curator ? <HiddenBanner paper={paper} view={curator} /> : null}
            <p class="kicker">
              {arxiv ? <a href={`https://arxiv.org/abs/${paper.id}`}>arXiv:{paper.id}</a> : null}
              {day ? <a href={`/day/${day}`}>{humanDay(day)}</a> : null}
            </p>
            <h1>
              <PaperTitle paper={paper} />
            </h1>
            {paper.authors.length ? (
              <div class="authors">
                <Authors authors={paper.authors} all />
              </div>
            ) : null}
            <div class="actions">
              <UpvoteForm paper={paper} label />
              <SaveForm paper={paper} />
              <ShareLink url={paperPath(paper.id)} />
              {arxiv ? (
                <a class="stat pdf" href={`https://arxiv.org/pdf/${paper.id}`} rel="nofollow noopener">
                  PDF
                </a>
              ) : null}
              <CodeLink paper={paper} />
              <Byline paper={paper} />
            </div>
            {collect ? <AddToCollection paperId={paper.id} view={collect} /> : null}
            <p class="follows">
              {paper.categories.slice(0, 3).map((value) => (
                <FollowButton kind="category" value={value} next={paperPath(paper.id)} named />
              ))}
              {paper.authors.slice(0, 3).map((value) => (
                <FollowButton kind="author" value={value} next={paperPath(paper.id)} named />
              ))}
            </p>
            <p class="exports">
              Cite: <a href={`${paperPath(paper.id)}.bib`}>BibTeX</a> · <a href={`${paperPath(paper.id)}.ris`}>RIS</a> ·{' '}
              <a href={`${paperPath(paper.id)}.json`}>CSL-JSON</a>
            </p>
            <FeaturedTag paper={paper} />
            <h2>Abstract</h2>
            <div class="abstract">{raw(renderTextWithMath(paper.abstract))}</div>
            {curator ? <CuratorTools paper={paper} view={curator} /> : null}
          </article>
          <aside class="paper-side" aria-label="About this paper">
            <Thumbnail paper={paper} large pdf={arxiv ? `https://arxiv.org/pdf/${paper.id}` : undefined} />
            <Facts paper={paper} versions={versions} />
          </aside>
          {comments ? <CommentsSection view={comments} /> : null}
          {related.length ? (
            <section class="related" aria-labelledby="related">
              <h2 id="related">Related papers</h2>
              <ol class="papers">
                {related.map((p) => (
                  <PaperItem paper={p} heading="h3" />
                ))}
              </ol>
            </section>
          ) : null}
        </div>
        <SubscribeBanner />
      </Layout>,
    );
  });

  return app;
}
