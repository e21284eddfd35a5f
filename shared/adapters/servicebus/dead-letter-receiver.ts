// A peek-lock receiver on a queue's dead-letter sub-queue over Service Bus (createReceiver with subQueueType
// 'deadLetter'; no session is accepted there, also on a session queue). An admin resubmits a dead letter with it:
// send a copy to the queue, then complete the dead letter (shared/app/dead-letters/).
import type { ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import { InvalidQueueOperationError, MessageLockLostError, type DeadLetteredMessage, type DeadLetterReceiver } from '../../ports/queue.js';
import { mapped } from './errors.js';
import { fromDeadLetteredMessage } from './message-mapping.js';

export class ServiceBusDeadLetterReceiver implements DeadLetterReceiver {
  private readonly originals = new WeakMap<DeadLetteredMessage, ServiceBusReceivedMessage>();
  private readonly settled = new WeakSet<DeadLetteredMessage>();
  private closed = false;

  constructor(
    private readonly sdk: ServiceBusReceiver,
    private readonly queue: string,
    private readonly minWaitMs: number,
  ) {}

  async receive(max: number, maxWaitMs: number): Promise<DeadLetteredMessage[]> {
    if (this.closed) throw new InvalidQueueOperationError(`dead-letter receiver for ${this.queue} is closed`);
    const messages = await mapped({ queue: this.queue }, () => this.sdk.receiveMessages(max, { maxWaitTimeInMs: Math.max(maxWaitMs, this.minWaitMs) }));
    return messages.map((original) => {
      const received = fromDeadLetteredMessage(original);
      this.originals.set(received, original);
      return received;
    });
  }

  complete(message: DeadLetteredMessage): Promise<void> {
    return this.settle(message, (original) => this.sdk.completeMessage(original));
  }

  abandon(message: DeadLetteredMessage): Promise<void> {
    return this.settle(message, (original) => this.sdk.abandonMessage(original));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sdk.close();
  }

  private async settle(message: DeadLetteredMessage, action: (original: ServiceBusReceivedMessage) => Promise<void>): Promise<void> {
    const original = this.originals.get(message);
    // Settled twice, settled on a closed receiver, or not received here: the lock is not ours.
    if (!original || this.settled.has(message) || this.closed) throw new MessageLockLostError(message.messageId);
    await mapped({ queue: this.queue, messageId: message.messageId }, () => action(original));
    this.settled.add(message);
  }
}
