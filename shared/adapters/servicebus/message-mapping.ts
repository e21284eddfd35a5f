// Port messages <-> Service Bus SDK messages. Bodies travel as JSON (the SDK's default for objects).
import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import type { DeadLetteredMessage, OutgoingMessage, ReceivedMessage } from '../../ports/queue.js';

export function toServiceBusMessage(message: OutgoingMessage): ServiceBusMessage {
  const out: ServiceBusMessage = {
    messageId: message.messageId,
    body: message.body,
    contentType: 'application/json',
  };
  if (message.sessionId !== undefined) out.sessionId = message.sessionId;
  if (message.subject !== undefined) out.subject = message.subject;
  if (message.applicationProperties !== undefined) out.applicationProperties = { ...message.applicationProperties };
  if (message.scheduledEnqueueTimeUtc !== undefined) out.scheduledEnqueueTimeUtc = message.scheduledEnqueueTimeUtc;
  return out;
}

function primitiveProperties(
  properties: ServiceBusReceivedMessage['applicationProperties'],
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (value instanceof Date) out[key] = value.toISOString();
  }
  return out;
}

function idText(id: ServiceBusReceivedMessage['messageId']): string {
  if (id === undefined) return '';
  if (typeof id === 'string') return id;
  if (typeof id === 'number') return String(id);
  return Buffer.from(id).toString('utf8');
}

/** The SDK message keeps its decoded body and the raw AMQP body until it is settled; the port message is the
 *  only holder afterwards. A consumer that drops a body it has applied (the relay, for each part of a big
 *  snapshot: relay/consume/snapshot-in-progress.ts) then frees it while the message waits to be settled, which
 *  needs only the delivery and the lock token. */
function takeBody(message: ServiceBusReceivedMessage): unknown {
  const body = message.body as unknown;
  message.body = undefined;
  message._rawAmqpMessage.body = undefined;
  return body;
}

export function fromServiceBusMessage(message: ServiceBusReceivedMessage): ReceivedMessage {
  const received: ReceivedMessage = {
    messageId: idText(message.messageId),
    body: takeBody(message),
    applicationProperties: primitiveProperties(message.applicationProperties),
    // The JS SDK surfaces the AMQP delivery-count, which Service Bus sets to DeliveryCount - 1.
    deliveryCount: (message.deliveryCount ?? 0) + 1,
    enqueuedTimeUtc: message.enqueuedTimeUtc ?? new Date(0),
    sequenceNumber: BigInt(message.sequenceNumber?.toString() ?? '0'),
    lockedUntilUtc: message.lockedUntilUtc ?? new Date(0),
  };
  if (message.sessionId !== undefined) received.sessionId = message.sessionId;
  if (message.subject !== undefined) received.subject = message.subject;
  return received;
}

export function fromDeadLetteredMessage(message: ServiceBusReceivedMessage): DeadLetteredMessage {
  const received = fromServiceBusMessage(message);
  // The SDK mirrors the reason into application properties; keep those out of the business properties.
  delete received.applicationProperties['DeadLetterReason'];
  delete received.applicationProperties['DeadLetterErrorDescription'];
  return {
    ...received,
    deadLetterReason: message.deadLetterReason ?? '',
    deadLetterDescription: message.deadLetterErrorDescription ?? '',
  };
}
