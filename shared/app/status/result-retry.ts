// A result that could not be recorded for a transient cause (table storage away, a Graph-changes send that
// failed) is tried again later by a scheduled copy on writeback-results, the way planChanges retries a poke
// (shared/app/round/poke-retry.ts): in Azure the Node v4 trigger cannot defer its message, and a throw is
// redelivered at once, so ten quick failures would dead-letter the result in milliseconds and leave the group
// `pending` until the repair timer. The copy keeps the body; its messageId names the attempt.
import type { OutgoingMessage } from '../../ports/queue.js';
import { DEFAULT_RETRY_SCHEDULE, retryDelayMs } from '../round/poke-retry.js';

/** Application property carrying how many times recording this result has failed. */
export const RESULT_ATTEMPT_PROPERTY = 'resultAttempt';

/** The attempt this delivery is (1 for the relay's own message), from its application properties. */
export function resultAttempt(properties: unknown): number {
  const value = typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>)[RESULT_ATTEMPT_PROPERTY] : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 1;
}

/** Whether another attempt may follow this failed one. */
export function mayRetryResult(attempt: number): boolean {
  return attempt < DEFAULT_RETRY_SCHEDULE.maxAttempts;
}

/** The scheduled copy after attempt `attempt` failed; `random` in [0, 1) spreads the retries. */
export function retryResult(body: unknown, messageId: string, attempt: number, now: Date, random: number): { message: OutgoingMessage; delayMs: number } {
  const delayMs = retryDelayMs(DEFAULT_RETRY_SCHEDULE, attempt, random);
  const base = messageId.replace(/:retry-\d+$/, '');
  return {
    delayMs,
    message: {
      messageId: `${base}:retry-${attempt + 1}`,
      body,
      applicationProperties: { [RESULT_ATTEMPT_PROPERTY]: attempt + 1 },
      scheduledEnqueueTimeUtc: new Date(now.getTime() + delayMs),
    },
  };
}
