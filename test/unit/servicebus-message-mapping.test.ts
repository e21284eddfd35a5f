// Port messages from Service Bus SDK messages: the port message becomes the only holder of the body, so a
// relay that drops a big snapshot part's body after applying it frees it while the part waits to be settled.
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import { fromDeadLetteredMessage, fromServiceBusMessage } from '../../shared/adapters/servicebus/message-mapping.js';

function sdkMessage(body: unknown, extra: Record<string, unknown> = {}): ServiceBusReceivedMessage {
  // The fields the mapping reads, as the SDK fills them on a received message.
  const message = {
    messageId: 'g1:7',
    sessionId: 'g1',
    subject: 'writeback:snapshot',
    body,
    _rawAmqpMessage: { body: Buffer.from(JSON.stringify(body)), bodyType: 'data' },
    applicationProperties: { attempt: 2, at: new Date('2026-11-30T10:00:00Z'), nested: { no: 1 } },
    deliveryCount: 0,
    enqueuedTimeUtc: new Date('2026-11-30T10:00:00Z'),
    sequenceNumber: { toString: () => '42' },
    lockedUntilUtc: new Date('2026-11-30T10:01:00Z'),
    lockToken: 'lock-1',
    ...extra,
  };
  return message as unknown as ServiceBusReceivedMessage;
}

describe('fromServiceBusMessage', () => {
  it('moves the body to the port message: the SDK message keeps neither the decoded nor the raw body', () => {
    const body = { kind: 'snapshot', members: [{ kind: 'sid', sid: 'S-1-5-21-1-2-3-1105' }] };
    const original = sdkMessage(body);
    const received = fromServiceBusMessage(original);
    expect(received.body).toBe(body);
    expect(original.body).toBeUndefined();
    expect(original._rawAmqpMessage.body).toBeUndefined();
    // What settling needs stays.
    expect(original.lockToken).toBe('lock-1');
    expect(received).toMatchObject({
      messageId: 'g1:7',
      sessionId: 'g1',
      subject: 'writeback:snapshot',
      deliveryCount: 1,
      sequenceNumber: 42n,
      applicationProperties: { attempt: 2, at: '2026-11-30T10:00:00.000Z' },
    });
  });

  it('a dead letter keeps its body on the port message and its reason apart from the business properties', () => {
    const original = sdkMessage({ v: 1 }, { deadLetterReason: 'InvalidMessage', deadLetterErrorDescription: 'bad seq', applicationProperties: { DeadLetterReason: 'InvalidMessage', keep: 'yes' } });
    const dead = fromDeadLetteredMessage(original);
    expect(dead.body).toEqual({ v: 1 });
    expect(original.body).toBeUndefined();
    expect(dead.deadLetterReason).toBe('InvalidMessage');
    expect(dead.deadLetterDescription).toBe('bad seq');
    expect(dead.applicationProperties).toEqual({ keep: 'yes' });
  });
});
