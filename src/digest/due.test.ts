import { describe, expect, it } from 'vitest';
import { duePeriod, isoWeek, localTime, nextDigest, type Schedule } from './due.js';

const weekdays: Schedule = { frequency: 'weekdays', hour: 8, timeZone: 'UTC', weekday: 1 };

describe('when a digest is due', () => {
  it('reads the local day, hour and weekday in the subscriber time zone', () => {
    // 2026-07-01 is a Wednesday; 23:30 UTC is already Thursday 08:30 in Tokyo and still 19:30 Wednesday in New York.
    const at = new Date('2026-07-01T23:30:00Z');
    expect(localTime(at, 'Asia/Tokyo')).toEqual({ day: '2026-07-02', hour: 8, weekday: 4 });
    expect(localTime(at, 'America/New_York')).toEqual({ day: '2026-07-01', hour: 19, weekday: 3 });
  });

  it('is due once per local day after the chosen hour, on weekdays only by default', () => {
    expect(duePeriod(weekdays, new Date('2026-07-01T07:59:00Z'), null)).toBeUndefined();
    expect(duePeriod(weekdays, new Date('2026-07-01T08:00:00Z'), null)).toBe('2026-07-01');
    expect(duePeriod(weekdays, new Date('2026-07-01T22:00:00Z'), '2026-07-01')).toBeUndefined();
    expect(duePeriod(weekdays, new Date('2026-07-04T09:00:00Z'), '2026-07-03')).toBeUndefined(); // Saturday
    expect(duePeriod({ ...weekdays, frequency: 'daily' }, new Date('2026-07-04T09:00:00Z'), '2026-07-03')).toBe(
      '2026-07-04',
    );
  });

  it('follows the zone across a daylight-saving change', () => {
    const paris: Schedule = { ...weekdays, timeZone: 'Europe/Paris' };
    // Paris is UTC+1 in winter and UTC+2 in summer: 08:00 local is 07:00 UTC in January and 06:00 UTC in July.
    expect(duePeriod(paris, new Date('2026-01-05T06:30:00Z'), null)).toBeUndefined();
    expect(duePeriod(paris, new Date('2026-01-05T07:00:00Z'), null)).toBe('2026-01-05');
    expect(duePeriod(paris, new Date('2026-07-01T06:00:00Z'), null)).toBe('2026-07-01');
  });

  it('sends a weekly digest once per ISO week, on or after its day', () => {
    const friday: Schedule = { frequency: 'weekly', hour: 8, timeZone: 'UTC', weekday: 5 };
    expect(duePeriod(friday, new Date('2026-07-02T09:00:00Z'), null)).toBeUndefined();
    expect(duePeriod(friday, new Date('2026-07-03T09:00:00Z'), null)).toBe('2026-W27');
    expect(duePeriod(friday, new Date('2026-07-05T09:00:00Z'), '2026-W27')).toBeUndefined();
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
    expect(isoWeek('2025-12-28')).toBe('2025-W52');
  });
});

describe('when the next digest goes out', () => {
  const berlin: Schedule = { frequency: 'weekdays', hour: 8, timeZone: 'Europe/Berlin', weekday: 1 };
  const at = (iso: string) => new Date(iso);

  it('is now for a new subscriber whose hour has passed today, else at the hour today', () => {
    // Wednesday 1 July 2026; Berlin is UTC+2.
    expect(nextDigest(berlin, at('2026-07-01T09:00:00Z'), null)).toBe('now');
    expect(nextDigest(berlin, at('2026-07-01T05:59:00Z'), null)).toEqual(at('2026-07-01T06:00:00Z'));
    // Served today: tomorrow at 08:00.
    expect(nextDigest(berlin, at('2026-07-01T09:00:00Z'), '2026-07-01')).toEqual(at('2026-07-02T06:00:00Z'));
  });

  it('agrees with duePeriod: nothing is due a minute before the answer, and it is due at the answer', () => {
    const schedules: Schedule[] = [
      berlin,
      { ...berlin, frequency: 'daily', hour: 0, timeZone: 'Pacific/Kiritimati' },
      { ...berlin, frequency: 'weekly', weekday: 7, hour: 23, timeZone: 'America/St_Johns' },
      { ...berlin, frequency: 'weekly', weekday: 3, hour: 2, timeZone: 'Europe/Berlin' },
      { ...berlin, frequency: 'daily', hour: 5, timeZone: 'Asia/Kathmandu' },
    ];
    for (const s of schedules)
      for (let h = 0; h < 24 * 15; h += 7) {
        const now = at(`2026-03-20T00:17:00Z`);
        now.setUTCHours(now.getUTCHours() + h);
        const last = duePeriod(s, now, null) ?? null;
        const next = nextDigest(s, now, last);
        expect(next, `${s.timeZone} ${now.toISOString()}`).toBeInstanceOf(Date);
        const when = next as Date;
        expect(duePeriod(s, new Date(when.getTime() - 60_000), last)).toBeUndefined();
        expect(duePeriod(s, when, last)).toBeDefined();
      }
  });

  it('skips the weekend for weekday digests', () => {
    // Friday 3 July 2026 after the digest went out: Monday 6 July at 08:00 Berlin.
    expect(nextDigest(berlin, at('2026-07-03T07:00:00Z'), '2026-07-03')).toEqual(at('2026-07-06T06:00:00Z'));
    // Saturday, nothing sent since Friday: still Monday.
    expect(nextDigest(berlin, at('2026-07-04T12:00:00Z'), '2026-07-03')).toEqual(at('2026-07-06T06:00:00Z'));
    // A daily digest goes out on Saturday.
    expect(nextDigest({ ...berlin, frequency: 'daily' }, at('2026-07-03T07:00:00Z'), '2026-07-03')).toEqual(
      at('2026-07-04T06:00:00Z'),
    );
  });

  it('follows a weekly schedule: this week when its day is ahead, next week once served', () => {
    const friday: Schedule = { frequency: 'weekly', hour: 18, timeZone: 'Asia/Tokyo', weekday: 5 };
    // Tuesday 30 June 2026 in Tokyo (UTC+9): Friday 3 July at 18:00.
    expect(nextDigest(friday, at('2026-06-30T03:00:00Z'), null)).toEqual(at('2026-07-03T09:00:00Z'));
    // Saturday, this week not served: now. Served: Friday 10 July.
    expect(nextDigest(friday, at('2026-07-04T03:00:00Z'), null)).toBe('now');
    expect(nextDigest(friday, at('2026-07-04T03:00:00Z'), '2026-W27')).toEqual(at('2026-07-10T09:00:00Z'));
    // Monday, last week's digest sent: Friday of this week.
    expect(nextDigest(friday, at('2026-07-06T03:00:00Z'), '2026-W27')).toEqual(at('2026-07-10T09:00:00Z'));
    // Sunday 6 December 2026 for a Monday digest: the next day (7 December, CET = UTC+1).
    const monday: Schedule = { ...friday, weekday: 1, hour: 8, timeZone: 'Europe/Berlin' };
    expect(nextDigest(monday, at('2026-12-06T10:00:00Z'), '2026-W49')).toEqual(at('2026-12-07T07:00:00Z'));
    // Across a year: week 53 of 2026 served on Monday 28 December, then Monday 4 January 2027.
    expect(nextDigest(monday, at('2026-12-28T10:00:00Z'), '2026-W53')).toEqual(at('2027-01-04T07:00:00Z'));
  });

  it('keeps the local hour across daylight-saving changes, and a skipped hour comes at the first time after it', () => {
    const daily: Schedule = { ...berlin, frequency: 'daily' };
    // Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026 at 02:00 (which becomes 03:00).
    expect(nextDigest(daily, at('2026-03-28T08:00:00Z'), '2026-03-28')).toEqual(at('2026-03-29T06:00:00Z'));
    expect(nextDigest({ ...daily, hour: 2 }, at('2026-03-28T08:00:00Z'), '2026-03-28')).toEqual(
      at('2026-03-29T01:00:00Z'), // 03:00 CEST: there is no 02:00 that day
    );
    // Back to UTC+1 on Sunday 25 October 2026 at 03:00 (which becomes 02:00): 02:00 is its first occurrence.
    expect(nextDigest({ ...daily, hour: 2 }, at('2026-10-24T08:00:00Z'), '2026-10-24')).toEqual(
      at('2026-10-25T00:00:00Z'),
    );
    expect(nextDigest(daily, at('2026-10-24T08:00:00Z'), '2026-10-24')).toEqual(at('2026-10-25T07:00:00Z'));
    // New York changes on 8 March 2026: 08:00 is 13:00 UTC before and 12:00 UTC after.
    const ny: Schedule = { ...daily, timeZone: 'America/New_York' };
    expect(nextDigest(ny, at('2026-03-07T14:00:00Z'), '2026-03-07')).toEqual(at('2026-03-08T12:00:00Z'));
    // A half-hour zone: 08:00 in Kolkata is 02:30 UTC.
    expect(nextDigest({ ...daily, timeZone: 'Asia/Kolkata' }, at('2026-07-01T01:00:00Z'), null)).toEqual(
      at('2026-07-01T02:30:00Z'),
    );
  });
});
