// Runs a Service Bus queue-triggered function from a QueueClient (the embedded queue locally) with the
// Functions trigger's semantics: peek-lock one message, call the handler with the body, complete on success,
// abandon on a throw (the queue dead-letters after MaxDeliveryCount), and dead-letter at once with the reason
// on PoisonMessageError (the local stand-in for message actions; see shared/contracts/poison.ts).
// Session queues: accept the next session with messages, process its messages one by one in order, keep the
// session lock renewed while a handler runs, release the session when it is empty.
// One message at a time per queue (maxConcurrentCalls = 1, maxConcurrentSessions = 1): deterministic order.
import { randomUUID } from 'node:crypto';
import { InvocationContext } from './azure-functions-classes.js';
import type { ServiceBusQueueFunctionDefinition } from '../../functions/registry.js';
import { PoisonMessageError } from '../../shared/contracts/poison.js';
import type { Logger } from '../../shared/logging.js';
import type { QueueClient, QueueReceiver, ReceivedMessage, SessionReceiver } from '../../shared/ports/queue.js';
import { sleep } from '../../shared/timers.js';

export interface QueuePumpOptions {
  def: ServiceBusQueueFunctionDefinition;
  /** Resolved queue name. */
  queueName: string;
  queue: QueueClient;
  /** How long one receive waits for a message (also the shutdown latency). */
  pollMs: number;
  log: Logger;
  track<T>(work: () => Promise<T>): Promise<T>;
}

export type Settlement = 'completed' | 'abandoned' | 'deadLettered';

function isPoison(err: unknown): err is PoisonMessageError {
  return err instanceof PoisonMessageError || (err as { name?: unknown } | null)?.name === 'PoisonMessageError';
}

export class QueuePump {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly log: Logger;
  /** Called after each settlement (tests and the scenario runner observe progress). */
  onSettled: ((message: ReceivedMessage, settlement: Settlement) => void) | undefined;

  constructor(private readonly opts: QueuePumpOptions) {
    this.log = opts.log.child({ fn: opts.def.name, queue: opts.queueName });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (this.opts.def.trigger.isSessionsEnabled ? this.sessionLoop() : this.plainLoop()).catch((err: unknown) => {
      this.log.error({ err }, 'queue pump stopped by an error');
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async backoff(err: unknown): Promise<void> {
    this.log.warn({ err }, 'receive failed; retrying');
    await sleep(this.opts.pollMs);
  }

  private async plainLoop(): Promise<void> {
    let receiver: QueueReceiver | undefined;
    try {
      while (this.running) {
        try {
          receiver ??= this.opts.queue.receiver(this.opts.queueName);
          const [message] = await receiver.receive(1, this.opts.pollMs);
          if (message !== undefined) await this.process(message, receiver, undefined);
        } catch (err) {
          // Start over with a fresh receiver: the old one may be closed or broken.
          await receiver?.close().catch(() => undefined);
          receiver = undefined;
          await this.backoff(err);
        }
      }
    } finally {
      await receiver?.close();
    }
  }

  private async sessionLoop(): Promise<void> {
    while (this.running) {
      let session: SessionReceiver | null = null;
      try {
        session = await this.opts.queue.acceptNextSession(this.opts.queueName, this.opts.pollMs);
        if (session === null) continue;
        while (this.running) {
          const [message] = await session.receive(1, Math.min(this.opts.pollMs, 250));
          if (message === undefined) break;
          await this.process(message, session, session);
        }
      } catch (err) {
        await this.backoff(err);
      } finally {
        await session?.close().catch(() => undefined);
      }
    }
  }

  private async process(message: ReceivedMessage, settler: QueueReceiver, session: SessionReceiver | undefined): Promise<Settlement> {
    const invocationId = randomUUID();
    const log = this.log.child({ invocationId, messageId: message.messageId, deliveryCount: message.deliveryCount });
    const context = new InvocationContext({
      invocationId,
      functionName: this.opts.def.name,
      logHandler: (level, ...args) => log.info({ level }, args.map(String).join(' ')),
      triggerMetadata: {
        messageId: message.messageId,
        deliveryCount: message.deliveryCount,
        sessionId: message.sessionId,
        subject: message.subject,
        enqueuedTimeUtc: message.enqueuedTimeUtc.toISOString(),
        sequenceNumber: message.sequenceNumber.toString(),
        applicationProperties: message.applicationProperties,
      },
    });
    return this.opts.track(async () => {
      const renewal = session === undefined ? undefined : this.keepSessionLocked(session, message.lockedUntilUtc, log);
      let settlement: Settlement = 'completed';
      let poison: PoisonMessageError | undefined;
      try {
        await this.opts.def.handler(message.body, context);
      } catch (err) {
        if (isPoison(err)) {
          poison = err;
          settlement = 'deadLettered';
          log.warn({ reason: err.reason, description: err.description }, 'poison message; dead-lettering');
        } else {
          settlement = 'abandoned';
          log.warn({ err }, 'handler threw; abandoning');
        }
      } finally {
        renewal?.stop();
      }
      if (poison !== undefined) {
        const info = { reason: poison.reason, description: poison.description };
        await this.settle(() => settler.deadLetter(message, info), log);
      } else if (settlement === 'completed') {
        await this.settle(() => settler.complete(message), log);
      } else {
        await this.settle(() => settler.abandon(message), log);
      }
      this.onSettled?.(message, settlement);
      return settlement;
    });
  }

  private async settle(action: () => Promise<void>, log: Logger): Promise<void> {
    try {
      await action();
    } catch (err) {
      // Lock lost: the message comes back with a higher delivery count, as in Azure.
      log.warn({ err }, 'settlement failed');
    }
  }

  /** Renews the session lock at half its remaining time while a handler runs (Functions auto-renews). */
  private keepSessionLocked(session: SessionReceiver, lockedUntil: Date, log: Logger): { stop(): void } {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = (until: Date): void => {
      if (stopped) return;
      const delay = Math.max(100, (until.getTime() - Date.now()) / 2);
      timer = setTimeout(() => {
        session.renewSessionLock().then(schedule, (err: unknown) => log.warn({ err }, 'session lock renewal failed'));
      }, delay);
      timer.unref();
    };
    schedule(lockedUntil);
    return {
      stop() {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
      },
    };
  }
}
