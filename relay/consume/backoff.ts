// Waiting out transient failures: exponential backoff with jitter (so relays that lost the same DC do not
// come back in lockstep), and waits that end early when the relay stops or the session is lost.
import type { RelayConfig } from '../config.js';

export interface Backoff {
  /** First delay; doubled per attempt. */
  initialMs: number;
  /** Cap of the delay. */
  maxMs: number;
}

export function backoffOf(sessions: Pick<RelayConfig['sessions'], 'retryDelayMs' | 'retryMaxDelayMs'>): Backoff {
  return { initialMs: sessions.retryDelayMs, maxMs: sessions.retryMaxDelayMs };
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): between half and all of min(max, initial * 2^(attempt-1)). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 40));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/**
 * Resolves true after `ms`, or as soon as `early` settles; false at once when `signal` is aborted (then the
 * caller lets go of what it holds).
 */
export function waitFor(ms: number, signal: AbortSignal, early?: Promise<unknown>): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    early?.then(
      () => done(!signal.aborted),
      () => done(!signal.aborted),
    );
  });
}
