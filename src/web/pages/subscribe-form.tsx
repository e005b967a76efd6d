import { z } from 'zod';
import { FREQUENCIES, type Frequency, isTimeZone } from '../../digest/due.js';
import { type Alert, MAX_ALERTS, type Preferences, searchAlertValue } from '../../digest/subscribers.js';
import { cleanLine, cleanName } from '../../model/text.js';

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

const form = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ message: 'Enter an email address like you@example.org.' }))
    .optional(),
  frequency: z.enum(FREQUENCIES as [Frequency, ...Frequency[]]).default('weekdays'),
  hour: z.coerce.number().int().min(0).max(23).default(8),
  weekday: z.coerce.number().int().min(1).max(7).default(1),
  time_zone: z.string().refine(isTimeZone, 'Choose a time zone from the list.').default('UTC'),
  trending: z.string().optional(),
  categories: z.string().max(2000).default(''),
  authors: z.string().max(5000).default(''),
  searches: z.string().max(10000).default(''),
});

export type FormResult = { ok: true; email: string | undefined; prefs: Preferences } | { ok: false; errors: string[] };

/** The subscription and preferences form, as preferences; every alert is checked and normalized. */
export function parsePreferencesForm(body: Record<string, unknown>): FormResult {
  const parsed = form.safeParse(Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')));
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => i.message) };
  const f = parsed.data;
  const errors: string[] = [];
  const alerts: Alert[] = [];
  for (const c of f.categories.split(/[\s,]+/).filter(Boolean)) {
    if (CATEGORY.test(c)) alerts.push({ kind: 'category', value: c });
    else errors.push(`“${c}” is not an arXiv category (like cs.CL or math.PR).`);
  }
  for (const a of lines(f.authors).map(cleanName)) {
    if (a.length <= 100) alerts.push({ kind: 'author', value: a });
    else errors.push('An author name is longer than 100 characters.');
  }
  for (const s of lines(f.searches)) {
    const value = searchAlertValue(s);
    if (value) alerts.push({ kind: 'search', value });
    else errors.push(`“${s.slice(0, 80)}” is not a search: paste a search page's address or type some words.`);
  }
  if (alerts.length > MAX_ALERTS) errors.push(`At most ${MAX_ALERTS} alerts, please.`);
  if (f.trending === undefined && alerts.length === 0)
    errors.push('Choose trending papers, or at least one alert: otherwise there is nothing to send.');
  if (errors.length) return { ok: false, errors };
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

export function Errors(props: { errors: string[] }) {
  if (props.errors.length === 0) return null;
  return (
    <div role="alert" class="errors">
      <p>
        <strong>Please check the form:</strong>
      </p>
      <ul>
        {props.errors.map((e) => (
          <li>{e}</li>
        ))}
      </ul>
    </div>
  );
}

/** The fields shared by the subscription form and the preferences page. */
export function PreferenceFields(props: { prefs: Preferences }) {
  const p = props.prefs;
  const of = (kind: Alert['kind']) => p.alerts.filter((a) => a.kind === kind).map((a) => a.value);
  return (
    <>
      <fieldset>
        <legend>How often</legend>
        <label class="check">
          <input type="radio" name="frequency" value="weekdays" checked={p.frequency === 'weekdays'} /> Every weekday
          (Monday to Friday)
        </label>
        <br />
        <label class="check">
          <input type="radio" name="frequency" value="daily" checked={p.frequency === 'daily'} /> Every day
        </label>
        <br />
        <label class="check">
          <input type="radio" name="frequency" value="weekly" checked={p.frequency === 'weekly'} /> Once a week, on{' '}
          <select name="weekday" aria-label="Day of the week">
            {WEEKDAY_NAMES.map((name, i) => (
              <option value={String(i + 1)} selected={p.weekday === i + 1}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>When it arrives</legend>
        <label>
          At{' '}
          <select name="hour">
            {Array.from({ length: 24 }, (_, h) => (
              <option value={String(h)} selected={p.hour === h}>{`${String(h).padStart(2, '0')}:00`}</option>
            ))}
          </select>
        </label>{' '}
        <label>
          time zone{' '}
          <select name="time_zone">
            {ZONES.map((z) => (
              <option value={z} selected={p.timeZone === z}>
                {z}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>What goes in</legend>
        <label class="check">
          <input type="checkbox" name="trending" value="1" checked={p.trending} /> Trending papers
        </label>
        <p>Alerts: new papers matching any of these, each in its own list.</p>
        <label>
          Categories (comma-separated)
          <br />
          <input name="categories" value={of('category').join(', ')} placeholder="cs.CL, cs.LG" size={40} />
        </label>
        <br />
        <label>
          Authors (one per line)
          <br />
          <textarea name="authors" rows={3} cols={40} placeholder="Yoshua Bengio">
            {of('author').join('\n')}
          </textarea>
        </label>
        <br />
        <label>
          Searches (one per line: a search page's address, or words)
          <br />
          <textarea
            name="searches"
            rows={3}
            cols={60}
            placeholder={'https://paperboy.example/search?q=diffusion&cat=cs.CV\n"retrieval augmented" -survey'}
          >
            {of('search').map(searchLine).join('\n')}
          </textarea>
        </label>
      </fieldset>
    </>
  );
}
