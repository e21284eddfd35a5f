// Retrying a poke whose round failed for a transient cause (round-failure.ts): a copy of the poke, scheduled
// on graph-changes after an exponential backoff with jitter, with the next attempt number and the original
// receivedAt. Why a copy: in Azure the Node v4 Service Bus trigger cannot settle or defer the message it runs
// for (it completes on return, abandons on throw), and redelivery after a throw is immediate, so ten quick
// failures dead-letter a poke within milliseconds. The handler sends the copy and returns normally.
import { randomUUID } from 'node:crypto';
import { MAX_POKE_ATTEMPT, pokeMessageSchema, type PokeMessage } from '../../contracts/poke-message.js';
import type { OutgoingMessage } from '../../ports/queue.js';

export interface RetrySchedule {
  /** Delay after the first failed round; each further failure doubles it. */
  firstDelayMs: number;
  /** No delay is longer. */
  maxDelayMs: number;
  /** Rounds one poke may run, the first included; when the last one fails the poke is given up. */
  maxAttempts: number;
}

/** 5 s, 10 s, 20 s ... then every 15 min; 100 rounds take about 20 hours (17 to 23 with the jitter). */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { firstDelayMs: 5_000, maxDelayMs: 15 * 60_000, maxAttempts: 100 };

/** Up to this share of a delay is taken off at random, so the retries of many pokes spread out. */
const JITTER = 0.25;

/** The delay after round number `failedAttempt` failed; `random` is in [0, 1). Never above maxDelayMs, and
 *  below the cap each delay is longer than the one before whatever the jitter. */
export function retryDelayMs(schedule: RetrySchedule, failedAttempt: number, random: number): number {
  const nominal = Math.min(schedule.maxDelayMs, schedule.firstDelayMs * 2 ** Math.min(failedAttempt - 1, 30));
  return Math.round(nominal * (1 - JITTER * random));
}

/** Whether the poke may run another round after this one failed. */
export function mayRetry(schedule: RetrySchedule, poke: PokeMessage): boolean {
  return poke.attempt < Math.min(schedule.maxAttempts, MAX_POKE_ATTEMPT);
}

/** The copy to schedule: same trigger (reason, groups, receivedAt), next attempt, random messageId. */
export function retryPoke(poke: PokeMessage, delayMs: number, now: Date): OutgoingMessage {
  const body = pokeMessageSchema.parse({ ...poke, attempt: poke.attempt + 1 });
  return {
    messageId: randomUUID(),
    sessionId: poke.tenantId,
    body,
    subject: `poke:${poke.reason}`,
    scheduledEnqueueTimeUtc: new Date(now.getTime() + delayMs),
  };
}
