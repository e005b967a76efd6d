import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { nextDigest } from '../../digest/due.js';
import { SUBSCRIBER_TOKEN } from '../../digest/links.js';
import { queueConfirmation, queueReminder } from '../../digest/notices.js';
import {
  type Alert,
  confirm,
  confirmable,
  getAlerts,
  getSubscriber,
  type Subscriber,
  searchAlertValue,
  subscribe,
  unsubscribe,
  updatePreferences,
} from '../../digest/subscribers.js';
import { CSRF_FIELD, checkedForm, csrfToken } from '../csrf.js';
import type { WebDeps } from '../deps.js';
import { Layout } from '../layout.js';
import { rateLimit } from '../rate-limit.js';
import { viewer } from '../session.js';
import {
  Breakable,
  DEFAULT_PREFERENCES,
  Errors,
  type FormValues,
  formValues,
  PreferenceFields,
  parsePreferencesForm,
  postedValues,
  whenText,
} from './subscribe-form.js';

/**
 * Subscribe (double opt-in), confirm, preferences and unsubscribe. Forms carry a signed double-submit token (a
 * random cookie and its HMAC in the form); links from mails carry the subscriber's signed token instead, which is
 * what authorizes them: the RFC 8058 one-click POST comes from a mail client without cookies.
 */
export function subscribePages(deps: WebDeps): Hono {
  const app = new Hono();
  const baseUrl = deps.config.baseUrl;
  const trustProxy = deps.config.trustProxy ?? false;

  const { db, signer, clock: now } = deps;
  const notices = { db, signer, baseUrl };
  const strict = rateLimit(
    { counts: deps.rateCounts, name: 'subscribe' },
    {
      limit: 10,
      windowSeconds: 600,
      trustProxy,
      onLimited: (c, s) =>
        page(
          c,
          'Too many tries',
          <p>Too many tries from your address. Please try again in {Math.ceil(s / 60)} minutes.</p>,
          429,
        ),
    },
  );
  const loose = rateLimit(
    { counts: deps.rateCounts, name: 'subscribe-pages' },
    { limit: 60, windowSeconds: 600, trustProxy },
  );

  function page(c: Context, title: string, body: Child, status: 200 | 400 | 403 | 404 | 429 = 200) {
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(
      <Layout title={`${title} | Paperboy`} path={new URL(c.req.url).pathname} baseUrl={baseUrl}>
        <h1>{title}</h1>
        {body}
      </Layout>,
      status,
    );
  }

  const csrfField = (c: Context) => <input type="hidden" name={CSRF_FIELD} value={csrfToken(c, signer, baseUrl)} />;
  const formBody = (c: Context) => checkedForm(c, signer);

  const expired = (c: Context) =>
    page(
      c,
      'Please try again',
      <p>
        This form has expired. <a href={new URL(c.req.url).pathname + new URL(c.req.url).search}>Open it again</a> and
        resend it.
      </p>,
      403,
    );
  const badLink = (c: Context) =>
    page(
      c,
      'This link does not work',
      <p>
        The link is unknown, already used or expired. <a href="/subscribe">Subscribe again</a> to get a new one.
      </p>,
      404,
    );
  const subscriberOf = (c: Context) => signer.open(SUBSCRIBER_TOKEN, c.req.query('token') ?? '');

  app.get('/subscribe', loose, async (c) => {
    const alerts: Alert[] = [
      ...(c.req.queries('category')?.map((value) => ({ kind: 'category' as const, value })) ?? []),
      ...(c.req.queries('author')?.map((value) => ({ kind: 'author' as const, value })) ?? []),
      ...(c.req.queries('search') ?? []).flatMap((s) => {
        const value = searchAlertValue(s);
        return value ? [{ kind: 'search' as const, value }] : [];
      }),
    ];
    // A signed-in reader subscribes with their account's address (still confirmed from the inbox).
    const account = await viewer(c, db, now());
    return subscribeForm(c, formValues({ ...DEFAULT_PREFERENCES, alerts }), [], account?.email ?? '', 200, true);
  });

  function subscribeForm(
    c: Context,
    values: FormValues,
    errors: string[],
    email: string,
    status: 200 | 400 = 200,
    detectZone = false,
  ) {
    return page(
      c,
      'Get trending papers in your email inbox',
      <>
        <p>
          A digest of the papers the community is reading, with alerts for the searches, categories and authors you
          follow. No account needed: we send a link to confirm your address, and every mail has a one-click unsubscribe.
        </p>
        <Errors errors={errors} />
        <form method="post" action="/subscribe" class="subscribe-form">
          {csrfField(c)}
          <label class="email">
            Email address
            <input type="email" name="email" value={email} required autocomplete="email" size={40} />
          </label>
          <PreferenceFields values={values} detectZone={detectZone} />
          <p>
            <button type="submit">Subscribe</button>
          </p>
        </form>
      </>,
      status,
    );
  }

  app.post('/subscribe', strict, async (c) => {
    const body = await formBody(c);
    if (!body) return expired(c);
    const parsed = parsePreferencesForm(body);
    const email = typeof body.email === 'string' ? body.email : '';
    if (!parsed.ok || !parsed.email)
      return subscribeForm(
        c,
        postedValues(body),
        parsed.ok ? ['Enter your email address.'] : parsed.errors,
        email,
        400,
      );
    const outcome = await subscribe(db, parsed.email, parsed.prefs, now());
    if (outcome.kind === 'confirm') await queueConfirmation(notices, outcome.subscriber, outcome.token, now());
    if (outcome.kind === 'remind') await queueReminder(notices, outcome.subscriber, now());
    deps.kick();
    // The same answer whatever the address's state, so the form does not tell who is subscribed.
    return page(
      c,
      'Check your inbox',
      <p>
        If <strong>{parsed.email}</strong> can receive mail, a message is on its way with a link to confirm the
        subscription. The link works for two days.
      </p>,
    );
  });

  app.get('/subscribe/confirm', loose, async (c) => {
    const token = c.req.query('token') ?? '';
    if (!(await confirmable(db, token, now()))) return badLink(c);
    return page(
      c,
      'Confirm your subscription',
      <form method="post" action={`/subscribe/confirm?token=${encodeURIComponent(token)}`}>
        {csrfField(c)}
        <button type="submit">Confirm my subscription</button>
      </form>,
    );
  });

  app.post('/subscribe/confirm', strict, async (c) => {
    if (!(await formBody(c))) return expired(c);
    const s = await confirm(db, c.req.query('token') ?? '', now());
    if (!s) return badLink(c);
    const token = encodeURIComponent(signer.token(SUBSCRIBER_TOKEN, s.id));
    const next = nextDigest(s, now(), s.lastPeriod);
    return page(
      c,
      'You are subscribed',
      <>
        <p class="notice" role="status">
          <Breakable
            text={
              next === 'now'
                ? 'Your first digest goes out within a few minutes, with what is new for you (a day with nothing new sends no mail).'
                : `Your first digest arrives ${whenText(next, s.timeZone, now())}, with what is new for you (a day with nothing new sends no mail).`
            }
          />
        </p>
        <p>
          Digests go to <strong>{s.email}</strong>.{' '}
          <a href={`/subscribe/preferences?token=${token}`}>Change your preferences</a> at any time, from any mail too.
        </p>
      </>,
    );
  });

  app.get('/subscribe/preferences', loose, async (c) => {
    const id = subscriberOf(c);
    const s = id ? await getSubscriber(db, id) : undefined;
    if (!s) return badLink(c);
    const alerts = (await getAlerts(db, [s.id])).get(s.id) ?? [];
    return preferencesForm(c, s, formValues({ ...s, alerts }), [], c.req.query('saved') !== undefined);
  });

  function preferencesForm(
    c: Context,
    s: Subscriber,
    values: FormValues,
    errors: string[],
    saved = false,
    code: 200 | 400 = 200,
  ) {
    const token = encodeURIComponent(c.req.query('token') ?? '');
    const next = nextDigest(s, now(), s.lastPeriod);
    return page(
      c,
      'Your digest',
      <>
        {saved && (
          <p class="notice" role="status">
            <strong>Saved.</strong> Your preferences are up to date.
          </p>
        )}
        {s.status === 'confirmed' ? (
          <p>
            Digests go to <strong>{s.email}</strong>. Next digest:{' '}
            <Breakable text={whenText(next, s.timeZone, now())} />.
          </p>
        ) : (
          <p>
            <strong>You are not receiving digests</strong> at <strong>{s.email}</strong> (
            {s.status === 'suppressed' ? 'mail to your address kept failing' : s.status}). Subscribe again from the{' '}
            <a href="/subscribe">subscription page</a>.
          </p>
        )}
        <Errors errors={errors} />
        <form method="post" action={`/subscribe/preferences?token=${token}`} class="subscribe-form">
          {csrfField(c)}
          <PreferenceFields values={values} />
          <p>
            <button type="submit">Save</button> or <a href={`/subscribe/unsubscribe?token=${token}`}>unsubscribe</a>
          </p>
        </form>
      </>,
      code,
    );
  }

  app.post('/subscribe/preferences', strict, async (c) => {
    const id = subscriberOf(c);
    const s = id ? await getSubscriber(db, id) : undefined;
    if (!s) return badLink(c);
    const body = await formBody(c);
    if (!body) return expired(c);
    const parsed = parsePreferencesForm(body);
    if (!parsed.ok) return preferencesForm(c, s, postedValues(body), parsed.errors, false, 400);
    await updatePreferences(db, s.id, parsed.prefs, now());
    // Post, redirect, get: a reload does not post again, and the page shows what the store now holds.
    return c.redirect(`/subscribe/preferences?token=${encodeURIComponent(c.req.query('token') ?? '')}&saved=1`, 303);
  });

  app.get('/subscribe/unsubscribe', loose, async (c) => {
    const id = subscriberOf(c);
    const s = id ? await getSubscriber(db, id) : undefined;
    if (!s) return badLink(c);
    return page(
      c,
      'Unsubscribe',
      <form method="post" action={`/subscribe/unsubscribe?token=${encodeURIComponent(c.req.query('token') ?? '')}`}>
        <p>
          Stop sending digests to <strong>{s.email}</strong>?
        </p>
        <button type="submit">Unsubscribe</button>
      </form>,
    );
  });

  // The signed token is the authorization; RFC 8058 clients POST `List-Unsubscribe=One-Click` here without cookies.
  app.post('/subscribe/unsubscribe', loose, async (c) => {
    const id = subscriberOf(c);
    const s = id ? await getSubscriber(db, id) : undefined;
    if (!s) return badLink(c);
    await unsubscribe(db, s.id, now());
    if ((await c.req.parseBody())['List-Unsubscribe'] === 'One-Click')
      return c.text('Unsubscribed.', 200, { 'Cache-Control': 'no-store' });
    return page(
      c,
      'You are unsubscribed',
      <p>
        No more digests will be sent to <strong>{s.email}</strong>. Changed your mind?{' '}
        <a href="/subscribe">Subscribe again</a>.
      </p>,
    );
  });

  return app;
}
