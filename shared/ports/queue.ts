// The queue port: the subset of Azure Service Bus semantics the product relies on. Implemented by
// shared/adapters/embedded-queue (local, tests) and shared/adapters/servicebus (Azure). One contract
// suite (test/integration/queue-contract.test.ts) runs against both.

export const MAX_MESSAGE_BYTES = 256 * 1024; // Service Bus Standard

export interface OutgoingMessage {
  /** Duplicate detection key (<= 128 chars). */
  messageId: string;
  /** Required on session-enabled queues (<= 128 chars). */
  sessionId?: string;
  /** JSON-serialisable body. */
  body: unknown;
  subject?: string;
  applicationProperties?: Record<string, string | number | boolean>;
  /** Not visible to receivers before this time. */
  scheduledEnqueueTimeUtc?: Date;
}

export interface ReceivedMessage {
  messageId: string;
  sessionId?: string;
  body: unknown;
  subject?: string;
  applicationProperties: Record<string, string | number | boolean>;
  /** 1 on first delivery. */
  deliveryCount: number;
  enqueuedTimeUtc: Date;
  sequenceNumber: bigint;
  lockedUntilUtc: Date;
}

export interface DeadLetterInfo {
  reason: string;
  description: string;
}

export interface DeadLetteredMessage extends ReceivedMessage {
  deadLetterReason: string;
  deadLetterDescription: string;
}

/** Settlement of a peek-locked message. Settling after the lock expired throws MessageLockLostError. */
export interface Settler {
  complete(message: ReceivedMessage): Promise<void>;
  abandon(message: ReceivedMessage): Promise<void>;
  deadLetter(message: ReceivedMessage, info: DeadLetterInfo): Promise<void>;
}

export interface QueueSender {
  /** All or nothing: a batch that cannot be sent whole throws and sends nothing. A message over
   *  MAX_MESSAGE_BYTES throws MessageTooLargeError. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface QueueReceiver extends Settler {
  /** Peek-lock up to `max` messages, waiting up to `maxWaitMs` for the first. */
  receive(max: number, maxWaitMs: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

export interface SessionReceiver extends QueueReceiver {
  readonly sessionId: string;
  /** Extends the session lock (messages of a session are only delivered to its holder). */
  renewSessionLock(): Promise<Date>;
}

export interface QueueClient {
  sender(queue: string): QueueSender;
  /** For queues without sessions. */
  receiver(queue: string): QueueReceiver;
  /** Locks the next session with available messages; null when none arrives within maxWaitMs. */
  acceptNextSession(queue: string, maxWaitMs: number): Promise<SessionReceiver | null>;
  /** Reads (without removing) the dead-letter sub-queue. */
  peekDeadLetters(queue: string, max: number): Promise<DeadLetteredMessage[]>;
  close(): Promise<void>;
}

export class MessageTooLargeError extends Error {
  constructor(readonly messageId: string, readonly bytes: number) {
    super(`message ${messageId} is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes (nothing was sent)`);
    this.name = 'MessageTooLargeError';
  }
}

export class MessageLockLostError extends Error {
  constructor(readonly messageId: string) {
    super(`the lock on message ${messageId} was lost (expired or already settled)`);
    this.name = 'MessageLockLostError';
  }
}

export class SessionCannotBeLockedError extends Error {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} is locked by another receiver`);
    this.name = 'SessionCannotBeLockedError';
  }
}
