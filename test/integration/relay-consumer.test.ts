// The relay as a whole (startRelay) on the embedded queue against the real Samba DC: results before
// settlement, invalid messages dead-lettered, permanent failures reported and dead-lettered at once, DC
// failover, snapshots applied part by part and settled after the last (also across a restart), staging
// mode, the relay's version in results and its heartbeats (recorded as recordResults does). DC outages:
// relay-outage.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { recordResult } from '../../shared/app/status/results-recorder.js';
import { heartbeatMessageSchema, type HeartbeatMessage } from '../../shared/contracts/heartbeat-message.js';
import { isProgressBody, progressMessageSchema, resultMessageSchema, type ResultMessage } from '../../shared/contracts/result-message.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { RelayRepository } from '../../shared/state/relays.js';
import { writebackMessageId, type MemberRef, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { silentLogger } from '../../shared/logging.js';
import { sleep } from '../../shared/timers.js';
import type { OutgoingMessage, QueueClient, SessionReceiver } from '../../shared/ports/queue.js';
import type { RelayConfigInput } from '../../relay/config.js';
import { startRelay, type RunningRelay } from '../../relay/main.js';
import { readMembers } from '../../relay/ldap/ranged-members.js';
import { addMembers, createUser, readObject, uniqueSuffix, type AdObject } from '../support/ad.js';
import {
  deleteMessage,
  headerFor,
  newGroupId,
  relayFixture,
  sidRef,
  snapshotMessages,
  upsertMessage,
  TENANT_ID,
  type RelayFixture,
} from '../support/relay-fixture.js';

const WRITEBACK = 'writeback';
const RESULTS = 'writeback-results';
const MAX_DELIVERY = 3;

let fx: RelayFixture;
let usersOu: string;
const running: RunningRelay[] = [];

beforeAll(async () => {
  fx = await relayFixture('relay-consumer');
  usersOu = `OU=People,${fx.ouDn}`;
  await fx.admin.add(usersOu, { objectClass: ['top', 'organizationalUnit'] });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await fx?.close();
});

function newBroker(): EmbeddedBroker {
  return new EmbeddedBroker({
    queues: {
      [WRITEBACK]: { requiresSession: true, maxDeliveryCount: MAX_DELIVERY },
      [RESULTS]: { requiresSession: false },
    },
  });
}

/** A queue client that records, in order, results sent and writeback messages settled. */
function recording(client: QueueClient, events: string[]): QueueClient {
  const wrapSession = (s: SessionReceiver): SessionReceiver => ({
    sessionId: s.sessionId,
    receive: (max, wait) => s.receive(max, wait),
    renewSessionLock: () => s.renewSessionLock(),
    close: () => s.close(),
    complete: async (m) => {
      await s.complete(m);
      events.push(`complete ${m.messageId}`);
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
    sender: (queue) => {
      const sender = client.sender(queue);
      return {
        send: async (messages) => {
          await sender.send(messages);
          for (const m of messages) events.push(`send ${m.messageId}`);
        },
        close: () => sender.close(),
      };
    },
    receiver: (queue) => client.receiver(queue),
    acceptNextSession: async (queue, wait) => {
      const s = await client.acceptNextSession(queue, wait);
      return s ? wrapSession(s) : null;
    },
    peekDeadLetters: (queue, max) => client.peekDeadLetters(queue, max),
    deadLetterReceiver: (queue) => client.deadLetterReceiver(queue),
    close: () => client.close(),
  };
}

async function start(queue: QueueClient, overrides: Partial<RelayConfigInput> = {}): Promise<RunningRelay> {
  const relay = await startRelay({
    config: fx.config({
      sessions: { concurrency: 2, receiveWaitMs: 100, retryDelayMs: 100, snapshotPartWaitMs: 2_000, lockRenewMs: 5_000 },
      ...overrides,
    }),
    queue,
    log: silentLogger(),
    env: fx.processEnv,
  });
  running.push(relay);
  return relay;
}

function outgoing(message: WritebackMessage, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { messageId: writebackMessageId(message.groupId, message.seq), sessionId: message.groupId, body: message, ...extra };
}

async function send(queue: QueueClient, messages: WritebackMessage[]): Promise<void> {
  await queue.sender(WRITEBACK).send(messages.map((m) => outgoing(m)));
}

async function drained(broker: EmbeddedBroker, relay: RunningRelay): Promise<void> {
  expect(await broker.whenIdle(WRITEBACK, 30_000)).toBe(true);
  await relay.idle();
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

async function users(n: number): Promise<AdObject[]> {
  const created: AdObject[] = [];
  for (let i = 0; i < n; i += 1) created.push(await createUser(fx.admin, usersOu, `c${uniqueSuffix()}`));
  return created;
}

async function findByAnchor(groupId: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(fx.ouDn, { scope: 'sub', filter: `(adminDescription=Group_${groupId})`, attributes: ['1.1'] });
  return searchEntries.map((e) => e.dn);
}

describe('relay consumer', () => {
  it('applies a session in order and sends each result before settling its message', async () => {
    const broker = newBroker();
    const events: string[] = [];
    const queue = recording(broker.client(), events);
    const relay = await start(queue);
    const groupId = newGroupId();
    const people = await users(3);
    await send(queue, [
      upsertMessage(groupId, 1, { add: [sidRef(people[0]!.objectSid)] }),
      ...snapshotMessages(groupId, 2, [sidRef(people[1]!.objectSid), sidRef(people[2]!.objectSid)], { parts: 2 }),
    ]);
    await drained(broker, relay);
    const results = await takeResults(queue);
    expect(results.map((r) => [r.messageId, r.kind, r.outcome])).toEqual([
      [`result:${groupId}:1`, 'upsert', 'applied'],
      [`result:${groupId}:2`, 'snapshot', 'applied'],
      [`result:${groupId}:3`, 'snapshot', 'applied'],
    ]);
    expect(results[2]).toMatchObject({ membersRemoved: 1, relayId: 'relay-test', tenantId: TENANT_ID, groupId });
    expect(results.every((r) => r.ad?.objectGUID === results[0]!.ad?.objectGUID)).toBe(true);
    for (const seq of [1, 2, 3]) {
      const sent = events.indexOf(`send result:${groupId}:${seq}`);
      const completed = events.indexOf(`complete ${groupId}:${seq}`);
      expect(sent).toBeGreaterThanOrEqual(0);
      expect(completed).toBeGreaterThan(sent);
    }
    const members = await readMembers(fx.directory, results[0]!.ad!.dn);
    expect(members.map((m) => m.sid).sort()).toEqual([people[1]!.objectSid, people[2]!.objectSid].sort());
    expect(relay.stats).toMatchObject({ messages: 3, applied: 3, failed: 0 });
  });

  it('dead-letters an invalid message with the validation text, and carries on with the session', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const relay = await start(queue);
    const groupId = newGroupId();
    const bad = { ...upsertMessage(groupId, 1), header: { ...headerFor(groupId), cn: '' } };
    await queue.sender(WRITEBACK).send([
      { messageId: `${groupId}:1`, sessionId: groupId, body: bad },
      outgoing(upsertMessage(groupId, 2)),
    ]);
    await drained(broker, relay);
    const [dead] = await queue.peekDeadLetters(WRITEBACK, 10);
    expect(dead?.messageId).toBe(`${groupId}:1`);
    expect(dead?.deadLetterReason).toBe('InvalidMessage');
    expect(dead?.deadLetterDescription).toContain('header.cn');
    const results = await takeResults(queue);
    expect(results.map((r) => r.seq)).toEqual([2]);
    expect(await findByAnchor(groupId)).toHaveLength(1);
  });

  it('fails over to the next DC in the list', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const relay = await start(queue, { ldap: { ...fx.config().ldap, urls: ['ldaps://127.0.0.1:1', fx.dc.url] } });
    expect(relay.dcUrl()).toBe(fx.dc.url);
    const groupId = newGroupId();
    await send(queue, [upsertMessage(groupId, 1)]);
    await drained(broker, relay);
    expect((await takeResults(queue))[0]?.outcome).toBe('applied');
  });

  it('refuses to start with a wrong bind password, without printing it', async () => {
    const broker = newBroker();
    const error = await startRelay({
      config: fx.config(),
      queue: broker.client(),
      log: silentLogger(),
      env: { RELAY_TEST_BIND_PASSWORD: 'Wrong-Password-123' },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/cannot bind/);
    expect((error as Error).message).not.toContain('Wrong-Password-123');
  });

  it('reports a message that cannot be applied at all as failed and dead-letters it at once', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const relay = await start(queue, { ldap: { ...fx.config().ldap, writebackOu: `OU=Gone,${fx.ouDn}` } });
    const groupId = newGroupId();
    await send(queue, [upsertMessage(groupId, 1)]);
    await drained(broker, relay);
    const [dead] = await queue.peekDeadLetters(WRITEBACK, 10);
    expect(dead).toMatchObject({ deadLetterReason: 'WritebackOuMissing', deliveryCount: 1 });
    expect(relay.stats.retries).toBe(0);
    const [result] = await takeResults(queue);
    expect(result).toMatchObject({ outcome: 'failed', ad: null, error: { code: 'WritebackOuMissing' } });
  });

  it('adds snapshot parts as they come, removes and settles only after the last one, also across a restart of the relay', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const groupId = newGroupId();
    const people = await users(4);
    const sessions = { concurrency: 1, receiveWaitMs: 100, retryDelayMs: 100, snapshotPartWaitMs: 60_000, lockRenewMs: 5_000 };
    // One value a modify: every part's members fill whole modifies, so they are written as the part comes.
    const ldap = { ...fx.config().ldap, memberChunkSize: 1 };
    const first = await start(queue, { sessions, ldap });
    await send(queue, [upsertMessage(groupId, 1, { add: people.slice(0, 2).map((u) => sidRef(u.objectSid)) })]);
    await drained(broker, first);
    const dn = (await takeResults(queue))[0]!.ad!.dn;
    await addMembers(fx.admin, dn, [people[3]!.dn]); // drift
    const parts = snapshotMessages(groupId, 2, [sidRef(people[0]!.objectSid), sidRef(people[2]!.objectSid)], { parts: 3 });
    await send(queue, parts.slice(0, 2));
    await expect.poll(() => first.stats.messages, { timeout: 10_000 }).toBe(3);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    // The parts' members were added, nothing was removed or settled: the parts went back to the queue with the session.
    expect(broker.counts(WRITEBACK)).toMatchObject({ active: 2, deadLettered: 0 });
    expect((await readMembers(fx.directory, dn)).map((m) => m.sid).sort()).toEqual(
      [people[0]!.objectSid, people[1]!.objectSid, people[2]!.objectSid, people[3]!.objectSid].sort(),
    );
    expect(await takeResults(queue)).toEqual([]);

    const second = await start(queue, { sessions, ldap });
    await send(queue, parts.slice(2));
    await drained(broker, second);
    const results = await takeResults(queue);
    expect(results.map((r) => [r.seq, r.outcome])).toEqual([
      [2, 'applied'],
      [3, 'applied'],
      [4, 'applied'],
    ]);
    const members = await readMembers(fx.directory, dn);
    expect(members.map((m) => m.sid).sort()).toEqual([people[0]!.objectSid, people[2]!.objectSid].sort());
  });

  it('renews the session lock while holding snapshot parts longer than the lock lasts', async () => {
    const broker = new EmbeddedBroker({
      queues: {
        [WRITEBACK]: { requiresSession: true, maxDeliveryCount: MAX_DELIVERY, lockDurationMs: 1_000 },
        [RESULTS]: { requiresSession: false },
      },
    });
    const queue = broker.client();
    const relay = await start(queue, {
      sessions: { concurrency: 1, receiveWaitMs: 100, retryDelayMs: 100, snapshotPartWaitMs: 30_000, lockRenewMs: 200 },
    });
    const groupId = newGroupId();
    const people = await users(2);
    const parts = snapshotMessages(groupId, 1, people.map((u) => sidRef(u.objectSid)), { parts: 2 });
    await send(queue, parts.slice(0, 1));
    await expect.poll(() => relay.stats.messages, { timeout: 10_000 }).toBe(1);
    await sleep(2_500); // well past the 1 s lock
    await send(queue, parts.slice(1));
    await drained(broker, relay);
    expect((await takeResults(queue)).map((r) => r.outcome)).toEqual(['applied', 'applied']);
    expect(relay.stats).toMatchObject({ sessions: 1, retries: 0, deadLettered: 0 });
  });

  it('staging mode reports every message as skipped and writes nothing', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const relay = await start(queue, { safety: { stagingMode: true } });
    const groupId = newGroupId();
    const [person] = await users(1);
    await send(queue, [upsertMessage(groupId, 1, { add: [sidRef(person!.objectSid)] }), ...snapshotMessages(groupId, 2, []), deleteMessage(groupId, 3)]);
    await drained(broker, relay);
    const results = await takeResults(queue);
    expect(results.map((r) => r.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(results[0]!.membersAdded).toBe(1);
    expect(await findByAnchor(groupId)).toHaveLength(0);
  });

  it('a big snapshot reports its progress, which the group status shows until the results come', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const relay = await start(queue, {
      safety: { stagingMode: true },
      sessions: { concurrency: 1, receiveWaitMs: 100, retryDelayMs: 100, snapshotPartWaitMs: 2_000, lockRenewMs: 5_000, progressEveryMs: 1 },
    });
    const groupId = newGroupId();
    // Staging with refs marked as users: computed and reported, nothing looked up or written.
    const refs: MemberRef[] = Array.from({ length: 6_000 }, (_, i) => ({ kind: 'sid', cloudId: randomUUID(), sid: `S-1-5-21-7-8-9-${200_000 + i}`, objectType: 'user' }));
    for (const part of snapshotMessages(groupId, 1, refs, { parts: 4 })) await send(queue, [part]);
    await drained(broker, relay);
    const receiver = queue.receiver(RESULTS);
    const received = await receiver.receive(100, 100);
    for (const m of received) await receiver.complete(m);
    await receiver.close();
    const progress = received.filter((m) => isProgressBody(m.body)).map((m) => progressMessageSchema.parse(m.body));
    const results = received.filter((m) => !isProgressBody(m.body)).map((m) => resultMessageSchema.parse(m.body));
    expect(results.map((r) => [r.seq, r.outcome, r.membersAdded])).toEqual([
      [1, 'skipped', 1_500],
      [2, 'skipped', 1_500],
      [3, 'skipped', 1_500],
      [4, 'skipped', 1_500],
    ]);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ groupId, relayId: 'relay-test', progress: { seq: 4, total: 6_000, membersAdded: 0 } });

    const tables = new MemoryTableStore();
    const deps = { statuses: tableGroupStatusStore(tables), relays: new RelayRepository(tables), changes: queue.sender('unused'), log: silentLogger(), now: () => new Date() };
    for (const p of progress) expect(await recordResult(deps, p)).toBe('progress');
    const shown = (await deps.statuses.read(TENANT_ID, groupId))!.status;
    expect(shown.progress).toEqual(last.progress);
    for (const r of results) await recordResult(deps, r);
    expect((await deps.statuses.read(TENANT_ID, groupId))!.status).toMatchObject({ state: 'skipped', progress: null });
  });

  it('recreates a group deleted by hand on the next snapshot', async () => {
    const broker = newBroker();
    const queue = broker.client();
    const relay = await start(queue);
    const groupId = newGroupId();
    const [person] = await users(1);
    await send(queue, [upsertMessage(groupId, 1)]);
    await drained(broker, relay);
    const [created] = await takeResults(queue);
    await fx.admin.del(created!.ad!.dn);
    await send(queue, snapshotMessages(groupId, 2, [sidRef(person!.objectSid)]));
    await drained(broker, relay);
    const [again] = await takeResults(queue);
    expect(again).toMatchObject({ outcome: 'applied', membersAdded: 1 });
    expect(again!.ad!.objectGUID).not.toBe(created!.ad!.objectGUID);
    expect((await readObject(fx.admin, again!.ad!.dn)).member).toHaveLength(1);
  });

  it('reports its version in every result and a heartbeat on its schedule, which recordResults records', async () => {
    const broker = newBroker();
    const relay = await start(broker.client(), { heartbeat: { intervalSeconds: 1 } });
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(relay.version).toBe(version);
    const groupId = newGroupId();
    await send(broker.client(), [upsertMessage(groupId, 1)]);
    await drained(broker, relay);
    // Beats at about 1 s and 2 s after start.
    await sleep(2_300);
    const receiver = broker.client().receiver(RESULTS);
    const received = await receiver.receive(100, 100);
    for (const m of received) await receiver.complete(m);
    await receiver.close();
    const heartbeats = received.filter((m) => m.subject === 'heartbeat');
    const results = received.filter((m) => m.subject === undefined).map((m) => resultMessageSchema.parse(m.body));
    expect(results).toEqual([expect.objectContaining({ groupId, outcome: 'applied', relayVersion: version })]);
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    const beats = heartbeats.map((m) => heartbeatMessageSchema.parse(m.body));
    const last: HeartbeatMessage = beats.at(-1)!;
    expect(last).toMatchObject({ mode: 'running', relayId: 'relay-test', version, dc: fx.dc.url, directoryAvailable: true, counts: { messages: 1, applied: 1 } });
    expect(last.lastMessageAt).not.toBeNull();
    expect(new Set(heartbeats.map((m) => m.messageId)).size).toBe(heartbeats.length);

    const tables = new MemoryTableStore();
    const relays = new RelayRepository(tables);
    const recordedAt = new Date('2030-01-01T00:00:00.000Z');
    const deps = { statuses: tableGroupStatusStore(tables), relays, changes: broker.client().sender('unused'), log: silentLogger(), now: () => recordedAt };
    for (const m of heartbeats) expect(await recordResult(deps, m.body)).toBe('heartbeat');
    const [listed] = await relays.list(new Date(recordedAt.getTime() + 42_000));
    expect(listed).toMatchObject({ relayId: 'relay-test', version, silentForSeconds: 42, counts: { applied: 1 }, lastHeartbeatAt: recordedAt.toISOString() });
  });
});
