// The wire format between the embedded queue's server (in the local host's process) and a remote client (the
// relay's own process): JSON over HTTP on loopback. Messages travel with their dates as ISO strings and the
// sequence number as a decimal string; errors travel by the port's class name so the client throws the same
// classes Service Bus' adapter does.
import { z } from 'zod';
import {
  BatchTooLargeError,
  InvalidMessageError,
  InvalidQueueOperationError,
  MessageLockLostError,
  MessageTooLargeError,
  QueueNotFoundError,
  SessionCannotBeLockedError,
  SessionLockLostError,
  type DeadLetteredMessage,
  type ReceivedMessage,
} from '../../shared/ports/queue.js';

const propertyValue = z.union([z.string(), z.number(), z.boolean()]);

export const outgoingWireSchema = z
  .object({
    messageId: z.string(),
    sessionId: z.string().optional(),
    body: z.unknown(),
    subject: z.string().optional(),
    applicationProperties: z.record(z.string(), propertyValue).optional(),
    scheduledEnqueueTimeUtc: z.string().optional(),
  })
  .strict();

const rid = z.number().int().positive();
export const requestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('send'), queue: z.string(), messages: z.array(outgoingWireSchema) }).strict(),
  z.object({ op: z.literal('openReceiver'), queue: z.string() }).strict(),
  z.object({ op: z.literal('openDeadLetterReceiver'), queue: z.string() }).strict(),
  z.object({ op: z.literal('acceptNextSession'), queue: z.string(), maxWaitMs: z.number().nonnegative() }).strict(),
  z.object({ op: z.literal('receive'), rid, max: z.number(), maxWaitMs: z.number().nonnegative() }).strict(),
  z
    .object({
      op: z.literal('settle'),
      rid,
      handle: z.number().int(),
      messageId: z.string(),
      kind: z.enum(['complete', 'abandon', 'deadLetter']),
      info: z.object({ reason: z.string(), description: z.string() }).strict().optional(),
    })
    .strict(),
  z.object({ op: z.literal('renewSessionLock'), rid }).strict(),
  z.object({ op: z.literal('closeReceiver'), rid }).strict(),
  z.object({ op: z.literal('peekDeadLetters'), queue: z.string(), max: z.number() }).strict(),
]);
export type RemoteRequest = z.infer<typeof requestSchema>;

export interface ReceivedWire {
  handle: number;
  messageId: string;
  sessionId?: string;
  body: unknown;
  subject?: string;
  applicationProperties: Record<string, string | number | boolean>;
  deliveryCount: number;
  enqueuedTimeUtc: string;
  sequenceNumber: string;
  lockedUntilUtc: string;
  deadLetterReason?: string;
  deadLetterDescription?: string;
}

export function toWire(m: ReceivedMessage | DeadLetteredMessage, handle: number): ReceivedWire {
  return {
    ...m,
    handle,
    enqueuedTimeUtc: m.enqueuedTimeUtc.toISOString(),
    sequenceNumber: m.sequenceNumber.toString(),
    lockedUntilUtc: m.lockedUntilUtc.toISOString(),
  };
}

export function deadLetterFromWire(w: ReceivedWire): DeadLetteredMessage {
  return { ...fromWire(w), deadLetterReason: w.deadLetterReason ?? '', deadLetterDescription: w.deadLetterDescription ?? '' };
}

export function fromWire(w: ReceivedWire): ReceivedMessage {
  const { handle: _handle, deadLetterReason: _r, deadLetterDescription: _d, ...rest } = w;
  return {
    ...rest,
    enqueuedTimeUtc: new Date(w.enqueuedTimeUtc),
    sequenceNumber: BigInt(w.sequenceNumber),
    lockedUntilUtc: new Date(w.lockedUntilUtc),
  };
}

export interface ErrorWire {
  error: { name: string; message: string; id?: string };
}

/** The port's error classes by name: the client rebuilds them so callers catch what they would in Azure. */
export function errorFromWire({ error }: ErrorWire): Error {
  const id = error.id ?? '';
  let rebuilt: Error;
  switch (error.name) {
    case 'MessageLockLostError':
      rebuilt = new MessageLockLostError(id);
      break;
    case 'SessionLockLostError':
      rebuilt = new SessionLockLostError(id);
      break;
    case 'SessionCannotBeLockedError':
      rebuilt = new SessionCannotBeLockedError(id);
      break;
    case 'QueueNotFoundError':
      rebuilt = new QueueNotFoundError(id);
      break;
    case 'InvalidMessageError':
      rebuilt = new InvalidMessageError(id, '');
      break;
    case 'MessageTooLargeError':
      rebuilt = new MessageTooLargeError(id, 0);
      break;
    case 'BatchTooLargeError':
      rebuilt = new BatchTooLargeError(0, 0);
      break;
    case 'InvalidQueueOperationError':
      rebuilt = new InvalidQueueOperationError(error.message);
      break;
    default:
      rebuilt = new Error(error.message);
  }
  rebuilt.message = error.message;
  return rebuilt;
}

export function errorToWire(error: unknown): ErrorWire {
  if (!(error instanceof Error)) return { error: { name: 'Error', message: String(error) } };
  const e = error as Error & { messageId?: string; sessionId?: string; queue?: string };
  const id = e.sessionId ?? e.messageId ?? e.queue;
  return { error: { name: error.name, message: error.message, ...(id !== undefined ? { id } : {}) } };
}
