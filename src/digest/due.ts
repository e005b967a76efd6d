import { addDays, weekOf } from '../model/dates.js';
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

/** ISO-8601 week of a YYYY-MM-DD day, e.g. 2026-W01: the one in src/model/dates.ts. */
export const isoWeek = weekOf;

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

/** When the next digest goes out: 'now' (the next run of the schedule sends it), or the instant it becomes due. */
export type NextDigest = 'now' | Date;

/**
 * The next digest for a schedule, as `duePeriod` will see it: 'now' when one is due already (a new subscriber whose
 * hour has passed today gets the first one within a run), else the first instant of the next unserved day (or week)
 * at the chosen local hour. DST-correct: an hour skipped in spring arrives at the first local time after it (03:00
 * for 02:00 in Europe/Berlin), an hour repeated in autumn at its first occurrence.
 */
export function nextDigest(s: Schedule, now: Date, lastPeriod: string | null): NextDigest {
  if (duePeriod(s, now, lastPeriod) !== undefined) return 'now';
  const today = localTime(now, s.timeZone);
  // Weekly: the chosen weekday of this ISO week, then of the next ones; else every day from today.
  const first = s.frequency === 'weekly' ? addDays(today.day, s.weekday - today.weekday) : today.day;
  const step = s.frequency === 'weekly' ? 7 : 1;
  for (let i = 0; i < 16; i++) {
    const day = addDays(first, i * step);
    if (s.frequency === 'weekdays' && weekdayOf(day) > 5) continue;
    if ((s.frequency === 'weekly' ? isoWeek(day) : day) === lastPeriod) continue;
    const at = firstInstantAt(day, s.hour, s.timeZone);
    if (at > now) return at;
  }
  // Unreachable for a valid schedule (the loop spans more than two weeks); a caller still gets an answer.
  return 'now';
}

function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

/**
 * The first instant, to the minute, at which the local time in `timeZone` is on `day` at `hour` or later. Searched
 * between the widest offsets in use (UTC-12 to UTC+14) rather than computed from an offset, so that gaps and repeats
 * need no special case.
 */
function firstInstantAt(day: string, hour: number, timeZone: string): Date {
  const target = `${day} ${String(hour).padStart(2, '0')}`;
  const reached = (minute: number) => {
    const t = localTime(new Date(minute * 60_000), timeZone);
    return `${t.day} ${String(t.hour).padStart(2, '0')}` >= target;
  };
  const wall = Date.parse(`${day}T00:00:00Z`) / 60_000 + hour * 60;
  let lo = wall - 14 * 60 - 1; // not reached
  let hi = wall + 12 * 60; // reached
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return new Date(hi * 60_000);
}
