// Service Bus SDK errors -> the port's typed errors, so callers handle one set of errors for both queues.
import { isServiceBusError } from '@azure/service-bus';
import {
  InvalidMessageError,
  MessageLockLostError,
  MessageTooLargeError,
  QueueNotFoundError,
  SessionLockLostError,
} from '../../ports/queue.js';

export interface ErrorContext {
  queue: string;
  messageId?: string;
  sessionId?: string;
}

export function mapServiceBusError(error: unknown, context: ErrorContext): unknown {
  if (!isServiceBusError(error)) return error;
  switch (error.code) {
    case 'MessageLockLost':
      return new MessageLockLostError(context.messageId ?? '');
    case 'SessionLockLost':
      return new SessionLockLostError(context.sessionId ?? '', context.messageId);
    case 'MessagingEntityNotFound':
      return new QueueNotFoundError(context.queue);
    case 'MessageSizeExceeded':
      return new MessageTooLargeError(context.messageId ?? '', Number.NaN);
    default:
      // The service refuses a message without SessionId on a session queue with a general error.
      if (/session ?id/i.test(error.message) && /not set|must|required/i.test(error.message)) {
        return new InvalidMessageError(context.messageId ?? '', error.message);
      }
      return error;
  }
}

/** Runs an SDK call and rethrows its failure as a port error. */
export async function mapped<T>(context: ErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapServiceBusError(error, context);
  }
}
