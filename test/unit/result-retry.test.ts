// recordResults' retry of a result it could not record for a transient cause: a scheduled copy with the next
// attempt in its properties, never an immediate redelivery.
import { describe, expect, it } from 'vitest';
import { mayRetryResult, RESULT_ATTEMPT_PROPERTY, resultAttempt, retryResult } from '../../shared/app/status/result-retry.js';

const NOW = new Date('2026-11-30T10:00:00Z');
const body = { v: 1, groupId: 'g', seq: 7 };

describe('result retry', () => {
  it('reads the attempt from the application properties (1 for the relay own message)', () => {
    expect(resultAttempt(undefined)).toBe(1);
    expect(resultAttempt({})).toBe(1);
    expect(resultAttempt({ [RESULT_ATTEMPT_PROPERTY]: 4 })).toBe(4);
    expect(resultAttempt({ [RESULT_ATTEMPT_PROPERTY]: 'x' })).toBe(1);
  });

  it('schedules the same body later, with a growing delay and a messageId per attempt', () => {
    const first = retryResult(body, 'result:g:7', 1, NOW, 0);
    expect(first.message).toMatchObject({ messageId: 'result:g:7:retry-2', body, applicationProperties: { [RESULT_ATTEMPT_PROPERTY]: 2 } });
    expect(first.message.scheduledEnqueueTimeUtc?.getTime()).toBe(NOW.getTime() + first.delayMs);
    const second = retryResult(body, first.message.messageId, 2, NOW, 0);
    expect(second.message.messageId).toBe('result:g:7:retry-3');
    expect(second.delayMs).toBeGreaterThan(first.delayMs);
    expect(first.delayMs).toBeGreaterThanOrEqual(1_000);
  });

  it('gives up after the retry schedule is used', () => {
    expect(mayRetryResult(1)).toBe(true);
    expect(mayRetryResult(100)).toBe(false);
  });
});
