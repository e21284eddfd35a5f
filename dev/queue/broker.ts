// The embedded broker: named queues with Service Bus semantics, in memory, in one process (local host,
// planner and relay share it in the demo). Time comes from an injectable clock; waiting receivers use
// real timers and are woken by sends, settlements and wake().
import { InvalidQueueOperationError, QueueNotFoundError } from '../../shared/ports/queue.js';
import type { BrokerCore } from './broker-core.js';
import { EmbeddedQueueClient } from './client.js';
import { resolveQueueOptions, type QueueOptions } from './queue-options.js';
import { QueueState, type QueueCounts } from './queue-state.js';

export interface EmbeddedBrokerOptions {
  /** Epoch milliseconds; defaults to Date.now. Pass manualClock().now to move time by hand. */
  clock?: () => number;
  /** Queues to declare up front. */
  queues?: Readonly<Record<string, QueueOptions>>;
}

export class EmbeddedBroker implements BrokerCore {
  readonly now: () => number;
  private readonly queues = new Map<string, QueueState>();
  private readonly waiters = new Set<() => void>();
  private receiverIds = 0;

  constructor(options: EmbeddedBrokerOptions = {}) {
    this.now = options.clock ?? Date.now;
    for (const [name, queueOptions] of Object.entries(options.queues ?? {})) this.declareQueue(name, queueOptions);
  }

  /** Idempotent for the same options; declaring a queue again with other options is a mistake. */
  declareQueue(name: string, options: QueueOptions): void {
    const resolved = resolveQueueOptions(options);
    const existing = this.queues.get(name);
    if (existing) {
      if (JSON.stringify(existing.options) !== JSON.stringify(resolved)) {
        throw new InvalidQueueOperationError(`queue ${name} is already declared with other options`);
      }
      return;
    }
    this.queues.set(name, new QueueState(name, resolved));
  }

  queueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  counts(queue: string): QueueCounts {
    return this.queue(queue).counts(this.now());
  }

  /** True when nothing is in flight: no deliverable, locked or scheduled message (dead letters do not count). */
  idle(queue?: string): boolean {
    const names = queue === undefined ? [...this.queues.keys()] : [queue];
    return names.every((name) => {
      const counts = this.counts(name);
      return counts.active + counts.locked + counts.scheduled === 0;
    });
  }

  /** Resolves true as soon as idle(queue), false after timeoutMs of real time. */
  async whenIdle(queue: string | undefined, timeoutMs: number): Promise<boolean> {
    return (await this.waitUntil(() => (this.idle(queue) ? true : undefined), timeoutMs)) ?? false;
  }

  /** Applies the clock's current time (lock expiry, scheduled messages) and wakes waiting receivers.
   *  Call after advancing a manual clock. */
  wake(): void {
    const now = this.now();
    for (const queue of this.queues.values()) queue.sweep(now);
    this.changed();
  }

  /** A QueueClient on this broker; closing it releases only its own receivers. */
  client(): EmbeddedQueueClient {
    return new EmbeddedQueueClient(this);
  }

  /** @internal Throws QueueNotFoundError. */
  queue(name: string): QueueState {
    const queue = this.queues.get(name);
    if (!queue) throw new QueueNotFoundError(name);
    return queue;
  }

  /** @internal */
  newReceiverId(): number {
    return ++this.receiverIds;
  }

  /** @internal */
  changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** @internal */
  async waitUntil<T>(attempt: () => T | undefined, maxWaitMs: number): Promise<T | undefined> {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      const result = attempt();
      if (result !== undefined) return result;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return undefined;
      const dueIn = this.nextDueAt() - this.now();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(1, Math.min(remaining, dueIn)));
        this.waiters.add(done);
      });
    }
  }

  private nextDueAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const queue of this.queues.values()) next = Math.min(next, queue.nextDueAt());
    return next;
  }
}
