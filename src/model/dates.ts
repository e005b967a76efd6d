/** Calendar arithmetic for the feed pages and the API: days, ISO weeks, months, all in UTC, all YYYY-MM-DD. */
export const DAY_MS = 86_400_000;

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
export const addDays = (day: string, n: number): string =>
  isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));

export function isValidDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && isoDay(new Date(Date.parse(`${day}T00:00:00Z`) || 0)) === day;
}

/** `2026-W27` → the Monday and Sunday of that ISO week; undefined when it is not a week. */
export function weekRange(week: string): { from: string; to: string } | undefined {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return undefined;
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || n > weeksInYear(year)) return undefined;
  // ISO week 1 is the week with the year's first Thursday, i.e. the week holding January 4th.
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  const from = isoDay(new Date(mondayOfWeek1 + (n - 1) * 7 * DAY_MS));
  return { from, to: addDays(from, 6) };
}

/** The ISO week (`2026-W27`) a day belongs to. */
export function weekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function weeksInYear(year: number): number {
  return weekOf(`${year}-12-28`).endsWith('53') ? 53 : 52;
}

/** `2026-07` → its first and last day; undefined when it is not a month. */
export function monthRange(month: string): { from: string; to: string } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return undefined;
  const from = `${month}-01`;
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0));
  return { from, to: isoDay(last) };
}

export function shiftWeek(week: string, n: number): string {
  const range = weekRange(week);
  return range ? weekOf(addDays(range.from, 7 * n)) : week;
}

export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `2026-07-01` → `1 July 2026`. */
export function humanDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

export function humanMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${MONTHS[m - 1]} ${y}`;
}
