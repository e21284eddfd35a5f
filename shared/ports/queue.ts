// The queue port: the subset of Azure Service Bus semantics the product relies on. Implemented by
// dev/queue (embedded, local runs and tests) and shared/adapters/servicebus (Azure). One contract
// suite (test/integration/queue-contract.test.ts) runs against both.
import { SERVICE_BUS_MESSAGE_BYTES } from '../domain/limits.js';
import { utf8Length } from '../domain/text.js';

/** Service Bus limit for messageId and sessionId. */
export const MAX_ID_LENGTH = 128;
/** Room kept for AMQP framing in messageSize(): the SDK encodes a one-message batch in an envelope that
 *  repeats the first message's properties. Measured against rhea's encoder: actual <= messageSize - 440. */
export const MESSAGE_FRAMING_RESERVE_BYTES = 512;
/** Service Bus header limits (SerializationException beyond): each application property, and the whole
 *  header (application and system properties). */
export const MAX_APPLICATION_PROPERTY_BYTES = 32 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;

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
  /** A dead letter shows the same number to peekDeadLetters and to a DeadLetterReceiver. */
  sequenceNumber: bigint;
  /** For peeked messages (peekDeadLetters), which hold no lock: the epoch. */
  lockedUntilUtc: Date;
}

export interface DeadLetterInfo {
  reason: string;
  description: string;
}

/** Dead-letter reasons Service Bus sets itself. */
export const DEAD_LETTER_MAX_DELIVERY = 'MaxDeliveryCountExceeded';
export const DEAD_LETTER_TTL_EXPIRED = 'TTLExpiredException';

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
   *  SERVICE_BUS_MESSAGE_BYTES (see messageSize) throws MessageTooLargeError; messages that fit alone but not
   *  together throw BatchTooLargeError; a message Service Bus would refuse throws InvalidMessageError
   *  (also: no sessionId on a session queue, properties over the header limits). A duplicate messageId
   *  inside the queue's duplicate detection window is accepted and silently dropped. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface QueueReceiver extends Settler {
  /** Peek-lock up to `max` messages, waiting up to `maxWaitMs` for the first. */
  receive(max: number, maxWaitMs: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

/** A peek-lock receiver on a queue's dead-letter sub-queue (sessions do not apply there, also on a session
 *  queue). complete removes a message for good; abandon leaves it there with deliveryCount + 1 (a dead letter is
 *  never dead-lettered again). Settling after the lock expired throws MessageLockLostError. */
export interface DeadLetterReceiver {
  /** Peek-lock up to `max` dead letters, oldest first, waiting up to `maxWaitMs` for the first. */
  receive(max: number, maxWaitMs: number): Promise<DeadLetteredMessage[]>;
  complete(message: DeadLetteredMessage): Promise<void>;
  abandon(message: DeadLetteredMessage): Promise<void>;
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
  /** Receives from the dead-letter sub-queue (an admin resubmits or removes a dead letter). */
  deadLetterReceiver(queue: string): DeadLetterReceiver;
  close(): Promise<void>;
}

export class MessageTooLargeError extends Error {
  constructor(readonly messageId: string, readonly bytes: number) {
    super(`message ${messageId} is ${bytes} bytes; the limit is ${SERVICE_BUS_MESSAGE_BYTES} bytes (nothing was sent)`);
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

/** A message that Service Bus would refuse: missing/overlong ids, body not JSON, bad or oversize property. */
export class InvalidMessageError extends Error {
  constructor(readonly messageId: string, readonly reason: string) {
    super(`message ${messageId} is invalid: ${reason} (nothing was sent)`);
    this.name = 'InvalidMessageError';
  }
}

/** Every message fits, but together they do not fit in one atomic send. Split the send (splitForSend). */
export class BatchTooLargeError extends Error {
  constructor(readonly count: number, readonly bytes: number) {
    super(`${count} messages need ${bytes} bytes in one send; the limit is ${SERVICE_BUS_MESSAGE_BYTES} bytes (nothing was sent)`);
    this.name = 'BatchTooLargeError';
  }
}

/** The session lock expired or the session receiver was closed. A MessageLockLostError, so one catch covers both. */
export class SessionLockLostError extends MessageLockLostError {
  constructor(readonly sessionId: string, messageId = '') {
    super(messageId);
    this.message = `the lock on session ${sessionId} was lost (expired or the receiver was closed)`;
    this.name = 'SessionLockLostError';
  }
}

export class QueueNotFoundError extends Error {
  constructor(readonly queue: string) {
    super(`queue ${queue} does not exist`);
    this.name = 'QueueNotFoundError';
  }
}

/** An operation the queue does not allow, e.g. a plain receiver on a session queue (as Service Bus refuses). */
export class InvalidQueueOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueueOperationError';
  }
}

/** The message body as it travels (JSON, as the Service Bus SDK encodes a non-binary body). */
export function serializeBody(message: OutgoingMessage): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(message.body);
  } catch (error) {
    throw new InvalidMessageError(message.messageId, `body is not JSON-serialisable (${(error as Error).message})`);
  }
  if (json === undefined) throw new InvalidMessageError(message.messageId, 'body is not JSON-serialisable');
  return json;
}

/** AMQP-encoded bytes of a string (an upper bound: the longest length prefix). */
function encodedText(value: string): number {
  return utf8Length(value) + 5;
}

/** Encoded bytes of one application property, key and value. */
function propertyBytes(key: string, value: string | number | boolean): number {
  return encodedText(key) + (typeof value === 'string' ? encodedText(value) : typeof value === 'number' ? 9 : 1);
}

/** Encoded bytes of the properties a sender sets: ids, subject, schedule and application properties. */
function headerBytes(message: OutgoingMessage): number {
  let bytes = encodedText(message.messageId);
  if (message.sessionId !== undefined) bytes += encodedText(message.sessionId);
  if (message.subject !== undefined) bytes += encodedText(message.subject);
  if (message.scheduledEnqueueTimeUtc !== undefined) bytes += 39;
  for (const [key, value] of Object.entries(message.applicationProperties ?? {})) bytes += propertyBytes(key, value);
  return bytes;
}

/** Bytes a message counts against SERVICE_BUS_MESSAGE_BYTES: the JSON body, the properties (twice, as the SDK's
 *  batch envelope repeats them) and a framing reserve. An upper bound of what Service Bus measures, so
 *  whatever the embedded queue accepts, Service Bus accepts too. */
export function messageSize(message: OutgoingMessage): number {
  return utf8Length(serializeBody(message)) + 2 * headerBytes(message) + MESSAGE_FRAMING_RESERVE_BYTES;
}

/** Checks what Service Bus (or its SDK) would refuse, before anything is sent. Throws InvalidMessageError
 *  or MessageTooLargeError; returns the message's size. */
export function validateOutgoingMessage(message: OutgoingMessage): number {
  const id = message.messageId;
  if (typeof id !== 'string' || id.length === 0) throw new InvalidMessageError(String(id), 'messageId is required');
  if (id.length > MAX_ID_LENGTH) throw new InvalidMessageError(id, `messageId is longer than ${MAX_ID_LENGTH} characters`);
  if (message.sessionId !== undefined) {
    if (message.sessionId.length === 0) throw new InvalidMessageError(id, 'sessionId is empty');
    if (message.sessionId.length > MAX_ID_LENGTH) {
      throw new InvalidMessageError(id, `sessionId is longer than ${MAX_ID_LENGTH} characters`);
    }
  }
  for (const [key, value] of Object.entries(message.applicationProperties ?? {})) {
    // The AMQP encoder cannot write non-finite numbers or integers beyond 64 bits.
    if (typeof value === 'number' && (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))) {
      throw new InvalidMessageError(id, `application property ${key} is not a finite double or safe integer`);
    }
    if (propertyBytes(key, value) > MAX_APPLICATION_PROPERTY_BYTES) {
      throw new InvalidMessageError(id, `application property ${key} is larger than ${MAX_APPLICATION_PROPERTY_BYTES} bytes`);
    }
  }
  // The framing reserve stands for the system properties Service Bus adds (sequence number, lock token, ...).
  if (headerBytes(message) + MESSAGE_FRAMING_RESERVE_BYTES > MAX_HEADER_BYTES) {
    throw new InvalidMessageError(id, `the properties need more than the ${MAX_HEADER_BYTES} bytes of a message header`);
  }
  if (message.scheduledEnqueueTimeUtc !== undefined && Number.isNaN(message.scheduledEnqueueTimeUtc.getTime())) {
    throw new InvalidMessageError(id, 'scheduledEnqueueTimeUtc is not a valid date');
  }
  const bytes = messageSize(message);
  if (bytes > SERVICE_BUS_MESSAGE_BYTES) throw new MessageTooLargeError(id, bytes);
  return bytes;
}

/** Validates a whole send (all or nothing): every message, then their sum against one batch. */
export function validateSend(messages: readonly OutgoingMessage[]): number {
  let total = 0;
  for (const message of messages) total += validateOutgoingMessage(message);
  if (total > SERVICE_BUS_MESSAGE_BYTES) throw new BatchTooLargeError(messages.length, total);
  return total;
}

/** Splits messages, in order, into sends that each fit (validateSend). Each send is atomic; the split is not. */
export function splitForSend(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  return [...sendsOf(messages)];
}

/** splitForSend one send at a time, taking messages as they come: a sender that sends each before asking for the
 *  next holds one send's messages, not all of them (a big group's snapshot parts). */
export function* sendsOf(messages: Iterable<OutgoingMessage>): Generator<OutgoingMessage[]> {
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = validateOutgoingMessage(message);
    if (current.length > 0 && bytes + size > SERVICE_BUS_MESSAGE_BYTES) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) yield current;
}
