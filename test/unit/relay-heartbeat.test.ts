// The relay's heartbeat and what the cloud makes of it: beats on its schedule (first after one interval, then
// every interval, none after stop), says a failed send once per cause; recordResults tells a heartbeat from a
// result, keeps one row per relay with how long it has been silent, ignores a retried older beat, and records
// a `relay --check` beat as a check only. Results of relays that did not report a version stay valid.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { Heartbeat, heartbeatMessage } from '../../relay/consume/heartbeat.js';
import { emptyStats } from '../../relay/consume/stats.js';
import { recordResult, type ResultsRecorderDeps } from '../../shared/app/status/results-recorder.js';
import { heartbeatMessageSchema } from '../../shared/contracts/heartbeat-message.js';
import { PoisonMessageError } from '../../shared/contracts/poison.js';
import { resultMessageSchema } from '../../shared/contracts/result-message.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type { OutgoingMessage, QueueSender } from '../../shared/ports/queue.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { RelayRepository } from '../../shared/state/relays.js';

class Sent implements QueueSender {
  messages: { at: number; message: OutgoingMessage }[] = [];
  failWith: string | null = null;
  attempts = 0;
  send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.attempts += 1;
    if (this.failWith) return Promise.reject(new Error(this.failWith));
    for (const message of messages) this.messages.push({ at: performance.now(), message });
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function capture(): { log: Logger; warnings: () => string[] } {
  const records: { level: number; err?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as { level: number; err?: string });
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), warnings: () => records.filter((r) => r.level === 40).map((r) => r.err ?? '') };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function beat(mode: 'running' | 'check', at: string, applied = 0): unknown {
  const stats = { ...emptyStats(), applied, messages: applied };
  return heartbeatMessage({ mode, relayId: 'relay-01', version: '1.2.3', dc: 'ldaps://dc1', directoryAvailable: true, startedAt: new Date('2030-01-01T00:00:00Z'), stats, at: new Date(at) }).body;
}

function recorder(now: { t: Date }): { deps: ResultsRecorderDeps; relays: RelayRepository } {
  const tables = new MemoryTableStore();
  const relays = new RelayRepository(tables);
  const changes = new Sent();
  return { deps: { statuses: tableGroupStatusStore(tables), relays, changes, log: silentLogger(), now: () => now.t }, relays };
}

describe('relay heartbeat', () => {
  it('beats every interval from one interval after start, and not after stop', async () => {
    const sent = new Sent();
    const stats = emptyStats();
    const started = performance.now();
    const heartbeat = new Heartbeat({
      relayId: 'relay-01',
      version: '1.2.3',
      intervalMs: 40,
      results: sent,
      stats,
      directory: () => ({ dc: 'ldaps://dc2', available: false }),
      startedAt: new Date(),
      log: silentLogger(),
    });
    heartbeat.start();
    stats.applied = 5;
    for (let waited = 0; sent.messages.length < 2 && waited < 5_000; waited += 10) await sleep(10);
    await heartbeat.stop();
    const elapsed = performance.now() - started;
    const count = sent.messages.length;
    await sleep(100);
    expect(sent.messages.length).toBe(count);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(Math.floor(elapsed / 40));
    expect(sent.messages[0]!.at - started).toBeGreaterThanOrEqual(38);
    const first = sent.messages[0]!.message;
    expect(first.subject).toBe('heartbeat');
    expect(heartbeatMessageSchema.parse(first.body)).toMatchObject({ mode: 'running', relayId: 'relay-01', version: '1.2.3', dc: 'ldaps://dc2', directoryAvailable: false, counts: { applied: 5 } });
  });

  it('says a failed send when its cause changes, not at every beat', async () => {
    const sent = new Sent();
    sent.failWith = 'Service Bus unreachable';
    const { log, warnings } = capture();
    const heartbeat = new Heartbeat({ relayId: 'r', version: '1', intervalMs: 10, results: sent, stats: emptyStats(), directory: () => ({ dc: 'x', available: true }), startedAt: new Date(), log });
    const attempts = async (n: number): Promise<void> => {
      for (let waited = 0; sent.attempts < n && waited < 5_000; waited += 5) await sleep(5);
    };
    heartbeat.start();
    await attempts(3);
    sent.failWith = 'Unauthorized access';
    await attempts(sent.attempts + 3);
    await heartbeat.stop();
    expect(warnings()).toEqual(['Service Bus unreachable', 'Unauthorized access']);
  });
});

describe('recordResults and heartbeats', () => {
  it('records a heartbeat per relay and lists how long each has been silent', async () => {
    const now = { t: new Date('2030-01-01T01:00:00.000Z') };
    const { deps, relays } = recorder(now);
    expect(await recordResult(deps, beat('running', '2030-01-01T00:59:59.000Z', 3))).toBe('heartbeat');
    // A retried copy of an older beat changes nothing.
    now.t = new Date('2030-01-01T01:00:30.000Z');
    expect(await recordResult(deps, beat('running', '2030-01-01T00:59:00.000Z', 1))).toBe('heartbeat');
    const [listed] = await relays.list(new Date('2030-01-01T01:05:00.000Z'));
    expect(listed).toMatchObject({ relayId: 'relay-01', version: '1.2.3', host: expect.any(String), dc: 'ldaps://dc1', counts: { applied: 3 }, silentForSeconds: 300, lastCheckAt: null });
  });

  it('records a check as a check: it never makes a relay look alive', async () => {
    const now = { t: new Date('2030-01-01T02:00:00.000Z') };
    const { deps, relays } = recorder(now);
    await recordResult(deps, beat('check', '2030-01-01T02:00:00.000Z'));
    expect((await relays.list(now.t))[0]).toMatchObject({ relayId: 'relay-01', lastCheckAt: now.t.toISOString(), lastHeartbeatAt: null, silentForSeconds: null });
    // A running beat sent before the check (relay clock) still counts; a later check keeps it.
    now.t = new Date('2030-01-01T02:01:00.000Z');
    await recordResult(deps, beat('running', '2030-01-01T01:59:00.000Z', 2));
    now.t = new Date('2030-01-01T02:02:00.000Z');
    await recordResult(deps, beat('check', '2030-01-01T02:02:00.000Z'));
    expect((await relays.list(now.t))[0]).toMatchObject({ lastHeartbeatAt: '2030-01-01T02:01:00.000Z', lastCheckAt: '2030-01-01T02:02:00.000Z', silentForSeconds: 60, counts: { applied: 2 } });
  });

  it('treats a body that claims to be a heartbeat but is not one as poison', async () => {
    const { deps } = recorder({ t: new Date() });
    const error = await recordResult(deps, { type: 'heartbeat', relayId: 'relay-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoisonMessageError);
    expect((error as PoisonMessageError).reason).toBe('InvalidHeartbeatMessage');
  });
});

describe('result messages', () => {
  const result = {
    v: 1, tenantId: 't', groupId: 'g', seq: 1, messageId: 'result:g:1', kind: 'upsert', outcome: 'applied', ad: null, memberErrors: [], error: null,
    membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'relay-01', at: '2030-01-01T00:00:00.000Z',
  };

  it('carry the relay version, and results of older relays without one stay valid', () => {
    expect(resultMessageSchema.parse(result)).not.toHaveProperty('relayVersion');
    expect(resultMessageSchema.parse({ ...result, relayVersion: '0.1.0' }).relayVersion).toBe('0.1.0');
  });
});
