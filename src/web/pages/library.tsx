import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import {
  COLLECTION_NAME_MAX,
  type Collection,
  type CollectionItem,
  collectionPapers,
  collectionsWith,
  listCollections,
  NOTE_MAX,
  savedCollection,
  sharedCollection,
  type Visibility,
  viewableCollection,
} from '../../library/collections.js';
import { EXPORT_FORMATS } from '../../library/export/formats.js';
import { IMPORT_MAX_ENTRIES } from '../../library/import.js';
import { PaperItem } from '../card.js';
import { paperPath, userPath } from '../components.js';
import { csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { viewer } from '../session.js';
import { notFoundPage } from './not-found.js';

export const libraryPath = (id: string) => `/library/${id}`;
export const sharedPath = (shareId: string) => `/library/shared/${shareId}`;
/** The id of a paper's item on a collection's page, for links back to it after an action. */
export const itemAnchor = (paperId: string) => `p-${paperId.replace(/[^A-Za-z0-9.-]/g, '-')}`;

const VISIBILITY_LABELS: Record<Visibility, string> = {
  private: 'Private: only you',
  link: 'Anyone with the link',
  public: 'Public: anyone, and listed on your profile',
};
const VISIBILITY_SHORT: Record<Visibility, string> = { private: 'private', link: 'shared by link', public: 'public' };

const papersCount = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'paper' : 'papers'}`;

/** Links to download the collection (or any list) as BibTeX, RIS and CSL-JSON. */
export function ExportLinks(props: { base: string; query?: string | undefined }) {
  const qs = props.query ? `?${props.query}` : '';
  return (
    <p class="exports">
      Export:{' '}
      {Object.entries(EXPORT_FORMATS).map(([ext, f], i) => (
        <>
          {i ? ' · ' : ''}
          <a href={`${props.base}/export.${ext}${qs}`} download>
            {f.name}
          </a>
        </>
      ))}
    </p>
  );
}

/** The owner's tools on one paper of a collection: its note, moving it, taking it out. Plain forms, no JavaScript. */
function ItemTools(props: {
  collection: Collection;
  item: CollectionItem;
  token: string;
  first: boolean;
  last: boolean;
}) {
  const { collection, item, token } = props;
  const action = `${libraryPath(collection.id)}/papers`;
  const hidden = (
    <>
      <input type="hidden" name="csrf" value={token} />
      <input type="hidden" name="paper" value={item.paper.id} />
    </>
  );
  const noteId = `note-${itemAnchor(item.paper.id)}`;
  return (
    <div class="item-tools">
      {item.note ? <p class="note">{item.note}</p> : null}
      <div class="item-actions">
        <form method="post" action={action}>
          {hidden}
          <button type="submit" name="action" value="up" class="quiet" disabled={props.first}>
            Move up
          </button>
          <button type="submit" name="action" value="down" class="quiet" disabled={props.last}>
            Move down
          </button>
          <button type="submit" name="action" value="remove" class="quiet">
            Remove
          </button>
        </form>
        <details>
          <summary>{item.note ? 'Edit note' : 'Add a note'}</summary>
          <form method="post" action={action} class="note-form">
            {hidden}
            <label for={noteId}>Your note (plain text, at most {NOTE_MAX.toLocaleString('en')} characters)</label>
            <textarea id={noteId} name="note" rows={3} maxlength={NOTE_MAX}>
              {item.note}
            </textarea>
            <button type="submit" name="action" value="note">
              Save note
            </button>
          </form>
        </details>
      </div>
    </div>
  );
}

/** A collection's papers in its owner's order; `tools` for the owner. */
function Items(props: { collection: Collection; items: CollectionItem[]; token?: string | undefined }) {
  const { collection, items, token } = props;
  if (!items.length)
    return (
      <p class="empty">
        {collection.kind === 'saved'
          ? 'Nothing saved yet. Press Save on any paper to keep it here.'
          : 'No papers yet. Add them from a paper’s page, or import a list below.'}
      </p>
    );
  return (
    <ol class="papers library-items">
      {items.map((item, i) => (
        <PaperItem
          paper={item.paper}
          anchor={itemAnchor(item.paper.id)}
          extra={
            token ? (
              <ItemTools
                collection={collection}
                item={item}
                token={token}
                first={i === 0}
                last={i === items.length - 1}
              />
            ) : item.note ? (
              <p class="note">{item.note}</p>
            ) : null
          }
        />
      ))}
    </ol>
  );
}

/** The owner's settings of a collection: its name, who may see it and its share link, deleting it. */
function Settings(props: { collection: Collection; token: string; shareUrl: string | undefined }) {
  const { collection: col, token } = props;
  const action = `${libraryPath(col.id)}/edit`;
  return (
    <details class="library-settings">
      <summary>Name, sharing{col.kind === 'named' ? ' and deleting' : ''}</summary>
      <form method="post" action={action} class="stack">
        <input type="hidden" name="csrf" value={token} />
        {col.kind === 'named' ? (
          <label>
            Name
            <input name="name" value={col.name} required maxlength={COLLECTION_NAME_MAX} />
          </label>
        ) : null}
        <fieldset>
          <legend>Who may see it</legend>
          {(Object.keys(VISIBILITY_LABELS) as Visibility[]).map((v) => (
            <label class="choice">
              <input type="radio" name="visibility" value={v} checked={col.visibility === v} /> {VISIBILITY_LABELS[v]}
            </label>
          ))}
        </fieldset>
        <button type="submit">Save changes</button>
      </form>
      {props.shareUrl ? (
        <form method="post" action={action} class="stack">
          <input type="hidden" name="csrf" value={token} />
          <input type="hidden" name="visibility" value={col.visibility} />
          <label>
            Share link
            <input readonly value={props.shareUrl} />
          </label>
          <p class="hint">Anyone with this link can see the papers and your notes. A new link stops the old one.</p>
          <button type="submit" name="new_link" value="1" class="quiet">
            Make a new link
          </button>
        </form>
      ) : null}
      {col.kind === 'named' ? (
        <form method="post" action={`${libraryPath(col.id)}/delete`} class="stack">
          <input type="hidden" name="csrf" value={token} />
          <label class="choice">
            <input type="checkbox" name="confirm" value="1" required /> Delete “{col.name}” and its notes (the papers
            stay on the site)
          </label>
          <button type="submit" class="danger">
            Delete collection
          </button>
        </form>
      ) : null}
    </details>
  );
}

/** Pasting or uploading arXiv ids or a BibTeX file into a collection. */
function ImportForm(props: { collection: Collection; token: string }) {
  return (
    <details class="library-import">
      <summary>Import papers</summary>
      <form
        method="post"
        action={`${libraryPath(props.collection.id)}/import`}
        enctype="multipart/form-data"
        class="stack"
      >
        <input type="hidden" name="csrf" value={props.token} />
        <label>
          arXiv ids or links (one or more per line), or a BibTeX file’s text
          <textarea name="text" rows={5} placeholder={'2501.12345\nhttps://arxiv.org/abs/1706.03762'} />
        </label>
        <label>
          Or a file (.bib or .txt)
          <input type="file" name="file" accept=".bib,.txt,.bibtex,text/plain,application/x-bibtex" />
        </label>
        <p class="hint">
          At most {IMPORT_MAX_ENTRIES} entries at a time. Papers this site lacks are fetched from arXiv; BibTeX entries
          without an arXiv id are matched by DOI or title.
        </p>
        <button type="submit">Import</button>
      </form>
    </details>
  );
}

export interface CollectView {
  collections: Collection[];
  /** The collections that hold the paper already. */
  holding: Set<string>;
  token: string;
}

/** What the paper page needs for "Add to collection": the signed-in reader's collections; undefined when signed out. */
export async function collectView(c: Context, deps: WebDeps, paperId: string): Promise<CollectView | undefined> {
  const account = await viewer(c, deps.db, deps.clock());
  if (!account) return undefined;
  const [collections, holding] = await Promise.all([
    listCollections(deps.db, account.id),
    collectionsWith(deps.db, account.id, paperId),
  ]);
  c.header('Cache-Control', 'private, no-store');
  return { collections, holding, token: csrfToken(c, deps.signer, deps.config.baseUrl) };
}

/** On the paper page: add the paper to one of the reader's collections, or to a new one. Plain forms, no JavaScript. */
export function AddToCollection(props: { paperId: string; view: CollectView }) {
  const { paperId, view } = props;
  const named = view.collections.filter((col) => col.kind === 'named');
  const free = named.filter((col) => !view.holding.has(col.id));
  const back = paperPath(paperId);
  return (
    <details class="collect">
      <summary>Add to a collection</summary>
      {named.some((col) => view.holding.has(col.id)) ? (
        <p class="hint">
          In:{' '}
          {named
            .filter((col) => view.holding.has(col.id))
            .map((col, i) => (
              <>
                {i ? ', ' : ''}
                <a href={libraryPath(col.id)}>{col.name}</a>
              </>
            ))}
        </p>
      ) : null}
      {free.length ? (
        <form method="post" action="/library/collect" class="inline-form">
          <input type="hidden" name="csrf" value={view.token} />
          <input type="hidden" name="paper" value={paperId} />
          <input type="hidden" name="back" value={back} />
          <label for="collect-into">Collection</label>
          <select id="collect-into" name="collection">
            {free.map((col) => (
              <option value={col.id}>{col.name}</option>
            ))}
          </select>
          <button type="submit">Add</button>
        </form>
      ) : null}
      <form method="post" action="/library" class="inline-form">
        <input type="hidden" name="csrf" value={view.token} />
        <input type="hidden" name="paper" value={paperId} />
        <input type="hidden" name="back" value={back} />
        <label for="collect-new">New collection</label>
        <input id="collect-new" name="name" required maxlength={COLLECTION_NAME_MAX} placeholder="Reading group" />
        <button type="submit">Create and add</button>
      </form>
    </details>
  );
}

/** The signed-in reader's library (/library), a collection (/library/:id) and a collection opened by its share link. */
export function libraryPages(deps: WebDeps): Hono {
  const app = new Hono();
  const { db, signer, clock: now } = deps;
  const baseUrl = deps.config.baseUrl;
  const site = baseUrl.replace(/\/+$/, '');

  const signIn = (c: Context, next: string) => c.redirect(`/signin?next=${encodeURIComponent(next)}`, 303);

  function page(c: Context, title: string, path: string, body: Child, opts: { shared?: boolean } = {}) {
    c.header('Cache-Control', 'private, no-store');
    // The share link is in the address: the pages it leads to are never named to other sites.
    if (opts.shared) c.header('Referrer-Policy', 'no-referrer');
    return c.html(
      <Layout title={`${title} | Paperboy`} path={path} baseUrl={baseUrl}>
        {body}
      </Layout>,
    );
  }

  app.get('/library', async (c) => {
    const account = await viewer(c, db, now());
    if (!account) return signIn(c, '/library');
    const saved = await savedCollection(db, account.id, now());
    const [collections, items] = await Promise.all([listCollections(db, account.id), collectionPapers(db, saved.id)]);
    const token = csrfToken(c, signer, baseUrl);
    return page(
      c,
      'Your library',
      '/library',
      <>
        <h1>Your library</h1>
        <p class="sub">
          New papers of the authors and categories you follow: <a href="/following">Following</a>.
        </p>
        <section aria-labelledby="collections">
          <h2 id="collections">Collections</h2>
          <ul class="collections">
            {collections.map((col) => (
              <li>
                <a href={libraryPath(col.id)}>{col.name}</a>{' '}
                <span class="sub">
                  {papersCount(col.papers)} · {VISIBILITY_SHORT[col.visibility]}
                </span>
              </li>
            ))}
          </ul>
          <form method="post" action="/library" class="inline-form">
            <input type="hidden" name="csrf" value={token} />
            <label for="new-collection">New collection</label>
            <input
              id="new-collection"
              name="name"
              required
              maxlength={COLLECTION_NAME_MAX}
              placeholder="Reading group"
            />
            <button type="submit">Create</button>
          </form>
        </section>
        <section aria-labelledby="saved">
          <h2 id="saved">
            <a href={libraryPath(saved.id)}>Saved</a> <span class="sub">{papersCount(items.length)}</span>
          </h2>
          <Items collection={saved} items={items} token={token} />
          {items.length ? <ExportLinks base={libraryPath(saved.id)} /> : null}
        </section>
      </>,
    );
  });

  app.get('/library/shared/:share{[A-Za-z0-9_-]+}', async (c) => {
    const col = await sharedCollection(db, c.req.param('share'));
    if (!col)
      return notFoundPage(
        c,
        baseUrl,
        'There is no shared collection at this address: its owner may have stopped sharing it.',
      );
    const items = await collectionPapers(db, col.id);
    return page(
      c,
      col.name,
      sharedPath(c.req.param('share')),
      <Shared col={col} items={items} exportBase={sharedPath(c.req.param('share'))} />,
      {
        shared: true,
      },
    );
  });

  app.get('/library/:id{[A-Za-z0-9_-]+}', async (c) => {
    const account = await viewer(c, db, now());
    const col = await viewableCollection(db, account?.id, c.req.param('id'));
    if (!col) {
      if (!account) return signIn(c, libraryPath(c.req.param('id')));
      return notFoundPage(c, baseUrl, 'There is no such collection, or it is not shared with you.');
    }
    const items = await collectionPapers(db, col.id);
    if (!account || account.id !== col.accountId)
      return page(
        c,
        col.name,
        libraryPath(col.id),
        <Shared col={col} items={items} exportBase={libraryPath(col.id)} />,
      );
    return ownerView(c, col, items);
  });

  function ownerView(c: Context, col: Collection, items: CollectionItem[]) {
    const token = csrfToken(c, signer, baseUrl);
    const shareUrl = col.shareId && col.visibility !== 'private' ? `${site}${sharedPath(col.shareId)}` : undefined;
    return page(
      c,
      col.name,
      libraryPath(col.id),
      <>
        <p class="kicker">
          <a href="/library">Your library</a>
        </p>
        <h1>
          {col.name} <span class="sub">{papersCount(items.length)}</span>
        </h1>
        <p class="sub">{VISIBILITY_LABELS[col.visibility]}</p>
        <Settings collection={col} token={token} shareUrl={shareUrl} />
        <ImportForm collection={col} token={token} />
        {items.length ? <ExportLinks base={libraryPath(col.id)} /> : null}
        <Items collection={col} items={items} token={token} />
      </>,
    );
  }

  return app;
}

/** A collection as others see it: its name, owner, papers and notes, and its exports. */
function Shared(props: { col: Collection & { ownerHandle: string }; items: CollectionItem[]; exportBase: string }) {
  const { col, items } = props;
  return (
    <>
      <h1>
        {col.name} <span class="sub">{papersCount(items.length)}</span>
      </h1>
      <p class="sub">
        A collection by <a href={userPath(col.ownerHandle)}>@{col.ownerHandle}</a>
      </p>
      {items.length ? <ExportLinks base={props.exportBase} /> : null}
      <Items collection={col} items={items} />
    </>
  );
}
