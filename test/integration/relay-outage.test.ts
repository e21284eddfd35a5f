// DC outages against the real Samba DC, reached through a loopback proxy the tests cut and restore: the
// relay keeps the message in hand (session lock renewed), takes no new group while the DC is away, counts no
// delivery and dead-letters nothing however long the outage lasts, and applies the change once the DC is
// back; a relay stopped meanwhile lets the session go without counting a delivery.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { resultMessageSchema, type ResultMessage } from '../../shared/contracts/result-message.js';
import { writebackMessageId, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { silentLogger } from '../../shared/logging.js';
import { sleep } from '../../shared/timers.js';
import type { QueueClient, SessionReceiver } from '../../shared/ports/queue.js';
import { startRelay, type RunningRelay } from '../../relay/main.js';
import { newGroupId, relayFixture, upsertMessage, type RelayFixture } from '../support/relay-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const WRITEBACK = 'writeback';
const RESULTS = 'writeback-results';
const MAX_DELIVERY = 3;
const RETRY_DELAY_MS = 100;

let fx: RelayFixture;
let proxy: TcpProxy;
const running: RunningRelay[] = [];

beforeAll(async () => {
  fx = await relayFixture('relay-outage');
  const target = new URL(fx.dc.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 636) });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  proxy.restore();
});

afterAll(async () => {
  await proxy?.close();
  await fx?.close();
});

function newBroker(): EmbeddedBroker {
  return new EmbeddedBroker({
    queues: {
      // A short lock: a relay that did not renew it while waiting would count deliveries within seconds.
      [WRITEBACK]: { requiresSession: true, maxDeliveryCount: MAX_DELIVERY, lockDurationMs: 1_000 },
      [RESULTS]: { requiresSession: false },
    },
  });
}

/** Records how writeback messages are settled: `complete <messageId> <deliveryCount>`, `abandon ...`, `deadLetter ...`. */
function recording(client: QueueClient, events: string[]): QueueClient {
  const wrap = (s: SessionReceiver): SessionReceiver => ({
    ...s,
    sessionId: s.sessionId,
    receive: (max, wait) => s.receive(max, wait),
    renewSessionLock: () => s.renewSessionLock(),
    close: () => s.close(),
    complete: async (m) => {
      await s.complete(m);
      events.push(`complete ${m.messageId} ${m.deliveryCount}`);
    },
    abandon: async (m) => {
      await s.abandon(m);
      events.push(`abandon ${m.messageId}`);
    },
    deadLetter: async (m, info) => {
      await s.deadLetter(m, info);
      events.push(`deadLetter ${m.messageId} ${info.reason}`);
    },
  });
  return {
    ...client,
    sender: (queue) => client.sender(queue),
    receiver: (queue) => client.receiver(queue),
    acceptNextSession: async (queue, wait) => {
      const s = await client.acceptNextSession(queue, wait);
      return s ? wrap(s) : null;
    },
    peekDeadLetters: (queue, max) => client.peekDeadLetters(queue, max),
    close: () => client.close(),
  };
}

async function start(queue: QueueClient): Promise<RunningRelay> {
  const relay = await startRelay({
    config: fx.config({
      ldap: { ...fx.config().ldap, urls: [`ldaps://127.0.0.1:${proxy.port}`], timeoutMs: 2_000 },
      sessions: {
        concurrency: 2,
        receiveWaitMs: 100,
        retryDelayMs: RETRY_DELAY_MS,
        retryMaxDelayMs: 400,
        snapshotPartWaitMs: 2_000,
        lockRenewMs: 200,
      },
    }),
    queue,
    log: silentLogger(),
    env: fx.processEnv,
  });
  running.push(relay);
  return relay;
}

async function send(queue: QueueClient, messages: WritebackMessage[]): Promise<void> {
  await queue.sender(WRITEBACK).send(messages.map((m) => ({ messageId: writebackMessageId(m.groupId, m.seq), sessionId: m.groupId, body: m })));
}

async function takeResults(queue: QueueClient): Promise<ResultMessage[]> {
  const receiver = queue.receiver(RESULTS);
  const results: ResultMessage[] = [];
  for (;;) {
    const batch = await receiver.receive(100, 50);
    if (batch.length === 0) break;
    for (const m of batch) {
      results.push(resultMessageSchema.parse(m.body));
      await receiver.complete(m);
    }
  }
  await receiver.close();
  return results;
}

async function findByAnchor(groupId: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(fx.ouDn, { scope: 'sub', filter: `(adminDescription=Group_${groupId})`, attributes: ['1.1'] });
  return searchEntries.map((e) => e.dn);
}

describe('relay during a DC outage', () => {
  it('keeps the message through an outage longer than maxDeliveryCount x retryDelay, takes no new group, then applies both', async () => {
    const broker = newBroker();
    const events: string[] = [];
    const queue = recording(broker.client(), events);
    const relay = await start(queue);
    proxy.cut();
    const [a, b] = [newGroupId(), newGroupId()];
    await send(queue, [upsertMessage(a, 1)]);
    await expect.poll(() => relay.stats.retries, { timeout: 10_000 }).toBeGreaterThan(0);
    // The other worker may still be in an accept that began before the gate closed.
    await sleep(300);
    await send(queue, [upsertMessage(b, 1)]);
    await sleep(3_000); // 10 x (maxDeliveryCount x retryDelay), 3 x the lock duration
    expect(relay.stats.sessions).toBe(1);
    expect(relay.stats.retries).toBeGreaterThan(1);
    expect(await takeResults(queue)).toEqual([]);
    expect(await queue.peekDeadLetters(WRITEBACK, 10)).toEqual([]);

    proxy.restore();
    await expect.poll(() => relay.stats.applied, { timeout: 15_000 }).toBe(2);
    const results = await takeResults(queue);
    expect(results.map((r) => [r.groupId, r.outcome]).sort()).toEqual([[a, 'applied'], [b, 'applied']].sort());
    // Each message was delivered once: no abandon, no lock expiry, nothing dead-lettered.
    expect(events.sort()).toEqual([`complete ${a}:1 1`, `complete ${b}:1 1`].sort());
    expect(await queue.peekDeadLetters(WRITEBACK, 10)).toEqual([]);
    expect(await findByAnchor(a)).toHaveLength(1);
    expect(await findByAnchor(b)).toHaveLength(1);
  });

  it('a relay stopped while waiting for the DC lets the message go without counting a delivery', async () => {
    const broker = newBroker();
    const events: string[] = [];
    const queue = recording(broker.client(), events);
    const first = await start(queue);
    proxy.cut();
    const groupId = newGroupId();
    await send(queue, [upsertMessage(groupId, 1)]);
    await expect.poll(() => first.stats.retries, { timeout: 10_000 }).toBeGreaterThan(0);
    await sleep(1_500);
    const stopping = Date.now();
    await first.stop();
    running.splice(running.indexOf(first), 1);
    expect(Date.now() - stopping).toBeLessThan(2_000);
    expect(events).toEqual([]);
    expect(broker.counts(WRITEBACK)).toMatchObject({ active: 1, locked: 0, deadLettered: 0 });

    // A relay started while the DC is still away waits for it (no DC at start-up), then applies the message.
    const second = await start(queue);
    await sleep(1_500);
    expect(second.stats.sessions).toBe(0);
    proxy.restore();
    await expect.poll(() => second.stats.applied, { timeout: 15_000 }).toBe(1);
    expect(events).toEqual([`complete ${groupId}:1 1`]);
    expect((await takeResults(queue)).map((r) => r.outcome)).toEqual(['applied']);
  });
});
