// A delta round end to end on the cloud side: the Graph simulator (through the real Graph client), the
// embedded queue and the in-memory tables. The messages on the writeback queue are checked against the
// policy and applied to a model of the relay, which must end up holding what the cloud says AD should.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { GraphDirectoryReader } from '../../shared/adapters/graph/directory.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { writebackMessageSchema } from '../../shared/contracts/writeback-message.js';
import { runDeltaRound, type DeltaRoundDeps, type RoundRequest } from '../../shared/app/round/run-round.js';
import { applyStatusUpdate } from '../../shared/app/status/group-status.js';
import { readGroupStatuses, type GroupStatusStore } from '../../shared/state/group-status-record.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import type { SnapshotMessage, UpsertMessage, WritebackMessage } from '../../shared/domain/model.js';
import { silentLogger } from '../../shared/logging.js';
import { SERVICE_BUS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import type { QueueClient } from '../../shared/ports/queue.js';
import { createPlannerStore, type PlannerStore } from '../../shared/state/planner-store.js';
import { ensureTables, TABLES } from '../../shared/state/tables.js';
import { WritebackModel } from '../support/writeback-model.js';

const QUEUE = 'writeback';
const id = (n: number, kind = 'a'): string => `${kind.padEnd(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const U = (n: number) => id(n, 'a1');
const G = (n: number) => id(n, 'b1');

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({ pageSize: 7 });
});
afterAll(async () => {
  await sim.close();
});

interface World {
  deps: DeltaRoundDeps;
  store: PlannerStore;
  tables: MemoryTableStore;
  statuses: GroupStatusStore;
  queue: QueueClient;
  model: WritebackModel;
  round(request?: RoundRequest): Promise<WritebackMessage[]>;
}

let world: World;

async function drain(queue: QueueClient): Promise<WritebackMessage[]> {
  const out: WritebackMessage[] = [];
  for (;;) {
    const session = await queue.acceptNextSession(QUEUE, 20);
    if (session === null) return out;
    for (;;) {
      const batch = await session.receive(1000, 10);
      if (batch.length === 0) break;
      for (const m of batch) {
        const body = writebackMessageSchema.parse(m.body);
        expect(m.sessionId).toBe(body.groupId);
        expect(m.messageId).toBe(`${body.groupId}:${body.seq}`);
        expect(Buffer.byteLength(JSON.stringify(m.body), 'utf8')).toBeLessThan(SERVICE_BUS_MESSAGE_BYTES);
        out.push(body);
        await session.complete(m);
      }
    }
    await session.close();
  }
}

beforeEach(async () => {
  sim.control.reset();
  const broker = new EmbeddedBroker();
  broker.declareQueue(QUEUE, { requiresSession: true });
  const queue = broker.client();
  const tables = new MemoryTableStore();
  await ensureTables(tables);
  await tables.ensureTable(TABLES.groupStatus);
  const store = createPlannerStore(tables);
  const statuses = tableGroupStatusStore(tables);
  const client = createGraphClient({ baseUrl: sim.baseUrl });
  const deps: DeltaRoundDeps = {
    tenantId: sim.tenantId,
    directory: new GraphDirectoryReader(client, { baseUrl: sim.baseUrl, log: silentLogger() }),
    store,
    writeback: queue.sender(QUEUE),
    statuses,
    log: silentLogger(),
    now: () => new Date(),
    chunkSize: 3,
  };
  const model = new WritebackModel();
  world = {
    deps,
    store,
    tables,
    statuses,
    queue,
    model,
    async round(request = { mode: 'delta' }) {
      await runDeltaRound(deps, request);
      const messages = await drain(queue);
      model.applyAll(messages);
      return messages;
    },
  };
});
afterEach(async () => {
  await world.queue.close();
});

const byGroup = (ms: WritebackMessage[]) => {
  const out = new Map<string, WritebackMessage[]>();
  for (const m of ms) out.set(m.groupId, [...(out.get(m.groupId) ?? []), m]);
  return out;
};

function seedTenant(): { sid: (n: number) => string } {
  const c = sim.control;
  const sids = new Map<number, string>();
  for (const n of [1, 2, 3]) sids.set(n, String(c.createUser({ id: U(n), displayName: `Synced ${n}`, synced: true })['onPremisesSecurityIdentifier']));
  c.createUser({ id: U(9), displayName: 'Cloud only' });
  sids.set(50, String(c.createGroup({ id: G(50), displayName: 'From AD', kind: 'security', synced: true })['onPremisesSecurityIdentifier']));
  c.createGroup({ id: G(1), displayName: 'Sales', kind: 'm365', description: 'Sales team', members: [U(1), U(9)] });
  c.createGroup({ id: G(2), displayName: 'Child', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(2)] });
  c.createGroup({ id: G(3), displayName: 'App access', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(3), G(2), G(50), G(4)].slice(0, 3) });
  c.createGroup({ id: G(4), displayName: 'Not enabled', kind: 'security', members: [U(1)] });
  c.createGroup({ id: G(5), displayName: 'DL', kind: 'distribution', writebackConfiguration: { isEnabled: true } });
  c.createGroup({ id: G(6), displayName: 'Mail sec', kind: 'mailEnabledSecurity', writebackConfiguration: { isEnabled: true } });
  c.createGroup({ id: G(7), displayName: 'Legal', kind: 'm365', writebackConfiguration: { onPremisesGroupType: 'universalMailEnabledSecurityGroup' }, members: [U(2)] });
  c.addMembers(G(3), [G(4)]);
  return { sid: (n) => sids.get(n)! };
}

describe('delta round against the Graph simulator', () => {
  it('first round writes what the policy says, with members by SID or anchor, and records skipped groups', async () => {
    const { sid } = seedTenant();
    const messages = await world.round();
    const groups = byGroup(messages);
    expect([...groups.keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    expect(messages.every((m) => m.kind === 'snapshot')).toBe(true);
    expect(world.model.groups.get(G(1))).toMatchObject({ cn: `Group_${G(1)}`, groupType: 8, description: 'Sales team' });
    expect(world.model.groups.get(G(7))).toMatchObject({ groupType: -2147483640 });
    expect(world.model.membersOf(G(1))).toEqual([`sid:${sid(1)}`]);
    // nested: the written child by anchor, the group synced from AD by SID, the not-enabled group skipped
    expect(world.model.membersOf(G(3))).toEqual([`group:Group_${G(2)}`, `sid:${sid(3)}`, `sid:${sid(50)}`].sort());

    const statuses = new Map((await readGroupStatuses(world.statuses)).map((s) => [s.groupId, s]));
    for (const skipped of [G(4), G(5), G(6), G(50)]) expect(statuses.get(skipped)).toMatchObject({ state: 'skipped' });
    expect(statuses.get(G(5))!.reason).toMatch(/distribution/);
    expect(statuses.get(G(1))).toMatchObject({ state: 'pending', intent: 'write', cloudOnlyMembers: 1 });
    expect(statuses.get(G(1))!.memberErrors).toEqual([{ member: U(9), code: 'cloudOnlyUser', message: expect.stringContaining('cloud-only') }]);
    // the relay's result for the change set keeps the planner's member errors next to its own
    const first = messages.find((m) => m.groupId === G(1))!;
    await applyStatusUpdate(world.statuses, {
      kind: 'result',
      at: new Date().toISOString(),
      result: {
        v: 1, tenantId: sim.tenantId, groupId: G(1), seq: first.seq, messageId: `${G(1)}:${first.seq}`, kind: 'snapshot', outcome: 'partial',
        ad: null, memberErrors: [{ member: U(1), code: 'noSuchObject', message: 'not found' }], error: null,
        membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'test', at: new Date().toISOString(),
      },
    });
    const after = (await world.statuses.read(sim.tenantId, G(1)))!.status;
    expect(after.memberErrors.map((e) => e.member).sort()).toEqual([U(1), U(9)].sort());
    expect((await world.store.tokens.load(sim.tenantId))?.deltaLink).toBeTruthy();
  });

  it('later rounds send only what changed; replanning without changes sends nothing', async () => {
    const { sid } = seedTenant();
    await world.round();
    const c = sim.control;
    c.addMembers(G(1), [U(2)]);
    c.removeMembers(G(1), [U(1)]);
    c.updateGroup(G(2), { properties: { displayName: 'Child renamed' } });
    c.deleteGroup(G(7)); // Microsoft 365: soft delete
    const firstSeq = (await world.store.groups.load(sim.tenantId, G(1)))!.seq;
    const messages = await world.round();
    const groups = byGroup(messages);
    expect([...groups.keys()].sort()).toEqual([G(1), G(2), G(7)].sort());
    expect(groups.get(G(1))).toMatchObject([{ kind: 'upsert', add: [{ kind: 'sid', sid: sid(2) }], remove: [{ kind: 'sid', sid: sid(1) }] }]);
    expect(groups.get(G(1))![0]!.seq).toBeGreaterThan(firstSeq);
    expect(groups.get(G(2))).toMatchObject([{ kind: 'upsert', header: { displayName: 'Child renamed', cn: `Group_${G(2)}` }, add: [], remove: [] }]);
    expect(groups.get(G(7))).toMatchObject([{ kind: 'snapshot', members: [], part: 1, parts: 1 }]);
    expect(world.model.membersOf(G(7))).toEqual([]);

    expect(await world.round()).toEqual([]);

    c.restore(G(7));
    const restored = await world.round();
    expect(restored).toMatchObject([{ groupId: G(7), kind: 'snapshot' }]);
    expect(world.model.membersOf(G(7))).toEqual([`sid:${sid(2)}`]);

    c.deleteGroup(G(7)); // soft-deleted first, then permanently
    c.purge(G(7));
    const purged = await world.round();
    expect(purged).toMatchObject([{ groupId: G(7), kind: 'delete', reason: 'hardDeleted' }]);
  });

  it('a writebackConfiguration change named by a notification is picked up; disabling deletes', async () => {
    const { sid } = seedTenant();
    await world.round();
    sim.control.updateGroup(G(4), { writebackConfiguration: { isEnabled: true } });
    sim.control.updateGroup(G(1), { writebackConfiguration: { isEnabled: false } });
    const messages = await world.round({ mode: 'delta', groupIds: [G(4), G(1)] });
    const groups = byGroup(messages);
    expect(groups.get(G(4))).toMatchObject([{ kind: 'snapshot', members: [{ kind: 'sid', sid: sid(1) }] }]);
    expect(groups.get(G(1))).toMatchObject([{ kind: 'delete', reason: 'writebackDisabled' }]);
    expect(world.model.groups.has(G(1))).toBe(false);
  });

  it('a nested group that becomes written back is added to its parents by anchor, and removed when it stops', async () => {
    seedTenant(); // G(3) holds G(4), which is not enabled: skipped in G(3)
    await world.round();
    expect(world.model.membersOf(G(3))).not.toContain(`group:Group_${G(4)}`);
    sim.control.updateGroup(G(4), { writebackConfiguration: { isEnabled: true } });
    const enabled = byGroup(await world.round({ mode: 'delta', groupIds: [G(4)] }));
    expect(enabled.get(G(4))).toMatchObject([{ kind: 'snapshot' }]);
    expect(enabled.get(G(3))).toMatchObject([{ kind: 'upsert', add: [{ kind: 'group', anchor: `Group_${G(4)}` }], remove: [] }]);
    expect(world.model.membersOf(G(3))).toContain(`group:Group_${G(4)}`);

    sim.control.updateGroup(G(4), { writebackConfiguration: { isEnabled: false } });
    const disabled = byGroup(await world.round({ mode: 'delta', groupIds: [G(4)] }));
    expect(disabled.get(G(4))).toMatchObject([{ kind: 'delete', reason: 'writebackDisabled' }]);
    expect(disabled.get(G(3))).toMatchObject([{ kind: 'upsert', add: [], remove: [{ kind: 'group', anchor: `Group_${G(4)}` }] }]);
    const status = (await world.statuses.read(sim.tenantId, G(3)))!.status;
    expect(status.memberErrors).toEqual([expect.objectContaining({ member: G(4), code: 'cloudOnlyGroupNotWrittenBack' })]);
  });

  it('a big group spans delta pages and is split into snapshot parts and upserts under 256 KB', async () => {
    sim.control.setDeltaBehavior({ pageSize: 500, replayEvery: 7 });
    const members: string[] = [];
    for (let n = 1; n <= 3000; n++) {
      members.push(U(1000 + n));
      sim.control.createUser({ id: U(1000 + n), displayName: `User ${n}`, synced: true });
    }
    sim.control.createGroup({ id: G(1), displayName: 'Everyone', kind: 'security', writebackConfiguration: { isEnabled: true } });
    for (let i = 0; i < members.length; i += 20) sim.control.addMembers(G(1), members.slice(i, i + 20));
    const messages = await world.round();
    const parts = messages as SnapshotMessage[];
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i + 1));
    expect(world.model.membersOf(G(1))).toHaveLength(3000);

    sim.control.removeMembers(G(1), members.slice(0, 2500));
    const removal = (await world.round()) as UpsertMessage[];
    expect(removal.length).toBeGreaterThan(1);
    expect(removal.flatMap((m) => m.remove)).toHaveLength(2500);
    expect(world.model.membersOf(G(1))).toHaveLength(500);
  });

  it('a refused delta token (410 Gone) starts a full round: every written group gets a snapshot, skipped ones nothing', async () => {
    seedTenant();
    await world.round();
    sim.control.addMembers(G(2), [U(3)]);
    sim.control.invalidateDeltaTokens('gone');
    const before = new Map(world.model.groups);
    const messages = await world.round();
    expect(new Set(messages.map((m) => m.kind))).toEqual(new Set(['snapshot']));
    expect([...byGroup(messages).keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    expect(world.model.membersOf(G(2))).toHaveLength(2);
    expect(world.model.groups.size).toBe(before.size);
    // and the next round is incremental again
    expect(await world.round()).toEqual([]);
  });

  it('syncStateNotFound and resyncRequired are full rounds too; a group deleted meanwhile is found missing', async () => {
    seedTenant();
    await world.round();
    sim.control.invalidateDeltaTokens('syncStateNotFound');
    sim.control.deleteGroup(G(2)); // security group: permanent in Entra
    const messages = await world.round();
    expect(byGroup(messages).get(G(2))).toMatchObject([{ kind: 'delete', reason: 'hardDeleted' }]);
    sim.control.invalidateDeltaTokens('resyncRequired');
    const again = await world.round();
    expect(again.every((m) => m.kind === 'snapshot')).toBe(true);
  });

  it('settings changes re-evaluate every group: v1 -> v2, cn format, tenant default, tenant switch', async () => {
    seedTenant();
    await world.store.settings.update(sim.tenantId, { groupWritebackV2: false });
    await world.round();
    expect([...world.model.groups.keys()].sort()).toEqual([G(1), G(7)].sort());
    expect(world.model.groups.get(G(7))!.groupType).toBe(8);

    await world.store.settings.update(sim.tenantId, { groupWritebackV2: true, cnFormat: 'displayName' });
    await world.round();
    expect([...world.model.groups.keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    expect(world.model.groups.get(G(7))).toMatchObject({ groupType: -2147483640, cn: `Legal_${G(7).slice(-12)}` });

    sim.control.setTenantSettings({ newUnifiedGroupWritebackDefault: false });
    const m = await world.round();
    expect(m.filter((x) => x.kind === 'delete').map((x) => x.groupId).sort()).toEqual([G(1), G(7)].sort());

    await world.store.settings.update(sim.tenantId, { writebackEnabled: false });
    const off = await world.round();
    expect(off.filter((x) => x.kind === 'delete').map((x) => [x.groupId, x.kind === 'delete' ? x.reason : ''])).toEqual(
      [G(2), G(3)].sort().map((g) => [g, 'tenantDisabled']),
    );
    expect(world.model.groups.size).toBe(0);
  });

  it('reconcile sends every written group again; a resync of named groups reads them alone and keeps the token', async () => {
    seedTenant();
    await world.round();
    const token = await world.store.tokens.load(sim.tenantId);
    const reconcile = await world.round({ mode: 'reconcile' });
    expect([...byGroup(reconcile).keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    const one = await world.round({ mode: 'full', groupIds: [G(3)] });
    expect(one.map((m) => [m.groupId, m.kind])).toEqual([[G(3), 'snapshot']]);
    expect((await world.store.tokens.load(sim.tenantId))!.deltaLink).not.toBe('');
    expect(token).not.toBeNull();
  });

  it('throttling (429 with Retry-After) on delta, getByIds and inside $batch is waited out', async () => {
    seedTenant();
    sim.control.addFailure({ match: '^GET /v1.0/groups/delta', kind: 'throttle', everyNth: 2, times: 2, retryAfterSeconds: 1 });
    sim.control.addFailure({ match: '^POST /v1.0/directoryObjects/getByIds', kind: 'throttle', times: 1, retryAfterSeconds: 1 });
    sim.control.addFailure({ match: '^GET /beta/groups/', kind: 'throttle', times: 2, retryAfterSeconds: 1, inBatch: true });
    const messages = await world.round();
    expect([...byGroup(messages).keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    expect(sim.control.listFailures().every((f) => f.fired > 0)).toBe(true);
  });

  it('after the planner state is wiped, the next round uses new messageIds above every earlier seq, and AD converges', async () => {
    const { sid } = seedTenant();
    const sent = [...(await world.round())];
    sim.control.addMembers(G(1), [U(2)]);
    sent.push(...(await world.round()));
    // state lost: planned groups, member entries, token and journal all gone (the relay keeps its watermark)
    const tables = new MemoryTableStore();
    await ensureTables(tables);
    world.deps.store = createPlannerStore(tables);
    sim.control.removeMembers(G(1), [U(1)]);
    const applied = world.model.applied;
    const again = await world.round();
    for (const group of [G(1), G(2), G(3), G(7)]) {
      const earlier = sent.filter((m) => m.groupId === group);
      const later = again.filter((m) => m.groupId === group);
      expect(later.length).toBeGreaterThan(0);
      expect(Math.min(...later.map((m) => m.seq))).toBeGreaterThan(Math.max(...earlier.map((m) => m.seq)));
      const earlierIds = new Set(earlier.map((m) => `${m.groupId}:${m.seq}`));
      expect(later.filter((m) => earlierIds.has(`${m.groupId}:${m.seq}`))).toEqual([]);
    }
    // the relay model refuses seqs at or below what it applied: every new message was taken
    expect(world.model.applied - applied).toBe(again.length);
    expect(world.model.membersOf(G(1))).toEqual([`sid:${sid(2)}`]);
  });

  it('a crash after sending and before saving is repaired: duplicates are dropped and AD converges', async () => {
    const { sid } = seedTenant();
    await world.round();
    sim.control.addMembers(G(1), [U(3)]);
    const save = world.store.groups.save.bind(world.store.groups);
    world.store.groups.save = () => Promise.reject(new Error('storage down'));
    await expect(runDeltaRound(world.deps, { mode: 'delta' })).rejects.toThrow('storage down');
    world.store.groups.save = save;
    // what the lost round sent reaches the relay
    world.model.applyAll(await drain(world.queue));
    sim.control.removeMembers(G(1), [U(1)]);
    const messages = await world.round();
    expect(messages.filter((m) => m.groupId === G(1)).map((m) => m.kind)).toEqual(['snapshot']);
    expect(world.model.membersOf(G(1))).toEqual([`sid:${sid(3)}`]);
    expect(await world.round()).toEqual([]);
    expect((await world.store.journal.read(sim.tenantId)).size).toBe(0);
  });
});
