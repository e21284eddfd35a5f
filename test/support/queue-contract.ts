// The queue contract: one set of tests every QueueClient implementation must pass (the embedded queue
// always, Service Bus when configured). Harnesses decide how time passes: the embedded queue advances
// its clock, Service Bus sleeps.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BatchTooLargeError,
  DEAD_LETTER_MAX_DELIVERY,
  InvalidMessageError,
  MAX_APPLICATION_PROPERTY_BYTES,
  MAX_HEADER_BYTES,
  MessageLockLostError,
  MessageTooLargeError,
  SessionLockLostError,
  messageSize,
  type DeadLetteredMessage,
  type DeadLetterReceiver,
  type OutgoingMessage,
  type QueueClient,
  type QueueReceiver,
  type ReceivedMessage,
} from '../../shared/ports/queue.js';
import { SERVICE_BUS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import { sleep } from '../../shared/timers.js';

export interface QueueHarness {
  /** A new client on the same queues (two clients play two relay instances). */
  client(): QueueClient;
  readonly plainQueue: string;
  readonly sessionQueue: string;
  readonly lockDurationMs: number;
  readonly maxDeliveryCount: number;
  readonly duplicateDetectionWindowMs: number;
  /** Current time on the queue's clock (epoch ms). */
  now(): number;
  /** Lets `ms` pass on the queue's clock. */
  elapse(ms: number): Promise<void>;
  /** How long a receive waits when the test expects nothing. */
  readonly quietWaitMs: number;
  /** How long a receive waits for something the test expects. */
  readonly arrivalWaitMs: number;
  /** How far ahead the scheduled-enqueue case schedules. */
  readonly scheduleAheadMs: number;
  /** Set when waiting out the duplicate window is too slow for this implementation. */
  readonly slowWindowReason?: string;
  dispose(): Promise<void>;
}

export type StartHarness = () => Promise<QueueHarness>;

/** A message whose messageSize() is exactly `bytes`. */
export function sizedMessage(messageId: string, bytes: number, sessionId?: string): OutgoingMessage {
  const message: OutgoingMessage = { messageId, body: { pad: '' } };
  if (sessionId !== undefined) message.sessionId = sessionId;
  const padding = bytes - messageSize(message);
  if (padding < 0) throw new RangeError(`cannot build a message of ${bytes} bytes`);
  return { ...message, body: { pad: 'x'.repeat(padding) } };
}

async function receiveCount(receiver: QueueReceiver, count: number, waitMs: number): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  while (received.length < count) {
    const batch = await receiver.receive(count - received.length, waitMs);
    if (batch.length === 0) break;
    received.push(...batch);
  }
  return received;
}

/** Dead-lettering by the broker itself may land a moment later on Service Bus. */
async function findDeadLetter(
  client: QueueClient,
  queue: string,
  messageId: string,
  attempts: number,
): Promise<DeadLetteredMessage | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = (await client.peekDeadLetters(queue, 250)).find((m) => m.messageId === messageId);
    if (found) return found;
    await sleep(200);
  }
  return undefined;
}

/** Receives from a dead-letter sub-queue until every one of `messageIds` is in hand (leftovers of other tests
 *  may come first: they are held until the end, then abandoned). */
async function receiveDeadLetters(receiver: DeadLetterReceiver, messageIds: readonly string[], waitMs: number): Promise<DeadLetteredMessage[]> {
  const wanted: DeadLetteredMessage[] = [];
  const others: DeadLetteredMessage[] = [];
  while (wanted.length < messageIds.length) {
    const batch = await receiver.receive(10, waitMs);
    if (batch.length === 0) break;
    for (const m of batch) (messageIds.includes(m.messageId) ? wanted : others).push(m);
  }
  for (const m of others) await receiver.abandon(m);
  return messageIds.flatMap((mid) => wanted.filter((m) => m.messageId === mid));
}

export function defineQueueContract(start: StartHarness): void {
  let h: QueueHarness;
  let client: QueueClient;
  /** Unique per test: leftovers of other tests or runs never match. */
  let tag: string;
  const id = (name: string): string => `${tag}-${name}`;
  const message = (name: string, sessionId?: string, body: unknown = { name }): OutgoingMessage => {
    const out: OutgoingMessage = { messageId: id(name), body };
    if (sessionId !== undefined) out.sessionId = sessionId;
    return out;
  };

  beforeEach(async () => {
    h = await start();
    client = h.client();
    tag = randomUUID().slice(0, 8);
  });

  afterEach(async () => {
    await client.close();
    await h.dispose();
  });

  describe('sessions', () => {
    it('delivers the messages of a session in order', async () => {
      const session = id('s');
      const sender = client.sender(h.sessionQueue);
      await sender.send([message('1', session), message('2', session), message('3', session)]);
      await sender.send([message('4', session)]);
      await sender.send([message('5', session)]);

      const receiver = await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs);
      expect(receiver?.sessionId).toBe(session);
      const received = await receiveCount(receiver!, 5, h.arrivalWaitMs);
      expect(received.map((m) => m.messageId)).toEqual(['1', '2', '3', '4', '5'].map(id));
      expect(received.every((m) => m.sessionId === session)).toBe(true);
      for (const m of received) await receiver!.complete(m);
      expect(await receiver!.receive(1, h.quietWaitMs)).toEqual([]);
    });

    it('gives an abandoned message back before the later ones of its session', async () => {
      const session = id('s');
      await client.sender(h.sessionQueue).send([message('1', session), message('2', session)]);
      const receiver = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      const [first] = await receiver.receive(1, h.arrivalWaitMs);
      expect(first?.messageId).toBe(id('1'));
      await receiver.abandon(first!);

      const again = await receiveCount(receiver, 2, h.arrivalWaitMs);
      expect(again.map((m) => [m.messageId, m.deliveryCount])).toEqual([
        [id('1'), 2],
        [id('2'), 1],
      ]);
    });

    it('lets only one receiver hold a session at a time', async () => {
      const session = id('s');
      await client.sender(h.sessionQueue).send([message('1', session), message('2', session)]);
      const other = h.client();
      try {
        const holder = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
        expect(holder.sessionId).toBe(session);
        const [held] = await holder.receive(1, h.arrivalWaitMs);
        expect(held?.messageId).toBe(id('1'));

        // Message 2 is deliverable, but its session is held.
        expect(await other.acceptNextSession(h.sessionQueue, h.quietWaitMs)).toBeNull();

        await holder.close();
        const next = await other.acceptNextSession(h.sessionQueue, h.arrivalWaitMs);
        expect(next?.sessionId).toBe(session);
        const again = await receiveCount(next!, 2, h.arrivalWaitMs);
        expect(again.map((m) => m.messageId)).toEqual([id('1'), id('2')]);
        for (const m of again) await next!.complete(m);
      } finally {
        await other.close();
      }
    });

    it('serves different sessions to different receivers in parallel', async () => {
      const a = id('a');
      const b = id('b');
      await client.sender(h.sessionQueue).send([message('a1', a), message('b1', b), message('a2', a)]);
      const other = h.client();
      try {
        const first = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
        const second = (await other.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
        expect(new Set([first.sessionId, second.sessionId])).toEqual(new Set([a, b]));

        const [gotA, gotB] = await Promise.all(
          [first, second].map((r) => receiveCount(r, r.sessionId === a ? 2 : 1, h.arrivalWaitMs)),
        );
        const bySession = new Map([
          [first.sessionId, gotA!],
          [second.sessionId, gotB!],
        ]);
        expect(bySession.get(a)!.map((m) => m.messageId)).toEqual([id('a1'), id('a2')]);
        expect(bySession.get(b)!.map((m) => m.messageId)).toEqual([id('b1')]);
      } finally {
        await other.close();
      }
    });

    it('loses the session lock when it expires, and a renewal keeps it', async () => {
      const session = id('s');
      await client.sender(h.sessionQueue).send([message('1', session), message('2', session)]);
      const receiver = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      const [first, second] = await receiveCount(receiver, 2, h.arrivalWaitMs);

      await h.elapse(h.lockDurationMs * 0.6);
      const renewedUntil = await receiver.renewSessionLock();
      expect(renewedUntil.getTime()).toBeGreaterThan(first!.lockedUntilUtc.getTime());
      await h.elapse(h.lockDurationMs * 0.6);
      await receiver.complete(first!);

      await h.elapse(h.lockDurationMs + 1000);
      const lost = receiver.complete(second!);
      await expect(lost).rejects.toBeInstanceOf(SessionLockLostError);

      const next = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      const [redelivered] = await next.receive(1, h.arrivalWaitMs);
      expect(redelivered?.messageId).toBe(id('2'));
    });

    it('counts a delivery when the session lock expires, not when the session receiver is closed', async () => {
      const session = id('s');
      await client.sender(h.sessionQueue).send([message('1', session), message('2', session)]);
      const closed = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      expect((await receiveCount(closed, 2, h.arrivalWaitMs)).map((m) => m.deliveryCount)).toEqual([1, 1]);
      await closed.close();

      const expiring = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      expect((await receiveCount(expiring, 2, h.arrivalWaitMs)).map((m) => m.deliveryCount)).toEqual([1, 1]);
      await h.elapse(h.lockDurationMs + 1000);

      const next = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      expect(next.sessionId).toBe(session);
      const again = await receiveCount(next, 2, h.arrivalWaitMs);
      expect(again.map((m) => [m.messageId, m.deliveryCount])).toEqual([
        [id('1'), 2],
        [id('2'), 2],
      ]);
      for (const m of again) await next.complete(m);
    });

    it('refuses a message without sessionId on a session queue and sends nothing of that batch', async () => {
      const session = id('s');
      const send = client.sender(h.sessionQueue).send([message('1', session), message('2')]);
      await expect(send).rejects.toBeInstanceOf(InvalidMessageError);
      expect(await client.acceptNextSession(h.sessionQueue, h.quietWaitMs)).toBeNull();
    });

    it('refuses a plain receiver on a session queue and a session accept on a plain queue', async () => {
      await expect(client.receiver(h.sessionQueue).receive(1, h.quietWaitMs)).rejects.toThrow();
      await expect(client.acceptNextSession(h.plainQueue, h.quietWaitMs)).rejects.toThrow();
    });
  });

  describe('peek-lock', () => {
    it('removes a completed message', async () => {
      await client.sender(h.plainQueue).send([message('1')]);
      const receiver = client.receiver(h.plainQueue);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      expect(got).toMatchObject({ messageId: id('1'), deliveryCount: 1, body: { name: '1' } });
      await receiver.complete(got!);
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);
    });

    it('carries subject and application properties', async () => {
      const out: OutgoingMessage = {
        ...message('1'),
        subject: 'upsert',
        applicationProperties: { groupId: 'g-1', seq: 7, full: true },
      };
      await client.sender(h.plainQueue).send([out]);
      const receiver = client.receiver(h.plainQueue);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      expect(got?.subject).toBe('upsert');
      expect(got?.applicationProperties).toEqual({ groupId: 'g-1', seq: 7, full: true });
      await receiver.complete(got!);
    });

    it('makes an abandoned message available again with deliveryCount + 1', async () => {
      await client.sender(h.plainQueue).send([message('1')]);
      const receiver = client.receiver(h.plainQueue);
      const [first] = await receiver.receive(1, h.arrivalWaitMs);
      expect(first?.deliveryCount).toBe(1);
      await receiver.abandon(first!);
      const [second] = await receiver.receive(1, h.arrivalWaitMs);
      expect(second).toMatchObject({ messageId: id('1'), deliveryCount: 2 });
      await receiver.complete(second!);
    });

    it('redelivers a message whose lock expired, with deliveryCount + 1', async () => {
      await client.sender(h.plainQueue).send([message('1')]);
      const receiver = client.receiver(h.plainQueue);
      const [first] = await receiver.receive(1, h.arrivalWaitMs);
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);
      await h.elapse(h.lockDurationMs + 1000);
      const [second] = await receiver.receive(1, h.arrivalWaitMs);
      expect(second).toMatchObject({ messageId: id('1'), deliveryCount: 2 });
      expect(second!.lockedUntilUtc.getTime()).toBeGreaterThan(first!.lockedUntilUtc.getTime());
      await receiver.complete(second!);
    });

    it('throws MessageLockLostError when settling after the lock expired or twice', async () => {
      await client.sender(h.plainQueue).send([message('1'), message('2')]);
      const receiver = client.receiver(h.plainQueue);
      const [first, second] = await receiveCount(receiver, 2, h.arrivalWaitMs);
      await receiver.complete(second!);
      await expect(receiver.complete(second!)).rejects.toBeInstanceOf(MessageLockLostError);

      await h.elapse(h.lockDurationMs + 1000);
      await expect(receiver.complete(first!)).rejects.toBeInstanceOf(MessageLockLostError);
      await expect(receiver.abandon(first!)).rejects.toBeInstanceOf(MessageLockLostError);
      const [again] = await receiver.receive(1, h.arrivalWaitMs);
      expect(again?.messageId).toBe(id('1'));
      await receiver.complete(again!);
    });

    it('dead-letters with reason and description, visible in peekDeadLetters', async () => {
      await client.sender(h.plainQueue).send([message('poison', undefined, { bad: true })]);
      const receiver = client.receiver(h.plainQueue);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      await receiver.deadLetter(got!, { reason: 'SchemaViolation', description: 'v must be 1' });
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);

      const dead = await findDeadLetter(client, h.plainQueue, id('poison'), 10);
      expect(dead).toMatchObject({
        deadLetterReason: 'SchemaViolation',
        deadLetterDescription: 'v must be 1',
        body: { bad: true },
      });
    });

    it(`dead-letters after maxDeliveryCount deliveries with ${DEAD_LETTER_MAX_DELIVERY}`, async () => {
      await client.sender(h.plainQueue).send([message('1')]);
      const receiver = client.receiver(h.plainQueue);
      for (let delivery = 1; delivery <= h.maxDeliveryCount; delivery++) {
        const [got] = await receiver.receive(1, h.arrivalWaitMs);
        expect(got?.deliveryCount).toBe(delivery);
        await receiver.abandon(got!);
      }
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);
      const dead = await findDeadLetter(client, h.plainQueue, id('1'), 10);
      expect(dead?.deadLetterReason).toBe(DEAD_LETTER_MAX_DELIVERY);
    });

    it('carries a sessionId on a plain queue without giving it meaning', async () => {
      await client.sender(h.plainQueue).send([message('1', id('s'))]);
      const receiver = client.receiver(h.plainQueue);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      expect(got?.messageId).toBe(id('1'));
      await receiver.complete(got!);
    });
  });

  describe('dead-letter sub-queue', () => {
    /** Sends the named messages to `queue` and dead-letters each with reason `Poison <name>`. */
    const deadLetter = async (queue: string, names: readonly string[], sessionId?: string): Promise<void> => {
      await client.sender(queue).send(names.map((n) => message(n, sessionId)));
      const receiver = sessionId === undefined ? client.receiver(queue) : await client.acceptNextSession(queue, h.arrivalWaitMs);
      const got = await receiveCount(receiver!, names.length, h.arrivalWaitMs);
      for (const m of got) await receiver!.deadLetter(m, { reason: `Poison ${m.messageId}`, description: 'test' });
      await receiver!.close();
    };

    it('receives dead letters with their reason; complete removes one for good, abandon keeps it with one more delivery', async () => {
      await deadLetter(h.plainQueue, ['a', 'b']);
      const receiver = client.deadLetterReceiver(h.plainQueue);
      const [a, b] = await receiveDeadLetters(receiver, [id('a'), id('b')], h.arrivalWaitMs);
      expect(a).toMatchObject({ messageId: id('a'), body: { name: 'a' }, deadLetterReason: `Poison ${id('a')}`, deadLetterDescription: 'test' });
      expect(b?.messageId).toBe(id('b'));
      const peeked = await findDeadLetter(client, h.plainQueue, id('a'), 1);
      expect(peeked?.sequenceNumber).toBe(a!.sequenceNumber);
      await receiver.complete(a!);
      await receiver.abandon(b!);
      await expect(receiver.complete(a!)).rejects.toBeInstanceOf(MessageLockLostError);
      await receiver.close();

      const again = client.deadLetterReceiver(h.plainQueue);
      const [b2, a2] = await receiveDeadLetters(again, [id('b'), id('a')], h.quietWaitMs);
      expect(a2).toBeUndefined();
      expect(b2?.deliveryCount).toBeGreaterThan(b!.deliveryCount);
      await again.complete(b2!);
      expect(await findDeadLetter(client, h.plainQueue, id('a'), 1)).toBeUndefined();
      expect(await findDeadLetter(client, h.plainQueue, id('b'), 1)).toBeUndefined();
      // Nothing went back to the queue itself.
      expect(await client.receiver(h.plainQueue).receive(1, h.quietWaitMs)).toEqual([]);
    });

    it('receives the dead letters of a session queue without a session', async () => {
      const session = id('s');
      await deadLetter(h.sessionQueue, ['1'], session);
      const receiver = client.deadLetterReceiver(h.sessionQueue);
      const [dead] = await receiveDeadLetters(receiver, [id('1')], h.arrivalWaitMs);
      expect(dead).toMatchObject({ messageId: id('1'), sessionId: session, deadLetterReason: `Poison ${id('1')}` });
      await receiver.complete(dead!);
    });

    it('hands a dead letter whose lock expired to the next receiver', async () => {
      await deadLetter(h.plainQueue, ['1']);
      const first = client.deadLetterReceiver(h.plainQueue);
      const [dead] = await receiveDeadLetters(first, [id('1')], h.arrivalWaitMs);
      expect(dead).toBeDefined();
      await h.elapse(h.lockDurationMs + 1000);
      await expect(first.complete(dead!)).rejects.toBeInstanceOf(MessageLockLostError);
      const second = client.deadLetterReceiver(h.plainQueue);
      const [again] = await receiveDeadLetters(second, [id('1')], h.arrivalWaitMs);
      expect(again?.messageId).toBe(id('1'));
      await second.complete(again!);
      await first.close();
      await second.close();
    });
  });

  describe('duplicate detection', () => {
    it('accepts and drops a second send of a messageId inside the window', async () => {
      const sender = client.sender(h.plainQueue);
      await sender.send([message('1', undefined, { copy: 1 })]);
      await sender.send([message('1', undefined, { copy: 2 })]);
      await sender.send([message('2'), message('2', undefined, { copy: 3 })]);
      const receiver = client.receiver(h.plainQueue);
      const received = await receiveCount(receiver, 2, h.arrivalWaitMs);
      expect(received.map((m) => [m.messageId, m.body])).toEqual([
        [id('1'), { copy: 1 }],
        [id('2'), { name: '2' }],
      ]);
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);
      for (const m of received) await receiver.complete(m);
      await sender.send([message('1', undefined, { copy: 4 })]);
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);
    });

    it('accepts a messageId again after the window', async (context) => {
      if (h.slowWindowReason) context.skip(h.slowWindowReason);
      const sender = client.sender(h.plainQueue);
      await sender.send([message('1', undefined, { copy: 1 })]);
      await h.elapse(h.duplicateDetectionWindowMs + 1000);
      await sender.send([message('1', undefined, { copy: 2 })]);
      const receiver = client.receiver(h.plainQueue);
      const received = await receiveCount(receiver, 2, h.arrivalWaitMs);
      expect(received.map((m) => m.body)).toEqual([{ copy: 1 }, { copy: 2 }]);
    });
  });

  describe('scheduled enqueue', () => {
    it('keeps a scheduled message invisible until its time', async () => {
      const at = new Date(h.now() + h.scheduleAheadMs);
      await client.sender(h.plainQueue).send([{ ...message('later'), scheduledEnqueueTimeUtc: at }, message('now')]);
      const receiver = client.receiver(h.plainQueue);
      const [now] = await receiver.receive(2, h.arrivalWaitMs);
      expect(now?.messageId).toBe(id('now'));
      await receiver.complete(now!);
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);

      await h.elapse(h.scheduleAheadMs + 1000);
      const [later] = await receiver.receive(1, h.arrivalWaitMs);
      expect(later?.messageId).toBe(id('later'));
      expect(later!.enqueuedTimeUtc.getTime()).toBeGreaterThanOrEqual(at.getTime() - 1000);
      await receiver.complete(later!);
    });
  });

  describe('size limit', () => {
    it('sends a message of exactly the limit intact', async () => {
      const big = sizedMessage(id('big'), SERVICE_BUS_MESSAGE_BYTES);
      expect(messageSize(big)).toBe(SERVICE_BUS_MESSAGE_BYTES);
      await client.sender(h.plainQueue).send([big]);
      const receiver = client.receiver(h.plainQueue);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      expect(got?.body).toEqual(big.body);
      await receiver.complete(got!);
    });

    it('refuses a message one byte over the limit', async () => {
      const send = client.sender(h.plainQueue).send([sizedMessage(id('big'), SERVICE_BUS_MESSAGE_BYTES + 1)]);
      await expect(send).rejects.toBeInstanceOf(MessageTooLargeError);
      expect(await client.receiver(h.plainQueue).receive(1, h.quietWaitMs)).toEqual([]);
    });

    it('sends nothing of a batch with one oversize message', async () => {
      const send = client
        .sender(h.sessionQueue)
        .send([message('small', id('s')), sizedMessage(id('big'), SERVICE_BUS_MESSAGE_BYTES + 1, id('s'))]);
      await expect(send).rejects.toBeInstanceOf(MessageTooLargeError);
      expect(await client.acceptNextSession(h.sessionQueue, h.quietWaitMs)).toBeNull();
    });

    it('sends nothing of a batch that fits message by message but not as a whole', async () => {
      const half = Math.floor(SERVICE_BUS_MESSAGE_BYTES / 2) + 1;
      const send = client.sender(h.plainQueue).send([sizedMessage(id('a'), half), sizedMessage(id('b'), half)]);
      await expect(send).rejects.toBeInstanceOf(BatchTooLargeError);
      expect(await client.receiver(h.plainQueue).receive(1, h.quietWaitMs)).toEqual([]);
    });

    it('refuses application properties over the header limits and sends nothing of that batch', async () => {
      const sender = client.sender(h.plainQueue);
      const oversize = { ...message('1'), applicationProperties: { big: 'x'.repeat(MAX_APPLICATION_PROPERTY_BYTES) } };
      await expect(sender.send([oversize])).rejects.toBeInstanceOf(InvalidMessageError);
      // Each of these is under the property limit; together they are over the header limit.
      const third = 'x'.repeat(Math.ceil(MAX_HEADER_BYTES / 3));
      expect(third.length).toBeLessThan(MAX_APPLICATION_PROPERTY_BYTES);
      const crowded = { ...message('2'), applicationProperties: { a: third, b: third, c: third } };
      expect(messageSize(crowded)).toBeLessThan(SERVICE_BUS_MESSAGE_BYTES);
      await expect(sender.send([message('3'), crowded])).rejects.toBeInstanceOf(InvalidMessageError);

      const receiver = client.receiver(h.plainQueue);
      expect(await receiver.receive(1, h.quietWaitMs)).toEqual([]);
      const fits = { a: 'a'.repeat(8 * 1024), b: 'b'.repeat(8 * 1024) };
      await sender.send([{ ...message('4'), applicationProperties: fits }]);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      expect(got?.applicationProperties).toEqual(fits);
      await receiver.complete(got!);
    });

    it('refuses messageId and sessionId longer than 128 characters', async () => {
      const sender = client.sender(h.sessionQueue);
      await expect(sender.send([{ messageId: 'm'.repeat(129), sessionId: id('s'), body: 1 }])).rejects.toBeInstanceOf(
        InvalidMessageError,
      );
      await expect(sender.send([{ messageId: id('1'), sessionId: 's'.repeat(129), body: 1 }])).rejects.toBeInstanceOf(
        InvalidMessageError,
      );
      const longest = { messageId: id('m').padEnd(128, 'm'), sessionId: id('s').padEnd(128, 's'), body: 1 };
      await sender.send([longest]);
      const receiver = (await client.acceptNextSession(h.sessionQueue, h.arrivalWaitMs))!;
      expect(receiver.sessionId).toBe(longest.sessionId);
      const [got] = await receiver.receive(1, h.arrivalWaitMs);
      expect(got?.messageId).toBe(longest.messageId);
      await receiver.complete(got!);
    });
  });
}
