// QueueClient over Azure Service Bus (@azure/service-bus 7.9): peek-lock receivers, session receivers,
// atomic batches (one AMQP batch message: all or nothing), dead-letter sub-queue (peek; receive in
// dead-letter-receiver.ts). Lock auto-renewal is off by default so lock duration means the same here as in the
// embedded queue. The transport (AMQP on 5671, or WebSockets on 443 through an optional proxy) is chosen in
// transport-options.ts.
import {
  isServiceBusError,
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSender,
  type ServiceBusSessionReceiver,
} from '@azure/service-bus';
import type { TokenCredential } from '@azure/identity';
import {
  BatchTooLargeError,
  InvalidQueueOperationError,
  MessageLockLostError,
  MessageTooLargeError,
  SessionLockLostError,
  messageSize,
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
} from '../../ports/queue.js';
import { ServiceBusDeadLetterReceiver } from './dead-letter-receiver.js';
import { mapServiceBusError, mapped } from './errors.js';
import { fromDeadLetteredMessage, fromServiceBusMessage, toServiceBusMessage } from './message-mapping.js';
import { serviceBusClientOptions, type ServiceBusTransport } from './transport-options.js';

export type ServiceBusConnection =
  | { connectionString: string }
  /** Production: managed identity (ManagedIdentityCredential / DefaultAzureCredential), no SAS keys. */
  | { fullyQualifiedNamespace: string; credential: TokenCredential };

export interface ServiceBusQueueOptions {
  /** How long the SDK keeps renewing message and session locks; 0 (default) = never. */
  maxAutoLockRenewalDurationMs?: number;
  /** Receives and session accepts wait at least this long: over the network a 0 wait returns before
   *  anything can arrive. Default 1000. */
  minWaitMs?: number;
  /** AMQP on 5671 (default) or AMQP over WebSockets on 443, optionally through a proxy. */
  transport?: ServiceBusTransport;
}

interface Closable {
  close(): Promise<void>;
}

class ServiceBusQueueSender implements QueueSender {
  constructor(
    private readonly sdk: ServiceBusSender,
    private readonly queue: string,
  ) {}

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const total = validateSend(messages);
    const first = messages[0]!.messageId;
    const batch = await mapped({ queue: this.queue, messageId: first }, () => this.sdk.createMessageBatch());
    for (const message of messages) {
      // messageSize() bounds the SDK's measure from above; this only trips when the link allows less.
      if (!batch.tryAddMessage(toServiceBusMessage(message))) {
        throw messages.length === 1
          ? new MessageTooLargeError(message.messageId, messageSize(message))
          : new BatchTooLargeError(messages.length, total);
      }
    }
    await mapped({ queue: this.queue, messageId: first }, () => this.sdk.sendMessages(batch));
  }

  close(): Promise<void> {
    return this.sdk.close();
  }
}

class ServiceBusQueueReceiver implements QueueReceiver {
  private readonly originals = new WeakMap<ReceivedMessage, ServiceBusReceivedMessage>();
  private readonly settled = new WeakSet<ReceivedMessage>();
  private closed = false;

  constructor(
    protected readonly sdk: ServiceBusReceiver,
    protected readonly queue: string,
    private readonly minWaitMs: number,
    protected readonly session: string | undefined,
  ) {}

  async receive(max: number, maxWaitMs: number): Promise<ReceivedMessage[]> {
    if (this.closed) throw new InvalidQueueOperationError(`receiver for ${this.queue} is closed`);
    const context = this.context();
    const messages = await mapped(context, () =>
      this.sdk.receiveMessages(max, { maxWaitTimeInMs: Math.max(maxWaitMs, this.minWaitMs) }),
    );
    return messages.map((original) => {
      const received = fromServiceBusMessage(original);
      this.originals.set(received, original);
      return received;
    });
  }

  complete(message: ReceivedMessage): Promise<void> {
    return this.settle(message, (original) => this.sdk.completeMessage(original));
  }

  abandon(message: ReceivedMessage): Promise<void> {
    return this.settle(message, (original) => this.sdk.abandonMessage(original));
  }

  deadLetter(message: ReceivedMessage, info: DeadLetterInfo): Promise<void> {
    return this.settle(message, (original) =>
      this.sdk.deadLetterMessage(original, {
        deadLetterReason: info.reason,
        deadLetterErrorDescription: info.description,
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sdk.close();
  }

  private async settle(message: ReceivedMessage, action: (original: ServiceBusReceivedMessage) => Promise<void>): Promise<void> {
    const original = this.originals.get(message);
    // Settled twice, settled on a closed receiver, or not received here: the lock is not ours.
    if (!original || this.settled.has(message) || this.closed) {
      throw this.session === undefined
        ? new MessageLockLostError(message.messageId)
        : new SessionLockLostError(this.session, message.messageId);
    }
    await mapped(this.context(message.messageId), () => action(original));
    this.settled.add(message);
  }

  private context(messageId?: string): { queue: string; messageId?: string; sessionId?: string } {
    const context: { queue: string; messageId?: string; sessionId?: string } = { queue: this.queue };
    if (messageId !== undefined) context.messageId = messageId;
    if (this.session !== undefined) context.sessionId = this.session;
    return context;
  }
}

class ServiceBusQueueSessionReceiver extends ServiceBusQueueReceiver implements SessionReceiver {
  constructor(
    private readonly sessionSdk: ServiceBusSessionReceiver,
    queue: string,
    minWaitMs: number,
  ) {
    super(sessionSdk, queue, minWaitMs, sessionSdk.sessionId);
  }

  get sessionId(): string {
    return this.sessionSdk.sessionId;
  }

  renewSessionLock(): Promise<Date> {
    return mapped({ queue: this.queue, sessionId: this.sessionId }, () => this.sessionSdk.renewSessionLock());
  }
}

export class ServiceBusQueueClient implements QueueClient {
  private readonly open = new Set<Closable>();
  private readonly lockRenewalMs: number;
  private readonly minWaitMs: number;

  /** `ownsClient`: close() also closes the ServiceBusClient (true when created by createServiceBusQueueClient). */
  constructor(
    private readonly sb: ServiceBusClient,
    options: ServiceBusQueueOptions = {},
    private readonly ownsClient = false,
  ) {
    this.lockRenewalMs = options.maxAutoLockRenewalDurationMs ?? 0;
    this.minWaitMs = options.minWaitMs ?? 1000;
  }

  sender(queue: string): QueueSender {
    return this.track(new ServiceBusQueueSender(this.sb.createSender(queue), queue));
  }

  receiver(queue: string): QueueReceiver {
    const sdk = this.sb.createReceiver(queue, {
      receiveMode: 'peekLock',
      maxAutoLockRenewalDurationInMs: this.lockRenewalMs,
    });
    return this.track(new ServiceBusQueueReceiver(sdk, queue, this.minWaitMs, undefined));
  }

  async acceptNextSession(queue: string, maxWaitMs: number): Promise<SessionReceiver | null> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(maxWaitMs, this.minWaitMs));
    try {
      const sdk = await this.sb.acceptNextSession(queue, {
        receiveMode: 'peekLock',
        maxAutoLockRenewalDurationInMs: this.lockRenewalMs,
        abortSignal: abort.signal,
      });
      return this.track(new ServiceBusQueueSessionReceiver(sdk, queue, this.minWaitMs));
    } catch (error) {
      const noSession =
        abort.signal.aborted ||
        (isServiceBusError(error) && (error.code === 'SessionCannotBeLocked' || error.code === 'ServiceTimeout'));
      if (noSession) return null;
      throw mapServiceBusError(error, { queue });
    } finally {
      clearTimeout(timer);
    }
  }

  async peekDeadLetters(queue: string, max: number): Promise<DeadLetteredMessage[]> {
    const receiver = this.sb.createReceiver(queue, { subQueueType: 'deadLetter', receiveMode: 'peekLock' });
    try {
      const found: DeadLetteredMessage[] = [];
      while (found.length < max) {
        const page = await mapped({ queue }, () => receiver.peekMessages(max - found.length));
        if (page.length === 0) break;
        found.push(...page.map(fromDeadLetteredMessage));
      }
      return found;
    } finally {
      await receiver.close();
    }
  }

  deadLetterReceiver(queue: string): DeadLetterReceiver {
    const sdk = this.sb.createReceiver(queue, { subQueueType: 'deadLetter', receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: this.lockRenewalMs });
    return this.track(new ServiceBusDeadLetterReceiver(sdk, queue, this.minWaitMs));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((item) => item.close()));
    this.open.clear();
    if (this.ownsClient) await this.sb.close();
  }

  private track<T extends Closable>(item: T): T {
    this.open.add(item);
    return item;
  }
}

export function createServiceBusQueueClient(
  connection: ServiceBusConnection,
  options: ServiceBusQueueOptions = {},
): ServiceBusQueueClient {
  const clientOptions = serviceBusClientOptions(options.transport);
  const sb =
    'connectionString' in connection
      ? new ServiceBusClient(connection.connectionString, clientOptions)
      : new ServiceBusClient(connection.fullyQualifiedNamespace, connection.credential, clientOptions);
  return new ServiceBusQueueClient(sb, options, true);
}
