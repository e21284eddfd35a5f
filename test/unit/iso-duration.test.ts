// ISO 8601 durations of queue settings (infra/queues.json, Service Bus' queue properties) in milliseconds.
import { describe, expect, it } from 'vitest';
import { isoDurationMs } from '../../dev/queue/index.js';

describe('isoDurationMs', () => {
  it('reads days, hours, minutes and (fractional) seconds', () => {
    expect(isoDurationMs('PT2M')).toBe(120_000);
    expect(isoDurationMs('PT1H')).toBe(3_600_000);
    expect(isoDurationMs('P14D')).toBe(14 * 24 * 3_600_000);
    expect(isoDurationMs('P1DT2H3M4.5S')).toBe(((24 + 2) * 60 + 3) * 60_000 + 4_500);
    expect(isoDurationMs('PT0.5S')).toBe(500);
  });

  it('refuses what names no fixed length or is not a duration', () => {
    for (const text of ['P', 'PT', 'P1DT', 'P1M', 'P1W', 'P1Y', 'PT-1S', '2M', 'pt2m', '']) {
      expect(() => isoDurationMs(text), text).toThrow(RangeError);
    }
  });
});
