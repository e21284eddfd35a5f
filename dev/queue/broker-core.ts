// What clients need from the broker (kept apart so client.ts and broker.ts do not import each other).
import type { QueueState } from './queue-state.js';

export interface BrokerCore {
  readonly now: () => number;
  queue(name: string): QueueState;
  newReceiverId(): number;
  /** Something changed: waiting receivers look again. */
  changed(): void;
  /** Retries `attempt` on every change and whenever something falls due, until it returns a value or
   *  maxWaitMs of real time has passed. */
  waitUntil<T>(attempt: () => T | undefined, maxWaitMs: number): Promise<T | undefined>;
}
