import { z } from 'zod';
import { FREQUENCIES, type Frequency, isTimeZone, localTime, type NextDigest } from '../../digest/due.js';
import { type Alert, MAX_ALERTS, type Preferences, searchAlertValue } from '../../digest/subscribers.js';
import { cleanLine, cleanName, echo } from '../../model/text.js';

const CATEGORY = /^[a-z][a-z-]*(\.[A-Za-z-]+)?$/;
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

export const DEFAULT_PREFERENCES: Preferences = {
  frequency: 'weekdays',
  hour: 8,
  timeZone: 'UTC',
  weekday: 1,
  trending: true,
  alerts: [],
};

const lines = (s: string) =>
  s
    .split(/[\n\r]+/)
    .map((l) => cleanLine(l).trim())
    .filter(Boolean);

const LIMITS = { email: 254, categories: 2000, authors: 5000, searches: 10000 };

/** A number chosen from a select: its digits alone, within the list's range. */
const listed = (min: number, max: number, message: string) =>
  z
    .string()
    .refine((v) => /^\d{1,2}$/.test(v) && Number(v) >= min && Number(v) <= max, message)
    .transform(Number);

const form = z.object({
  email: z
    .string()
    .trim()
    .max(LIMITS.email, `An email address has at most ${LIMITS.email} characters.`)
    .pipe(z.email({ message: 'Enter an email address like you@example.org.' }))
    .optional(),
  frequency: z
    .enum(FREQUENCIES as [Frequency, ...Frequency[]], {
      message: 'Choose how often: every weekday, every day or weekly.',
    })
    .default('weekdays'),
  hour: listed(0, 23, 'Choose an hour from the list.').default(8),
  weekday: listed(1, 7, 'Choose a day of the week from the list.').default(1),
  time_zone: z
    .string()
    .refine((zone) => zone.length <= 64 && isTimeZone(zone), {
      error: (issue) => `“${echo(String(issue.input))}” is not a time zone: choose one from the list.`,
    })
    .default('UTC'),
  trending: z.string().optional(),
  categories: z
    .string()
    .max(LIMITS.categories, `Categories: at most ${LIMITS.categories} characters, please.`)
    .default(''),
  authors: z.string().max(LIMITS.authors, `Authors: at most ${LIMITS.authors} characters, please.`).default(''),
  searches: z.string().max(LIMITS.searches, `Searches: at most ${LIMITS.searches} characters, please.`).default(''),
});

export type FormResult = { ok: true; email: string | undefined; prefs: Preferences } | { ok: false; errors: string[] };

/** The subscription and preferences form, as preferences; every alert is checked and normalized. */
export function parsePreferencesForm(body: Record<string, unknown>): FormResult {
  const parsed = form.safeParse(Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')));
  const errors = parsed.success ? [] : [...new Set(parsed.error.issues.map((i) => i.message))];
  // The alerts are checked even when another field is wrong, so that the reader hears of every problem at once.
  const text = (name: keyof typeof LIMITS) => {
    const v = body[name];
    return typeof v === 'string' && v.length <= LIMITS[name] ? v : '';
  };
  const alerts: Alert[] = [];
  for (const c of text('categories')
    .split(/[\s,]+/)
    .filter(Boolean)) {
    if (CATEGORY.test(c)) alerts.push({ kind: 'category', value: c });
    else errors.push(`“${echo(c)}” is not an arXiv category (like cs.CL or math.PR).`);
  }
  for (const a of lines(text('authors')).map(cleanName)) {
    if (a.length <= 100) alerts.push({ kind: 'author', value: a });
    else errors.push(`“${echo(a)}” is longer than 100 characters: is it one author's name?`);
  }
  for (const s of lines(text('searches'))) {
    const value = searchAlertValue(s);
    if (value) alerts.push({ kind: 'search', value });
    else errors.push(`“${echo(s, 80)}” is not a search: paste a search page's address or type some words.`);
  }
  if (alerts.length > MAX_ALERTS) errors.push(`At most ${MAX_ALERTS} alerts, please (there are ${alerts.length}).`);
  if (!parsed.success || errors.length) return { ok: false, errors };
  const f = parsed.data;
  if (f.trending === undefined && alerts.length === 0)
    return {
      ok: false,
      errors: ['Choose trending papers, or at least one alert: otherwise there is nothing to send.'],
    };
  return {
    ok: true,
    email: f.email,
    prefs: {
      frequency: f.frequency,
      hour: f.hour,
      weekday: f.weekday,
      timeZone: f.time_zone,
      trending: f.trending !== undefined,
      alerts,
    },
  };
}

/** A saved search as the user would type it: its words alone, or its address when it has filters. */
function searchLine(value: string): string {
  const params = new URLSearchParams(value);
  return [...params.keys()].every((k) => k === 'q') ? (params.get('q') ?? '') : `/search?${value}`;
}

/** The form's fields as text: from saved preferences, or exactly as posted (so that an error loses nothing typed). */
export interface FormValues {
  frequency: string;
  hour: string;
  weekday: string;
  timeZone: string;
  trending: boolean;
  categories: string;
  authors: string;
  searches: string;
}

export function formValues(p: Preferences): FormValues {
  const of = (kind: Alert['kind']) => p.alerts.filter((a) => a.kind === kind).map((a) => a.value);
  return {
    frequency: p.frequency,
    hour: String(p.hour),
    weekday: String(p.weekday),
    timeZone: p.timeZone,
    trending: p.trending,
    categories: of('category').join(', '),
    authors: of('author').join('\n'),
    searches: of('search').map(searchLine).join('\n'),
  };
}

export function postedValues(body: Record<string, unknown>): FormValues {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
  return {
    frequency: text('frequency'),
    hour: text('hour'),
    weekday: text('weekday'),
    timeZone: text('time_zone'),
    trending: typeof body.trending === 'string',
    categories: text('categories'),
    authors: text('authors'),
    searches: text('searches'),
  };
}

/** At most this many problems are listed; a form with hundreds of bad lines gets a count of the rest. */
const SHOWN_ERRORS = 8;

export function Errors(props: { errors: string[] }) {
  if (props.errors.length === 0) return null;
  const rest = props.errors.length - SHOWN_ERRORS;
  return (
    <div role="alert" class="errors">
      <p>
        <strong>Please check the form</strong> (nothing was saved; what you typed is still below):
      </p>
      <ul>
        {props.errors.slice(0, SHOWN_ERRORS).map((e) => (
          <li>{e}</li>
        ))}
        {rest > 0 && <li>and {rest} more.</li>}
      </ul>
    </div>
  );
}

/**
 * When a digest goes out, in the subscriber's zone: "within a few minutes" (due at the next run of the schedule),
 * "today at 08:00 (Europe/Berlin)" or "on Monday 7 December at 08:00 (Europe/Berlin)".
 */
export function whenText(next: NextDigest, timeZone: string, now: Date): string {
  if (next === 'now') return 'within a few minutes';
  const local = (d: Date, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, ...options }).format(d);
  const time = local(next, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = localTime(next, timeZone).day;
  const today = localTime(now, timeZone).day;
  if (day === today) return `today at ${time} (${timeZone})`;
  const date = local(next, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(day.slice(0, 4) === today.slice(0, 4) ? {} : { year: 'numeric' }),
  });
  return `on ${date} at ${time} (${timeZone})`;
}

/** Rows for a text area to show what it holds (at 60 characters a line), within bounds. */
function rows(text: string, min = 3, max = 12): number {
  const lines = text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / 60)), 0);
  return Math.min(max, Math.max(min, lines + (text ? 1 : 0)));
}

/** Text that may break after a slash (a long time zone name on a phone), else where the words break. */
export function Breakable(props: { text: string }) {
  const parts = props.text.split('/');
  return (
    <>
      {parts.flatMap((part, i) =>
        i === 0
          ? [part]
          : [
              <>
                /<wbr />
              </>,
              part,
            ],
      )}
    </>
  );
}

/** A select's options, with the given value among them even when the list lacks it (an alias such as Asia/Calcutta). */
function zoneOptions(value: string): string[] {
  return ZONES.includes(value) || !isTimeZone(value) ? ZONES : [value, ...ZONES];
}

/**
 * The fields shared by the subscription form and the preferences page. `detectZone` marks a time zone the reader has
 * not chosen: app.js then sets it to the browser's (without JavaScript it stays UTC, to change by hand).
 */
export function PreferenceFields(props: { values: FormValues; detectZone?: boolean }) {
  const v = props.values;
  const frequency = (FREQUENCIES as readonly string[]).includes(v.frequency) ? v.frequency : 'weekdays';
  const hour = /^\d{1,2}$/.test(v.hour) && Number(v.hour) <= 23 ? Number(v.hour) : 8;
  const weekday = /^[1-7]$/.test(v.weekday) ? Number(v.weekday) : 1;
  const zone = v.timeZone && isTimeZone(v.timeZone) ? v.timeZone : 'UTC';
  return (
    <>
      <fieldset>
        <legend>How often</legend>
        <label class="check">
          <input type="radio" name="frequency" value="weekdays" checked={frequency === 'weekdays'} />
          <span>Every weekday (Monday to Friday)</span>
        </label>
        <label class="check">
          <input type="radio" name="frequency" value="daily" checked={frequency === 'daily'} />
          <span>Every day</span>
        </label>
        <label class="check">
          <input type="radio" name="frequency" value="weekly" checked={frequency === 'weekly'} />
          <span>
            Once a week, on{' '}
            <select name="weekday" aria-label="Day of the week">
              {WEEKDAY_NAMES.map((name, i) => (
                <option value={String(i + 1)} selected={weekday === i + 1}>
                  {name}
                </option>
              ))}
            </select>
          </span>
        </label>
      </fieldset>
      <fieldset>
        <legend>When it arrives</legend>
        <div class="row">
          <label>
            <span>At</span>
            <select name="hour">
              {Array.from({ length: 24 }, (_, h) => (
                <option value={String(h)} selected={hour === h}>{`${String(h).padStart(2, '0')}:00`}</option>
              ))}
            </select>
          </label>
          <label>
            <span>
              Time zone{' '}
              <small class="zone-note" data-zone-note hidden>
                (from your browser)
              </small>
            </span>
            <select name="time_zone" autocomplete="off" data-detect-zone={props.detectZone ? '' : undefined}>
              {zoneOptions(zone).map((z) => (
                <option value={z} selected={zone === z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
        </div>
      </fieldset>
      <fieldset class="what">
        <legend>What goes in</legend>
        <label class="check">
          <input type="checkbox" name="trending" value="1" checked={v.trending} />
          <span>Trending papers</span>
        </label>
        <p>Alerts: new papers matching any of these, each in its own list.</p>
        <label>
          Categories (comma-separated)
          <textarea name="categories" rows={rows(v.categories, 1, 3)} cols={40} placeholder="cs.CL, cs.LG">
            {v.categories}
          </textarea>
        </label>
        <label>
          Authors (one per line)
          <textarea name="authors" rows={rows(v.authors)} cols={40} placeholder="Yoshua Bengio">
            {v.authors}
          </textarea>
        </label>
        <label>
          Searches (one per line: a search page's address, or words)
          <textarea
            name="searches"
            rows={rows(v.searches)}
            cols={60}
            placeholder={'https://paperboy.example/search?q=diffusion&cat=cs.CV\n"retrieval augmented" -survey'}
          >
            {v.searches}
          </textarea>
        </label>
      </fieldset>
    </>
  );
}
