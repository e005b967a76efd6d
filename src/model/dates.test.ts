import { describe, expect, it } from 'vitest';
import { addDays, humanDay, isValidDay, monthRange, shiftMonth, shiftWeek, weekOf, weekRange } from './dates.js';

describe('dates', () => {
  it('finds ISO weeks, including those that straddle a new year', () => {
    expect(weekRange('2026-W01')).toEqual({ from: '2025-12-29', to: '2026-01-04' });
    expect(weekRange('2020-W53')).toEqual({ from: '2020-12-28', to: '2021-01-03' });
    expect(weekRange('2026-W53')).toEqual({ from: '2026-12-28', to: '2027-01-03' }); // 2026 starts on a Thursday
    expect(weekRange('2025-W53')).toBeUndefined();
    expect(weekRange('2026-W00')).toBeUndefined();
    expect(weekRange('2026-27')).toBeUndefined();
    expect(weekOf('2026-01-01')).toBe('2026-W01');
    expect(weekOf('2027-01-01')).toBe('2026-W53');
    expect(weekOf('2025-12-29')).toBe('2026-W01');
    expect(shiftWeek('2026-W01', -1)).toBe('2025-W52');
  });

  it('handles months and days', () => {
    expect(monthRange('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthRange('2026-13')).toBeUndefined();
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(isValidDay('2026-02-30')).toBe(false);
    expect(isValidDay('2026-02-28')).toBe(true);
    expect(isValidDay('<script>')).toBe(false);
    expect(humanDay('2026-07-01')).toBe('1 July 2026');
  });
});
