import { describe, expect, it } from 'vitest';
import { duePeriod, isoWeek, localTime, type Schedule } from './due.js';

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
