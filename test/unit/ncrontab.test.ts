import { describe, expect, it } from 'vitest';
import { nextOccurrence, parseSchedule } from '../../dev/host/ncrontab.js';

const next = (expr: string, after: string): string => nextOccurrence(parseSchedule(expr), new Date(after)).toISOString();

describe('NCRONTAB (local host timers)', () => {
  it('every 30 minutes at second 0', () => {
    expect(next('0 */30 * * * *', '2025-01-01T10:05:00Z')).toBe('2025-01-01T10:30:00.000Z');
    expect(next('0 */30 * * * *', '2025-01-01T10:30:00Z')).toBe('2025-01-01T11:00:00.000Z');
  });

  it('every 6 hours', () => {
    expect(next('0 0 */6 * * *', '2025-01-01T19:00:00Z')).toBe('2025-01-02T00:00:00.000Z');
  });

  it('every second and every 5 seconds', () => {
    expect(next('* * * * * *', '2025-01-01T00:00:00.400Z')).toBe('2025-01-01T00:00:01.000Z');
    expect(next('*/5 * * * * *', '2025-01-01T00:00:03Z')).toBe('2025-01-01T00:00:05.000Z');
  });

  it('ranges, lists, names; day and weekday must both match', () => {
    // 09:30 on weekdays
    expect(next('0 30 9 * * MON-FRI', '2025-01-03T10:00:00Z')).toBe('2025-01-06T09:30:00.000Z'); // Fri -> Mon
    expect(next('0 0 12 1,15 * *', '2025-02-02T00:00:00Z')).toBe('2025-02-15T12:00:00.000Z');
    expect(next('0 0 0 1 JAN *', '2025-03-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
    // the 13th that is a Friday
    expect(next('0 0 0 13 * 5', '2025-01-01T00:00:00Z')).toBe('2025-06-13T00:00:00.000Z');
  });

  it('TimeSpan form is an interval', () => {
    expect(next('00:05:00', '2025-01-01T00:00:00Z')).toBe('2025-01-01T00:05:00.000Z');
  });

  it('refuses malformed schedules', () => {
    for (const bad of ['0 */30 * * *', '61 * * * * *', '0 0 25 * * *', '0 0 0 * FOO *', '0 5-1 * * * *', '0 */0 * * * *', '00:00:00']) {
      expect(() => parseSchedule(bad), bad).toThrow();
    }
  });

  it('a schedule that never fires is reported', () => {
    expect(() => nextOccurrence(parseSchedule('0 0 0 31 FEB *'), new Date('2025-01-01T00:00:00Z'))).toThrow(/no occurrence/);
  });
});
