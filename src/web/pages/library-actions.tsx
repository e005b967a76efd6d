import { type Context, Hono } from 'hono';
import type { Account } from '../../accounts/accounts.js';
import {
  addPaper,
  createCollection,
  deleteCollection,
  movePaper,
  removePaper,
  setNote,
  toggleSaved,
  updateCollection,
} from '../../library/collections.js';
import { IMPORT_MAX_ENTRIES, type ImportReport, importIntoCollection } from '../../library/import.js';
import { Refusal } from '../../model/refusal.js';
import { paperPath } from '../components.js';
import { checkedForm } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { rateLimit } from '../rate-limit.js';
import { refusalPage } from '../refusal.js';
import { accountContext, localPath, viewer } from '../session.js';
import { itemAnchor, libraryPath } from './library.js';

/** Library writes (saves, notes, moves, collections) from one address per window: as many as votes. */
export const LIBRARY_WRITES_PER_IP = 300;
export const LIBRARY_WRITES_WINDOW_SECONDS = 600;
/** Imports from one address per window: each may fetch from arXiv. */
export const IMPORTS_PER_IP = 10;
export const IMPORTS_WINDOW_SECONDS = 600;
/** The largest import file or text read, in characters. */
const IMPORT_MAX_CHARS = 200_000;

type Form = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');
const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

/**
 * The library's forms: POST /papers/:id/save (the Save button, also answered as JSON for app.js), POST /library (a new
 * collection, with a first paper when `paper` is sent), and /library/:id/{edit, delete, papers, import}. Each answers
 * with a redirect back, or with a page that says what went wrong; signed out, to sign-in and back.
 */
export function libraryRoutes(deps: WebDeps): Hono {
  const app = new Hono();
  const { db, baseUrl, signer, now, trustProxy } = accountContext(deps);

  const limited = rateLimit(
    { counts: deps.rateCounts, name: 'library' },
    {
      limit: LIBRARY_WRITES_PER_IP,
      windowSeconds: LIBRARY_WRITES_WINDOW_SECONDS,
      trustProxy,
      onLimited: (c, seconds) => {
        const message = `Too many changes to libraries from your address. Please try again in ${Math.ceil(seconds / 60)} minutes.`;
        return wantsJson(c) ? c.json({ error: message }, 429) : c.text(message, 429);
      },
    },
  );
  const importLimited = rateLimit(
    { counts: deps.rateCounts, name: 'library-imports' },
    {
      limit: IMPORTS_PER_IP,
      windowSeconds: IMPORTS_WINDOW_SECONDS,
      trustProxy,
      onLimited: (c, seconds) =>
        c.text(`Too many imports from your address. Please try again in ${Math.ceil(seconds / 60)} minutes.`, 429),
    },
  );

  /** The page the form was on, when the Referer says it was this site. */
  function referer(c: Context): string | undefined {
    const value = c.req.header('referer');
    if (!value) return undefined;
    try {
      const url = new URL(value);
      if (url.origin !== new URL(baseUrl).origin && url.origin !== new URL(c.req.url).origin) return undefined;
      return localPath(url.pathname + url.search);
    } catch {
      return undefined;
    }
  }

  /**
   * Runs one action for a signed-in reader whose form is genuine: it returns where to go next, or a response. A
   * refusal is shown with its message and a way back to `back`.
   */
  function action(run: (c: Context, account: Account, form: Form, id: string) => Promise<string | Response>) {
    return async (c: Context) => {
      const id = c.req.param('id') ?? '';
      const back = id ? libraryPath(id) : '/library';
      c.header('Cache-Control', 'no-store');
      const account = await viewer(c, db, now());
      if (!account) return c.redirect(`/signin?next=${encodeURIComponent(referer(c) ?? back)}`, 303);
      const form = await checkedForm(c, signer);
      if (!form) return c.text('This form has expired. Go back, reload the page and try again.', 403);
      try {
        const next = await run(c, account, form, id);
        return typeof next === 'string' ? c.redirect(next, 303) : next;
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return refusalPage(c, baseUrl, error, {
          title: 'That did not work',
          path: back,
          back: { href: back, label: id ? 'Back to the collection' : 'Back to your library' },
        });
      }
    };
  }

  app.post('/papers/:id{.+}/save', limited, async (c) => {
    const id = c.req.param('id');
    c.header('Cache-Control', 'no-store');
    const account = await viewer(c, db, now());
    const next = referer(c) ?? paperPath(id);
    if (!account) {
      const signIn = `/signin?next=${encodeURIComponent(next)}`;
      return wantsJson(c) ? c.json({ error: 'Sign in to save papers.', signIn }, 401) : c.redirect(signIn, 303);
    }
    if (!(await checkedForm(c, signer))) {
      if (wantsJson(c)) return c.json({ error: 'This form has expired. Reload the page and try again.' }, 403);
      return c.text('This form has expired. Go back, reload the page and try again.', 403);
    }
    try {
      const result = await toggleSaved(db, account.id, id, now());
      return wantsJson(c) ? c.json(result) : c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return wantsJson(c) ? c.json({ error: error.message }, 404) : c.text(error.message, 404);
    }
  });

  app.post(
    '/library',
    limited,
    action(async (_c, account, form) => {
      // A new collection, from the library page, or from a paper's page with that paper in it.
      const col = await createCollection(
        db,
        account.id,
        { name: form.name, visibility: form.visibility || undefined },
        now(),
      );
      const paper = text(form.paper);
      if (paper) {
        await addPaper(db, account.id, col.id, paper, now());
        return localPath(text(form.back) || paperPath(paper));
      }
      return libraryPath(col.id);
    }),
  );

  app.post(
    '/library/collect',
    limited,
    action(async (_c, account, form) => {
      const paper = text(form.paper);
      await addPaper(db, account.id, text(form.collection), paper, now());
      return localPath(text(form.back) || paperPath(paper));
    }),
  );

  const ID = ':id{[A-Za-z0-9_-]+}';

  app.post(
    `/library/${ID}/edit`,
    limited,
    action(async (_c, account, form, id) => {
      await updateCollection(
        db,
        account.id,
        id,
        { name: form.name, visibility: form.visibility, newLink: form.new_link === '1' },
        now(),
      );
      return libraryPath(id);
    }),
  );

  app.post(
    `/library/${ID}/delete`,
    limited,
    action(async (_c, account, form, id) => {
      if (form.confirm !== '1')
        throw new Refusal('invalid', 'Tick the box to confirm that the collection should be deleted.');
      await deleteCollection(db, account.id, id);
      return '/library';
    }),
  );

  app.post(
    `/library/${ID}/papers`,
    limited,
    action(async (_c, account, form, id) => {
      const paper = text(form.paper);
      const at = `${libraryPath(id)}#${itemAnchor(paper)}`;
      switch (form.action) {
        case 'add':
          await addPaper(db, account.id, id, paper, now(), form.note === undefined ? undefined : form.note);
          return localPath(text(form.back) || at);
        case 'remove':
          await removePaper(db, account.id, id, paper, now());
          return libraryPath(id);
        case 'up':
        case 'down':
          await movePaper(db, account.id, id, paper, form.action, now());
          return at;
        case 'note':
          await setNote(db, account.id, id, paper, form.note, now());
          return at;
        default:
          throw new Refusal('invalid', 'Choose what to do with the paper: add, remove, move up or down, or a note.');
      }
    }),
  );

  app.post(
    `/library/${ID}/import`,
    importLimited,
    action(async (c, account, form, id) => {
      const file = form.file instanceof File && form.file.size > 0 ? form.file : undefined;
      const input = file ? await file.text() : text(form.text);
      if (input.length > IMPORT_MAX_CHARS)
        throw new Refusal(
          'invalid',
          `That is ${input.length.toLocaleString('en')} characters; an import reads at most ${IMPORT_MAX_CHARS.toLocaleString('en')} (and ${IMPORT_MAX_ENTRIES} entries). Split it.`,
        );
      const report = await importIntoCollection(
        { store: deps.store, db, fetchPapers: deps.fetchPapers },
        account.id,
        id,
        input,
        now(),
      );
      return importPage(c, id, report);
    }),
  );

  function importPage(c: Context, id: string, report: ImportReport) {
    c.header('Cache-Control', 'no-store');
    return c.html(
      <Layout title="Import | Paperboy" path={libraryPath(id)} baseUrl={baseUrl}>
        <h1>Import</h1>
        <p role="status">
          {report.added} {report.added === 1 ? 'paper' : 'papers'} added
          {report.failed ? `; ${report.failed} ${report.failed === 1 ? 'line' : 'lines'} could not be imported` : ''}.
        </p>
        <table class="admin import-report">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Entry</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {report.lines.map((l) => (
              <tr class={`outcome-${l.outcome}`}>
                <td>{l.line}</td>
                <td>{l.paperId ? <a href={paperPath(l.paperId)}>{l.label}</a> : l.label}</td>
                <td>{l.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <a href={libraryPath(id)}>Back to the collection</a>
        </p>
      </Layout>,
    );
  }

  return app;
}
