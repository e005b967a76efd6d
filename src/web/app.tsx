import { Hono } from 'hono';
import type { Paper, Store } from '../store/store.js';
import { Layout } from './layout.js';

function PaperCard(props: { paper: Paper }) {
  const p = props.paper;
  return (
    <article>
      <h2><a href={`/papers/${p.id}`}>{p.title}</a></h2>
      <div class="meta">
        {p.authors.slice(0, 6).join(', ')}{p.authors.length > 6 ? ' et al.' : ''}
        {p.primaryCategory ? ` · ${p.primaryCategory}` : ''}
        {p.upvotes ? ` · ▲ ${p.upvotes}` : ''}
        {p.codeUrls.length ? ' · code' : ''}
      </div>
    </article>
  );
}

/** The web site. Minimal until the web issue lands: the latest papers, a paper page, a health check. */
export function createApp(store: Store): Hono {
  const app = new Hono();

  app.get('/healthz', async (c) => c.json({ ok: true, papers: await store.countPapers() }));

  app.get('/', async (c) => {
    const papers = await store.listPapers({ limit: 50 });
    if (papers.length === 0) {
      return c.html(
        <Layout title="Paperboy — no papers yet">
          <div class="banner">
            <h1>No papers yet</h1>
            <p>The store is empty. Import a dump with <code>npx paperboy import &lt;file&gt;</code> (for example the
              corpus in <code>../shared/data/corpus/</code>), or let the harvester fetch today's papers
              (<code>npx paperboy ingest configured</code>). This page fills in as papers arrive.</p>
          </div>
        </Layout>,
      );
    }
    return c.html(
      <Layout title="Paperboy — Daily Papers">
        <div class="banner">Get trending papers in your email inbox! (digests are coming soon)</div>
        <h1>Latest papers</h1>
        {papers.map((p) => <PaperCard paper={p} />)}
      </Layout>,
    );
  });

  app.get('/papers/:id{.+}', async (c) => {
    const paper = await store.getPaper(c.req.param('id'));
    if (!paper) {
      c.status(404);
      return c.html(<Layout title="Paper not found — Paperboy"><h1>Paper not found</h1><p><a href="/">Back to the latest papers</a></p></Layout>);
    }
    const isArxiv = !paper.id.startsWith('title-');
    return c.html(
      <Layout title={`${paper.title} — Paperboy`}>
        <h1>{paper.title}</h1>
        <p class="meta">{paper.authors.join(', ')}</p>
        <p class="meta">
          {paper.categories.join(' · ')}
          {paper.submittedAt ? ` · submitted ${paper.submittedAt.slice(0, 10)}` : ''}
          {paper.version ? ` · v${paper.version}` : ''}
        </p>
        <p class="abstract">{paper.abstract}</p>
        <ul>
          {isArxiv ? <li><a href={`https://arxiv.org/abs/${paper.id}`}>arXiv</a> · <a href={`https://arxiv.org/pdf/${paper.id}`}>PDF</a></li> : null}
          {paper.codeUrls.map((url) => <li><a href={url} rel="nofollow noopener">{url}</a></li>)}
        </ul>
      </Layout>,
    );
  });

  app.notFound((c) => c.html(<Layout title="Not found — Paperboy"><h1>Not found</h1><p><a href="/">Back to the latest papers</a></p></Layout>, 404));
  return app;
}
