// What the embedded broker offers beyond the queue contract: observability for the scenario runner,
// time to live, the app's queue settings, waiting receivers, and what closing a receiver does to its locks.
import { describe, expect, it } from 'vitest';
import { appQueueOptions, EmbeddedBroker, manualClock } from '../../dev/queue/index.js';
import {
  DEAD_LETTER_MAX_DELIVERY,
  DEAD_LETTER_TTL_EXPIRED,
  InvalidQueueOperationError,
  QueueNotFoundError,
  type OutgoingMessage,
} from '../../shared/ports/queue.js';

function setup(ttl?: { defaultTtlMs: number; deadLetterOnExpiry: boolean }) {
  const clock = manualClock();
  const broker = new EmbeddedBroker({
    clock: clock.now,
    queues: {
      work: { requiresSession: false, lockDurationMs: 30_000, ...ttl },
      groups: { requiresSession: true, lockDurationMs: 30_000 },
    },
  });
  const advance = (ms: number): void => {
    clock.advance(ms);
    broker.wake();
  };
  return { clock, broker, advance, client: broker.client() };
}

const msg = (messageId: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId,
  body: { messageId },
  ...extra,
});

describe('embedded broker', () => {
  it('lists its queues and counts active, locked, scheduled and dead-lettered messages', async () => {
    const { broker, clock, client } = setup();
    expect(broker.queueNames()).toEqual(['groups', 'work']);
    await client.sender('work').send([msg('a'), msg('b'), msg('c'), msg('later', { scheduledEnqueueTimeUtc: new Date(clock.now() + 60_000) })]);
    const receiver = client.receiver('work');
    const [a, b] = await receiver.receive(2, 0);
    await receiver.deadLetter(b!, { reason: 'Test', description: 'poison' });
    expect(a?.messageId).toBe('a');
    expect(broker.counts('work')).toEqual({ active: 1, locked: 1, scheduled: 1, deadLettered: 1, lockedSessions: 0 });

    await client.sender('groups').send([msg('g1', { sessionId: 'g' })]);
    await client.acceptNextSession('groups', 0);
    expect(broker.counts('groups')).toMatchObject({ active: 1, lockedSessions: 1 });
  });

  it('is idle only when nothing is deliverable, locked or scheduled', async () => {
    const { broker, clock, advance, client } = setup();
    expect(broker.idle()).toBe(true);
    await client.sender('work').send([msg('a', { scheduledEnqueueTimeUtc: new Date(clock.now() + 1000) })]);
    expect(broker.idle('work')).toBe(false);
    expect(broker.idle('groups')).toBe(true);
    advance(1000);
    const receiver = client.receiver('work');
    const [a] = await receiver.receive(1, 0);
    expect(broker.idle()).toBe(false);
    await receiver.deadLetter(a!, { reason: 'Test', description: 'dead letters are not in flight' });
    expect(broker.idle()).toBe(true);
  });

  it('resolves whenIdle once the last message is settled, and reports a timeout', async () => {
    const { broker, client } = setup();
    await client.sender('work').send([msg('a')]);
    expect(await broker.whenIdle('work', 10)).toBe(false);
    const idle = broker.whenIdle(undefined, 5000);
    const receiver = client.receiver('work');
    const [a] = await receiver.receive(1, 0);
    await receiver.complete(a!);
    expect(await idle).toBe(true);
  });

  it('wakes a waiting receiver when a message is sent', async () => {
    const { client } = setup();
    const waiting = client.receiver('work').receive(5, 5000);
    await client.sender('work').send([msg('a')]);
    expect((await waiting).map((m) => m.messageId)).toEqual(['a']);
  });

  it('wakes a waiting session accept when the clock reaches a scheduled message', async () => {
    const { clock, advance, client } = setup();
    await client.sender('groups').send([msg('g1', { sessionId: 'g', scheduledEnqueueTimeUtc: new Date(clock.now() + 5000) })]);
    const waiting = client.acceptNextSession('groups', 5000);
    advance(5000);
    expect((await waiting)?.sessionId).toBe('g');
  });

  it('drops expired messages, or dead-letters them when the queue says so', async () => {
    const dropping = setup({ defaultTtlMs: 1000, deadLetterOnExpiry: false });
    await dropping.client.sender('work').send([msg('a')]);
    dropping.advance(1000);
    expect(await dropping.client.receiver('work').receive(1, 0)).toEqual([]);
    expect(dropping.broker.counts('work')).toMatchObject({ active: 0, deadLettered: 0 });

    const keeping = setup({ defaultTtlMs: 1000, deadLetterOnExpiry: true });
    await keeping.client.sender('work').send([msg('a'), msg('b')]);
    const receiver = keeping.client.receiver('work');
    const [locked] = await receiver.receive(1, 0);
    keeping.advance(1500);
    // A locked message does not expire under its lock.
    await receiver.complete(locked!);
    const dead = await keeping.client.peekDeadLetters('work', 10);
    expect(dead.map((m) => [m.messageId, m.deadLetterReason])).toEqual([['b', DEAD_LETTER_TTL_EXPIRED]]);
  });

  it("expires the app's queues' messages after infra's time to live, into the dead-letter queue", async () => {
    const clock = manualClock();
    const broker = new EmbeddedBroker({ clock: clock.now, queues: { writeback: appQueueOptions.writeback } });
    const client = broker.client();
    await client.sender('writeback').send([msg('g:1', { sessionId: 'g' })]);
    clock.advance(appQueueOptions.writeback.defaultTtlMs! - 1);
    broker.wake();
    expect(broker.counts('writeback')).toMatchObject({ active: 1, deadLettered: 0 });
    clock.advance(1);
    broker.wake();
    expect(await client.acceptNextSession('writeback', 0)).toBeNull();
    const dead = await client.peekDeadLetters('writeback', 10);
    expect(dead.map((m) => [m.messageId, m.deadLetterReason])).toEqual([['g:1', DEAD_LETTER_TTL_EXPIRED]]);
  });

  it('enqueues every send on a queue without duplicate detection', async () => {
    const broker = new EmbeddedBroker({ queues: { pokes: { requiresSession: false, requiresDuplicateDetection: false } } });
    const client = broker.client();
    await client.sender('pokes').send([msg('same'), msg('same')]);
    await client.sender('pokes').send([msg('same')]);
    expect(await client.receiver('pokes').receive(5, 0)).toHaveLength(3);
  });

  it('gives the locks of a closed plain receiver back as failed deliveries', async () => {
    const { client } = setup();
    await client.sender('work').send([msg('a')]);
    const first = client.receiver('work');
    const [a] = await first.receive(1, 0);
    await first.close();
    await expect(first.complete(a!)).rejects.toThrow(/lock/);
    await expect(first.receive(1, 0)).rejects.toBeInstanceOf(InvalidQueueOperationError);
    const [again] = await client.receiver('work').receive(1, 0);
    expect(again).toMatchObject({ messageId: 'a', deliveryCount: 2 });
  });

  it('releases a closed session without counting a failed delivery', async () => {
    const { client } = setup();
    await client.sender('groups').send([msg('g1', { sessionId: 'g' })]);
    const first = (await client.acceptNextSession('groups', 0))!;
    await first.receive(1, 0);
    await first.close();
    const second = (await client.acceptNextSession('groups', 0))!;
    const [again] = await second.receive(1, 0);
    expect(again).toMatchObject({ messageId: 'g1', deliveryCount: 1 });
  });

  it('dead-letters a session message whose session lock expired maxDeliveryCount times', async () => {
    const { advance, client } = setup();
    await client.sender('groups').send([msg('g1', { sessionId: 'g' })]);
    for (let delivery = 1; delivery <= 10; delivery++) {
      const session = (await client.acceptNextSession('groups', 0))!;
      const [got] = await session.receive(1, 0);
      expect(got?.deliveryCount).toBe(delivery);
      advance(30_000);
    }
    expect(await client.acceptNextSession('groups', 0)).toBeNull();
    const [dead] = await client.peekDeadLetters('groups', 10);
    expect(dead).toMatchObject({ messageId: 'g1', deliveryCount: 10, deadLetterReason: DEAD_LETTER_MAX_DELIVERY });
  });

  it('forgets closed session receivers, so a long-running consumer does not grow', async () => {
    const { client } = setup();
    const sender = client.sender('groups');
    for (let i = 0; i < 50; i++) {
      await sender.send([msg(`m${i}`, { sessionId: `g${i}` })]);
      const session = (await client.acceptNextSession('groups', 0))!;
      const [m] = await session.receive(1, 0);
      await session.complete(m!);
      await session.close();
    }
    expect(client.openCount).toBe(1);
    await sender.close();
    expect(client.openCount).toBe(0);
  });

  it('closing one client leaves the others working', async () => {
    const { broker, client } = setup();
    const other = broker.client();
    await client.close();
    expect(() => client.sender('work')).toThrow(InvalidQueueOperationError);
    await other.sender('work').send([msg('a')]);
    expect(await other.receiver('work').receive(1, 0)).toHaveLength(1);
  });

  it('refuses unknown queues and a second declaration with other options', async () => {
    const { broker, client } = setup();
    await expect(client.sender('nope').send([msg('a')])).rejects.toBeInstanceOf(QueueNotFoundError);
    broker.declareQueue('work', { requiresSession: false, lockDurationMs: 30_000 });
    expect(() => broker.declareQueue('work', { requiresSession: true })).toThrow(InvalidQueueOperationError);
  });

  it('does not let a receiver change what the next delivery carries', async () => {
    const { client } = setup();
    await client.sender('work').send([msg('a')]);
    const receiver = client.receiver('work');
    const [first] = await receiver.receive(1, 0);
    (first!.body as { messageId: string }).messageId = 'changed';
    await receiver.abandon(first!);
    const [second] = await receiver.receive(1, 0);
    expect(second?.body).toEqual({ messageId: 'a' });
  });
});
