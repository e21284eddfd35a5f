// Transient failures are waited out with the message in hand: it stays locked (the session lock is renewed
// meanwhile) and is tried again in place, with exponential backoff, for as long as the outage lasts. Giving
// it back instead would count a delivery each time and dead-letter it within minutes. A failure that says
// the DC is away also closes the directory gate, so no other group is taken up until a DC answers; when
// the gate's probe finds one, the waiting messages are tried again at once.
import type { Logger } from '../../shared/logging.js';
import { BatchTooLargeError, InvalidMessageError, MessageTooLargeError, type OutgoingMessage, type QueueSender } from '../../shared/ports/queue.js';
import { isDirectoryAway, isTransient } from '../ldap/errors.js';
import { backoffDelay, waitFor, type Backoff } from './backoff.js';
import type { DirectoryGate } from './directory-gate.js';
import type { RelayStats } from './stats.js';

export interface RetryInPlaceOptions {
  gate: DirectoryGate;
  backoff: Backoff;
  stats: RelayStats;
}

function causeOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `apply` until it succeeds or fails for a permanent cause (thrown). Null when `signal` ended a wait
 * (the relay stops, or the session lock was lost): the caller lets the message go without settling it.
 */
export async function applyInPlace<T>(apply: () => Promise<T>, signal: AbortSignal, log: Logger, opts: RetryInPlaceOptions): Promise<T | null> {
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      const result = await apply();
      opts.gate.confirm();
      return result;
    } catch (error) {
      if (!isTransient(error)) throw error;
      const cause = causeOf(error);
      if (isDirectoryAway(error)) opts.gate.close(cause);
      const delayMs = backoffDelay(attempt, opts.backoff);
      opts.stats.retries += 1;
      log.warn({ attempt, delayMs, cause, directoryAvailable: opts.gate.isOpen }, 'transient failure: keeping the message, retrying it in place');
      // Back on as soon as the DC is (the gate reopens), at the latest after the delay.
      if (!(await waitFor(delayMs, signal, opts.gate.reopened()))) return null;
    }
  }
  return null;
}

/** The results can never be sent as they are (too large, refused): a bug, not an outage. */
export function isSendRefused(error: unknown): boolean {
  return error instanceof MessageTooLargeError || error instanceof BatchTooLargeError || error instanceof InvalidMessageError;
}

/**
 * Sends the results, retrying with backoff while the queue cannot be reached. 'stopped' when `signal`
 * ended a wait; a refusal (isSendRefused) is thrown.
 */
export async function sendInPlace(
  sender: QueueSender,
  messages: readonly OutgoingMessage[],
  signal: AbortSignal,
  log: Logger,
  opts: Pick<RetryInPlaceOptions, 'backoff' | 'stats'>,
): Promise<'sent' | 'stopped'> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sender.send(messages);
      return 'sent';
    } catch (error) {
      if (isSendRefused(error)) throw error;
      const delayMs = backoffDelay(attempt, opts.backoff);
      opts.stats.retries += 1;
      log.warn({ attempt, delayMs, cause: causeOf(error) }, 'cannot send results: retrying after a delay');
      if (!(await waitFor(delayMs, signal))) return 'stopped';
    }
  }
}
