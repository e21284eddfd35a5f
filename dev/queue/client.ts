// QueueClient over the embedded broker: senders, peek-lock receivers and session receivers.
import {
  InvalidQueueOperationError,
  validateSend,
  type DeadLetterInfo,
  type DeadLetterReceiver,
  type DeadLetteredMessage,
  type OutgoingMessage,
  type QueueClient,
  type QueueReceiver,
  type QueueSender,
  type ReceivedMessage,
  type SessionReceiver,
} from '../../shared/ports/queue.js';
import type { BrokerCore } from './broker-core.js';
import type { DeadLetter, Delivery, Settlement, StoredMessage } from './queue-state.js';

interface Closable {
  close(): Promise<void>;
}

function toReceived(message: StoredMessage, lockedUntil: number): ReceivedMessage {
  const received: ReceivedMessage = {
    messageId: message.messageId,
    // Parsed per delivery, so a receiver cannot change what the next one gets.
    body: JSON.parse(message.bodyJson) as unknown,
    applicationProperties: { ...message.applicationProperties },
    deliveryCount: message.failedDeliveries + 1,
    enqueuedTimeUtc: new Date(message.enqueuedAt),
    sequenceNumber: message.sequenceNumber,
    lockedUntilUtc: new Date(lockedUntil),
  };
  if (message.sessionId !== undefined) received.sessionId = message.sessionId;
  if (message.subject !== undefined) received.subject = message.subject;
  return received;
}

function toDeadLettered(dead: DeadLetter, lockedUntil: number): DeadLetteredMessage {
  return {
    ...toReceived(dead.message, lockedUntil),
    deliveryCount: dead.deliveryCount,
    deadLetterReason: dead.reason,
    deadLetterDescription: dead.description,
  };
}

function checkMax(max: number): void {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
}

class EmbeddedSender implements QueueSender {
  private closed = false;

  constructor(
    private readonly broker: BrokerCore,
    private readonly queueName: string,
  ) {}

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new InvalidQueueOperationError(`sender for ${this.queueName} is closed`);
    if (messages.length === 0) return;
    validateSend(messages);
    this.broker.queue(this.queueName).send(messages, this.broker.now());
    this.broker.changed();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

class EmbeddedReceiver implements QueueReceiver {
  protected closed = false;
  protected readonly id: number;
  private readonly deliveries = new WeakMap<ReceivedMessage, { sequenceNumber: bigint; token: number }>();

  constructor(
    protected readonly broker: BrokerCore,
    protected readonly queueName: string,
    /** Set for session receivers. */
    protected readonly session: string | undefined,
    id?: number,
  ) {
    this.id = id ?? broker.newReceiverId();
  }

  async receive(max: number, maxWaitMs: number): Promise<ReceivedMessage[]> {
    checkMax(max);
    if (this.closed) throw new InvalidQueueOperationError(`receiver for ${this.queueName} is closed`);
    const queue = this.broker.queue(this.queueName);
    const deliveries = await this.broker.waitUntil<Delivery[]>(() => {
      if (this.closed) return [];
      const now = this.broker.now();
      const taken =
        this.session === undefined
          ? queue.receive(this.id, max, now)
          : queue.receiveFromSession(this.id, this.session, max, now);
      return taken.length > 0 ? taken : undefined;
    }, maxWaitMs);
    return (deliveries ?? []).map((delivery) => {
      const received = toReceived(delivery.message, delivery.lockedUntil);
      this.deliveries.set(received, { sequenceNumber: delivery.message.sequenceNumber, token: delivery.token });
      return received;
    });
  }

  complete(message: ReceivedMessage): Promise<void> {
    return this.settle(message, { kind: 'complete' });
  }

  abandon(message: ReceivedMessage): Promise<void> {
    return this.settle(message, { kind: 'abandon' });
  }

  deadLetter(message: ReceivedMessage, info: DeadLetterInfo): Promise<void> {
    return this.settle(message, { kind: 'deadLetter', info: { reason: info.reason, description: info.description } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broker.queue(this.queueName).release(this.id, this.broker.now());
    this.broker.changed();
  }

  private async settle(message: ReceivedMessage, settlement: Settlement): Promise<void> {
    // A message from another receiver is settled as Service Bus does it: the lock token does not match.
    const delivery = this.deliveries.get(message) ?? { sequenceNumber: message.sequenceNumber, token: -1 };
    this.broker
      .queue(this.queueName)
      .settle(this.id, this.session, { messageId: message.messageId, ...delivery }, settlement, this.broker.now());
    this.broker.changed();
  }
}

class EmbeddedDeadLetterReceiver implements DeadLetterReceiver {
  private closed = false;
  private readonly id: number;
  private readonly tokens = new WeakMap<DeadLetteredMessage, number>();

  constructor(
    private readonly broker: BrokerCore,
    private readonly queueName: string,
  ) {
    this.id = broker.newReceiverId();
  }

  async receive(max: number, maxWaitMs: number): Promise<DeadLetteredMessage[]> {
    checkMax(max);
    if (this.closed) throw new InvalidQueueOperationError(`dead-letter receiver for ${this.queueName} is closed`);
    const queue = this.broker.queue(this.queueName);
    const deliveries = await this.broker.waitUntil(() => {
      if (this.closed) return [];
      const taken = queue.receiveDeadLetters(this.id, max, this.broker.now());
      return taken.length > 0 ? taken : undefined;
    }, maxWaitMs);
    return (deliveries ?? []).map((delivery) => {
      const received = toDeadLettered(delivery.deadLetter, delivery.lockedUntil);
      this.tokens.set(received, delivery.token);
      return received;
    });
  }

  complete(message: DeadLetteredMessage): Promise<void> {
    return this.settle(message, 'complete');
  }

  abandon(message: DeadLetteredMessage): Promise<void> {
    return this.settle(message, 'abandon');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broker.queue(this.queueName).release(this.id, this.broker.now());
    this.broker.changed();
  }

  private async settle(message: DeadLetteredMessage, kind: 'complete' | 'abandon'): Promise<void> {
    const token = this.tokens.get(message) ?? -1;
    this.broker.queue(this.queueName).settleDeadLetter(this.id, { messageId: message.messageId, sequenceNumber: message.sequenceNumber, token }, kind, this.broker.now());
    this.broker.changed();
  }
}

class EmbeddedSessionReceiver extends EmbeddedReceiver implements SessionReceiver {
  constructor(broker: BrokerCore, queueName: string, readonly sessionId: string, id: number) {
    super(broker, queueName, sessionId, id);
  }

  async renewSessionLock(): Promise<Date> {
    return new Date(this.broker.queue(this.queueName).renewSessionLock(this.id, this.sessionId, this.broker.now()));
  }
}

export class EmbeddedQueueClient implements QueueClient {
  private closed = false;
  private readonly open = new Set<Closable>();

  constructor(private readonly broker: BrokerCore) {}

  sender(queue: string): QueueSender {
    return this.track(new EmbeddedSender(this.broker, queue));
  }

  receiver(queue: string): QueueReceiver {
    return this.track(new EmbeddedReceiver(this.broker, queue, undefined));
  }

  async acceptNextSession(queue: string, maxWaitMs: number): Promise<SessionReceiver | null> {
    this.checkOpen();
    const state = this.broker.queue(queue);
    const receiverId = this.broker.newReceiverId();
    const accepted = await this.broker.waitUntil(
      () => (this.closed ? null : state.acceptNextSession(receiverId, this.broker.now())),
      maxWaitMs,
    );
    if (!accepted) return null;
    return this.track(new EmbeddedSessionReceiver(this.broker, queue, accepted.sessionId, receiverId));
  }

  async peekDeadLetters(queue: string, max: number): Promise<DeadLetteredMessage[]> {
    checkMax(max);
    this.checkOpen();
    return this.broker
      .queue(queue)
      .peekDeadLetters(max)
      .map((dead) => toDeadLettered(dead, 0));
  }

  deadLetterReceiver(queue: string): DeadLetterReceiver {
    return this.track(new EmbeddedDeadLetterReceiver(this.broker, queue));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.open].map((item) => item.close()));
    this.open.clear();
  }

  /** Senders and receivers not closed yet (a long-running consumer opens one per accepted session). */
  get openCount(): number {
    return this.open.size;
  }

  private track<T extends Closable>(item: T): T {
    this.checkOpen();
    this.open.add(item);
    // Forget an item once it is closed, so a client that accepts sessions for days does not grow.
    const close = item.close.bind(item);
    item.close = async (): Promise<void> => {
      this.open.delete(item);
      await close();
    };
    return item;
  }

  private checkOpen(): void {
    if (this.closed) throw new InvalidQueueOperationError('the queue client is closed');
  }
}
