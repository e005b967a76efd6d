/** How often a subscriber gets mail: every day, Monday to Friday (the default, as on Hugging Face), or once a week. */
export type Frequency = 'daily' | 'weekdays' | 'weekly';
export const FREQUENCIES: readonly Frequency[] = ['weekdays', 'daily', 'weekly'];

export interface Schedule {
  frequency: Frequency;
  /** Local hour (0-23) the digest arrives. */
  hour: number;
  /** IANA time zone, e.g. Europe/Paris. */
  timeZone: string;
  /** Weekly only: 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

export interface LocalTime {
  /** YYYY-MM-DD in the subscriber's zone. */
  day: string;
  hour: number;
  /** 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function localTime(now: Date, timeZone: string): LocalTime {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      weekday: 'short',
    });
    formats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(now)) parts[p.type] = p.value;
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    weekday: WEEKDAYS[parts.weekday!] ?? 1,
  };
}

/** ISO-8601 week of a YYYY-MM-DD day, e.g. 2026-W01. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The period a digest sent now would cover, when one is due: the local day (daily, weekdays) or ISO week (weekly)
 * once the local time has passed the chosen hour (and day). A digest missed while the server was down still goes
 * out later in the same period, never twice in one: the period is the digest's idempotency key.
 */
export function duePeriod(s: Schedule, now: Date, lastPeriod: string | null): string | undefined {
  const t = localTime(now, s.timeZone);
  let period: string;
  if (s.frequency === 'weekly') {
    if (t.weekday < s.weekday || (t.weekday === s.weekday && t.hour < s.hour)) return undefined;
    period = isoWeek(t.day);
  } else {
    if (s.frequency === 'weekdays' && t.weekday > 5) return undefined;
    if (t.hour < s.hour) return undefined;
    period = t.day;
  }
  return period === lastPeriod ? undefined : period;
}

/**
 * Days back a digest looks for papers that are new to the subscriber (entered their feed day since the last digest):
 * a weekly one the week; a daily one a weekend too, and papers listed late.
 */
export function lookbackDays(frequency: Frequency): number {
  return frequency === 'weekly' ? 6 : 3;
}

/** The first digest has no last one to follow: a weekly one covers the week, a daily one the last day (or two, for
 * readers whose morning comes before the day's listing). */
export function firstLookbackDays(frequency: Frequency): number {
  return frequency === 'weekly' ? 6 : 1;
}
