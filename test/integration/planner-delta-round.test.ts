// A delta round end to end on the cloud side: the Graph simulator (through the real Graph client), the
// embedded queue and the in-memory tables. The messages on the writeback queue are checked against the
// policy and applied to a model of the relay, which must end up holding what the cloud says AD should.
// Time (the planner's and the queue's) is a manual clock, so the product's own scheduled rechecks can be run.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { GraphDirectoryReader } from '../../shared/adapters/graph/directory.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { EmbeddedBroker, manualClock, type ManualClock } from '../../dev/queue/index.js';
import { writebackMessageSchema } from '../../shared/contracts/writeback-message.js';
import type { DeltaRoundDeps } from '../../shared/app/round/round-deps.js';
import { runDeltaRound, type RoundRequest } from '../../shared/app/round/run-round.js';
import { handlePoke } from '../../shared/app/round/poke-round.js';
import { CONFIRM_GONE_AFTER_MS, CONFIRM_GONE_CHECKS, RECHECK_FIRST_DELAY_MS, RECHECK_MAX_DELAY_MS } from '../../shared/domain/recheck.js';
import { CREATION_FIRST_CHECK_MS } from '../../shared/domain/nested-creation.js';
import { applyStatusUpdate } from '../../shared/app/status/group-status.js';
import type { GroupStatusStore } from '../../shared/state/group-status-record.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import type { SnapshotMessage, UpsertMessage, WritebackMessage } from '../../shared/domain/model.js';
import { silentLogger } from '../../shared/logging.js';
import { MAX_DELTA_MEMBER_CHANGES, SERVICE_BUS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import type { QueueClient } from '../../shared/ports/queue.js';
import { createPlannerStore, type PlannerStore } from '../../shared/state/planner-store.js';
import { WritebackModel } from '../support/writeback-model.js';

const QUEUE = 'writeback';
const POKES = 'graph-changes';
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
  clock: ManualClock;
  round(request?: RoundRequest): Promise<WritebackMessage[]>;
  /** Moves time on by `ms` and runs the rounds of the pokes that came due (the product's own retries). */
  later(ms: number): Promise<{ pokes: number; messages: WritebackMessage[] }>;
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
  const clock = manualClock(Date.now());
  const broker = new EmbeddedBroker({ clock: clock.now });
  broker.declareQueue(QUEUE, { requiresSession: true });
  broker.declareQueue(POKES, { requiresSession: true });
  const queue = broker.client();
  const tables = new MemoryTableStore();
  const store = createPlannerStore(tables);
  const statuses = tableGroupStatusStore(tables);
  const client = createGraphClient({ baseUrl: sim.baseUrl });
  const deps: DeltaRoundDeps = {
    tenantId: sim.tenantId,
    directory: new GraphDirectoryReader(client, { baseUrl: sim.baseUrl, log: silentLogger() }),
    store,
    writeback: queue.sender(QUEUE),
    pokes: queue.sender(POKES),
    statuses,
    log: silentLogger(),
    now: () => new Date(clock.now()),
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
    clock,
    async round(request = { mode: 'delta' }) {
      await runDeltaRound(deps, request);
      const messages = await drain(queue);
      model.applyAll(messages);
      return messages;
    },
    async later(ms) {
      clock.advance(ms);
      broker.wake();
      let pokes = 0;
      const messages: WritebackMessage[] = [];
      const session = await queue.acceptNextSession(POKES, 20);
      if (session === null) return { pokes, messages };
      for (const m of await session.receive(100, 20)) {
        await handlePoke(deps, m.body); // what planChanges does with a poke
        await session.complete(m);
        pokes++;
        const sent = await drain(queue);
        model.applyAll(sent);
        messages.push(...sent);
      }
      await session.close();
      return { pokes, messages };
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

    const statuses = new Map((await world.statuses.list()).map((s) => [s.groupId, s]));
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

    // 2,500 removals are over the default member removal threshold (planner-deletion-guard.test.ts).
    await world.store.settings.update(sim.tenantId, { memberRemovalThreshold: 2500 });
    sim.control.removeMembers(G(1), members.slice(0, 2500));
    const removal = (await world.round()) as UpsertMessage[];
    expect(removal.length).toBeGreaterThan(1);
    expect(removal.flatMap((m) => m.remove)).toHaveLength(2500);
    expect(world.model.membersOf(G(1))).toHaveLength(500);
  });

  it('a delta past MAX_DELTA_MEMBER_CHANGES for one group is not kept: the group is planned from its complete member list', async () => {
    sim.control.setDeltaBehavior({ pageSize: 500 });
    const sids = [1, 2, 3].map((n) => String(sim.control.createUser({ id: U(n), displayName: `User ${n}`, synced: true })['onPremisesSecurityIdentifier']));
    sim.control.createGroup({ id: G(1), displayName: 'Everyone', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1), U(2), U(3)] });
    await world.round();
    expect(world.model.membersOf(G(1))).toHaveLength(3);

    // Spread over the member-entry rows as Entra's random ids are (first two hex digits: shared/state/member-entries.ts).
    const spread = (n: number) => `${((n * 2654435761) % 2 ** 32).toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const added: string[] = [];
    for (let n = 1; n <= MAX_DELTA_MEMBER_CHANGES + 1; n++) {
      added.push(spread(n));
      sim.control.createUser({ id: spread(n), displayName: `User ${100 + n}`, synced: true });
    }
    for (let i = 0; i < added.length; i += 1000) sim.control.addMembers(G(1), added.slice(i, i + 1000));
    sim.control.removeMembers(G(1), [U(1)]);
    const messages = await world.round();
    // An active group's member changes would be upserts; read whole, it gets its complete state.
    expect(new Set(messages.map((m) => m.kind))).toEqual(new Set(['snapshot']));
    expect(world.model.membersOf(G(1))).toHaveLength(MAX_DELTA_MEMBER_CHANGES + 3);
    expect(world.model.membersOf(G(1))).not.toContain(`sid:${sids[0]}`);
    expect(world.model.membersOf(G(1))).toContain(`sid:${sids[1]}`);
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

  it('syncStateNotFound and resyncRequired are full rounds too; a group deleted meanwhile is deleted once confirmed', async () => {
    seedTenant();
    await landedRound();
    sim.control.invalidateDeltaTokens('syncStateNotFound');
    sim.control.deleteGroup(G(2)); // security group: permanent in Entra, but the @removed went with the token
    const firstSeen = world.clock.now();
    const messages = await world.round();
    expect(byGroup(messages).has(G(2))).toBe(false); // missing from the enumeration is no evidence yet
    expect((await world.statuses.read(sim.tenantId, G(2)))!.status).toMatchObject({ state: 'pending' });
    // the product checks again by itself; consistent "gone" answers over time confirm the deletion
    let checks = 1;
    let deleted: WritebackMessage[] = [];
    while (deleted.length === 0 && checks < 20) {
      const { pokes, messages: sent } = await world.later(RECHECK_MAX_DELAY_MS);
      expect(pokes).toBe(1);
      checks++;
      deleted = sent.filter((m) => m.groupId === G(2));
    }
    expect(deleted).toMatchObject([{ kind: 'delete', reason: 'hardDeleted' }]);
    expect(world.clock.now() - firstSeen).toBeGreaterThanOrEqual(CONFIRM_GONE_AFTER_MS);
    expect(checks).toBeGreaterThanOrEqual(CONFIRM_GONE_CHECKS);
    expect(world.model.membersOf(G(3))).not.toContain(`group:Group_${G(2)}`);
    expect((await world.store.rechecks.list(sim.tenantId)).size).toBe(0);
    expect((await world.later(RECHECK_MAX_DELAY_MS)).pokes).toBe(0);
    sim.control.invalidateDeltaTokens('resyncRequired');
    const again = await world.round();
    expect(again.every((m) => m.kind === 'snapshot')).toBe(true);
  });

  it('settings changes re-evaluate every group: v1 -> v2, cn format, tenant switch; the tenant default only groups seen after it', async () => {
    seedTenant();
    await world.store.settings.update(sim.tenantId, { groupWritebackV2: false });
    await world.round();
    expect([...world.model.groups.keys()].sort()).toEqual([G(1), G(7)].sort());
    expect(world.model.groups.get(G(7))!.groupType).toBe(8);

    await world.store.settings.update(sim.tenantId, { groupWritebackV2: true, cnFormat: 'displayName' });
    await world.round();
    expect([...world.model.groups.keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    expect(world.model.groups.get(G(7))).toMatchObject({ groupType: -2147483640, cn: `Legal_${G(7).slice(-12)}` });

    // The tenant default applies to groups seen from now on: G(1) and G(7) (isEnabled null) stay written.
    sim.control.setTenantSettings({ newUnifiedGroupWritebackDefault: false });
    sim.control.createGroup({ id: G(8), displayName: 'New after the change', kind: 'm365', members: [U(1)] });
    const m = await world.round();
    expect(m.filter((x) => x.kind === 'delete')).toEqual([]);
    expect(byGroup(m).has(G(8))).toBe(false);
    expect([...world.model.groups.keys()].sort()).toEqual([G(1), G(2), G(3), G(7)].sort());
    // ... and back: G(8) keeps the default it was first seen with
    sim.control.setTenantSettings({ newUnifiedGroupWritebackDefault: true });
    expect(byGroup(await world.round()).has(G(8))).toBe(false);
    expect((await world.store.groups.load(sim.tenantId, G(8)))!.decision).toEqual({ write: false, reason: 'tenantDefaultOff' });

    await world.store.settings.update(sim.tenantId, { writebackEnabled: false });
    const off = await world.round();
    expect(off.filter((x) => x.kind === 'delete').map((x) => [x.groupId, x.kind === 'delete' ? x.reason : ''])).toEqual(
      [G(1), G(2), G(3), G(7)].sort().map((g) => [g, 'tenantDisabled']),
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

  it('throttling (429 with Retry-After) on delta, member lists and inside $batch is waited out', async () => {
    seedTenant();
    sim.control.addFailure({ match: '^GET /v1.0/groups/delta', kind: 'throttle', everyNth: 2, times: 2, retryAfterSeconds: 1 });
    sim.control.addFailure({ match: '^GET /v1.0/groups/[0-9a-f-]+/members', kind: 'throttle', times: 1, retryAfterSeconds: 1 });
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
    world.deps.store = createPlannerStore(tables);
    world.clock.advance(1_000); // the rebuild comes later than the rounds before it (the test's clock stands still)
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

describe('nested groups written back in one round (sessions are per group: a parent may be applied before its child)', () => {
  const resent = (ms: WritebackMessage[]) =>
    ms.filter((m): m is UpsertMessage => m.kind === 'upsert').map((m) => [m.groupId, m.add.map((r) => (r.kind === 'group' ? r.anchor : r.kind))]);

  it('switching v2 on writes a three-level tree; once each child landed its parents get its reference again, at any depth', async () => {
    for (const n of [1, 2, 3]) sim.control.createUser({ id: U(n), displayName: `Synced ${n}`, synced: true });
    const enabled = { writebackConfiguration: { isEnabled: true } };
    sim.control.createGroup({ id: G(13), displayName: 'Child', kind: 'security', ...enabled, members: [U(3)] });
    sim.control.createGroup({ id: G(12), displayName: 'Parent', kind: 'security', ...enabled, members: [U(2), G(13)] });
    sim.control.createGroup({ id: G(11), displayName: 'Grandparent', kind: 'security', ...enabled, members: [U(1), G(12)] });
    await world.store.settings.update(sim.tenantId, { groupWritebackV2: false });
    expect(await world.round()).toEqual([]);

    await world.store.settings.update(sim.tenantId, { groupWritebackV2: true });
    const first = await world.round();
    expect(first.map((m) => [m.groupId, m.kind]).sort()).toEqual([G(11), G(12), G(13)].map((g) => [g, 'snapshot']));
    expect(world.model.membersOf(G(11))).toContain(`group:Group_${G(12)}`);
    // pending creations: the groups another group holds (the grandparent is nobody's member)
    const pending = await world.store.creations.list(sim.tenantId);
    const nested = first.filter((m) => m.groupId !== G(11));
    expect(pending.map((p) => [p.groupId, p.createdSeq]).sort()).toEqual(nested.map((m) => [m.groupId, m.seq]).sort());

    // no result yet: the look finds nothing landed and looks again later
    expect(await world.later(CREATION_FIRST_CHECK_MS)).toEqual({ pokes: 1, messages: [] });
    for (const m of first) await applied(m.groupId, first);
    const looked = await world.later(2 * CREATION_FIRST_CHECK_MS);
    expect(looked.pokes).toBe(1);
    expect(resent(looked.messages).sort()).toEqual([
      [G(11), [`Group_${G(12)}`]],
      [G(12), [`Group_${G(13)}`]],
    ]);
    expect(await world.store.creations.list(sim.tenantId)).toEqual([]);
    for (const m of looked.messages) await applied(m.groupId, looked.messages);
    expect((await world.later(60 * 60_000)).pokes).toBe(0);
    expect(await world.round()).toEqual([]);
  });

  it('a child enabled later joins its parents, and they get it again once it landed; disabled, it leaves them', async () => {
    sim.control.createUser({ id: U(1), displayName: 'Synced 1', synced: true });
    sim.control.createGroup({ id: G(22), displayName: 'Later child', kind: 'security', members: [U(1)] });
    sim.control.createGroup({ id: G(21), displayName: 'Parent', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [G(22)] });
    await landedRound();
    expect(world.model.membersOf(G(21))).toEqual([]);

    sim.control.updateGroup(G(22), { writebackConfiguration: { isEnabled: true } });
    const enabled = await landedRound({ mode: 'delta', groupIds: [G(22)] });
    // the parent's reference goes in the same round as the child's creation, and once more after it landed
    expect(enabled.map((m) => [m.groupId, m.kind])).toEqual([
      [G(21), 'upsert'],
      [G(22), 'snapshot'],
      [G(21), 'upsert'],
    ]);
    expect(resent(enabled)).toEqual([
      [G(21), [`Group_${G(22)}`]],
      [G(21), [`Group_${G(22)}`]],
    ]);

    sim.control.updateGroup(G(22), { writebackConfiguration: { isEnabled: false } });
    const disabled = byGroup(await world.round({ mode: 'delta', groupIds: [G(22)] }));
    expect(disabled.get(G(22))).toMatchObject([{ kind: 'delete', reason: 'writebackDisabled' }]);
    expect(disabled.get(G(21))).toMatchObject([{ kind: 'upsert', add: [], remove: [{ kind: 'group', anchor: `Group_${G(22)}` }] }]);
    expect(world.model.membersOf(G(21))).toEqual([]);
  });

  it('many groups created at once are looked up with one read of the statuses; the parent gets all of them again', async () => {
    const children = Array.from({ length: 60 }, (_, i) => G(100 + i));
    for (const child of children) sim.control.createGroup({ id: child, displayName: `Child ${child.slice(-3)}`, kind: 'security', writebackConfiguration: { isEnabled: true } });
    sim.control.createGroup({ id: G(99), displayName: 'Parent', kind: 'security', writebackConfiguration: { isEnabled: true }, members: children });
    const first = await world.round();
    for (const groupId of byGroup(first).keys()) await applied(groupId, first);
    const list = world.statuses.list.bind(world.statuses);
    let lists = 0;
    world.statuses.list = (tenantId) => {
      lists++;
      return list(tenantId);
    };
    const looked = await world.later(CREATION_FIRST_CHECK_MS);
    expect(lists).toBe(1);
    expect(resent(looked.messages)).toEqual([[G(99), children.map((c) => `Group_${c}`)]]);
    expect(await world.store.creations.list(sim.tenantId)).toEqual([]);
  });

  it('a parent that cannot be found when its child landed gets the reference once it is found again', async () => {
    sim.control.createGroup({ id: G(42), displayName: 'Child', kind: 'security', writebackConfiguration: { isEnabled: true } });
    sim.control.createGroup({ id: G(41), displayName: 'Parent', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [G(42)] });
    const first = await world.round();
    for (const groupId of byGroup(first).keys()) await applied(groupId, first);
    world.clock.advance(CREATION_FIRST_CHECK_MS);
    sim.control.addFailure({ match: `^GET /beta/groups/${G(41)}`, kind: 'error', status: 404, times: 1 });
    expect(await world.round({ mode: 'delta', groupIds: [G(41)] })).toEqual([]);
    expect((await world.store.creations.list(sim.tenantId)).map((p) => p.groupId)).toEqual([G(42)]);
    const found = await world.later(RECHECK_FIRST_DELAY_MS);
    expect(resent(found.messages)).toEqual([[G(41), [`Group_${G(42)}`]]]);
    expect(await world.store.creations.list(sim.tenantId)).toEqual([]);
  });

  it('a cycle (A holds B, B holds A) is written as it is: each gets the other once both landed', async () => {
    const enabled = { writebackConfiguration: { isEnabled: true } };
    sim.control.createGroup({ id: G(31), displayName: 'A', kind: 'security', ...enabled });
    sim.control.createGroup({ id: G(32), displayName: 'B', kind: 'security', ...enabled, members: [G(31)] });
    sim.control.addMembers(G(31), [G(32)]);
    const messages = await landedRound();
    expect(resent(messages.slice(2)).sort()).toEqual([
      [G(31), [`Group_${G(32)}`]],
      [G(32), [`Group_${G(31)}`]],
    ]);
    expect(world.model.membersOf(G(31))).toEqual([`group:Group_${G(32)}`]);
    expect(world.model.membersOf(G(32))).toEqual([`group:Group_${G(31)}`]);
    expect(await world.round()).toEqual([]);
  });
});

/** A round whose change sets all land: the relay's results recorded, then the product's own look at the groups it
 *  created (their parents get their references again) run and its change sets landed too. */
async function landedRound(request?: RoundRequest): Promise<WritebackMessage[]> {
  const messages = await world.round(request);
  for (const groupId of byGroup(messages).keys()) await applied(groupId, messages);
  const looked = await world.later(CREATION_FIRST_CHECK_MS);
  for (const groupId of byGroup(looked.messages).keys()) await applied(groupId, looked.messages);
  return [...messages, ...looked.messages];
}

/** Records the relay's 'applied' result for the last message a round sent to a group. */
async function applied(groupId: string, messages: WritebackMessage[]): Promise<void> {
  const last = messages.filter((m) => m.groupId === groupId).at(-1)!;
  const at = new Date(world.clock.now()).toISOString();
  await applyStatusUpdate(world.statuses, {
    kind: 'result',
    at,
    result: {
      v: 1, tenantId: sim.tenantId, groupId, seq: last.seq, messageId: `${groupId}:${last.seq}`, kind: last.kind, outcome: 'applied',
      ad: null, memberErrors: [], error: null, membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'test', at,
    },
  });
}

describe('the status follows the members that are not written', () => {
  it('a cloud-only member or device added later is named, a removed one disappears, the count follows, with nothing sent', async () => {
    seedTenant(); // G(1): U(1) synced, U(9) cloud-only
    const first = (await world.round()).filter((m) => m.groupId === G(1)).at(-1)!;
    const at = new Date(world.clock.now()).toISOString();
    const refused = { member: U(1), code: 'noSuchObject', message: 'not found' };
    await applyStatusUpdate(world.statuses, {
      kind: 'result',
      at,
      result: {
        v: 1, tenantId: sim.tenantId, groupId: G(1), seq: first.seq, messageId: `${G(1)}:${first.seq}`, kind: first.kind, outcome: 'partial',
        ad: null, memberErrors: [refused], error: null, membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'test', at,
      },
    });
    const status = async () => (await world.statuses.read(sim.tenantId, G(1)))!.status;
    const named = async () => (await status()).memberErrors.map((e) => `${e.member} ${e.code}`).sort();
    expect(await status()).toMatchObject({ displayName: 'Sales', type: 'm365', adGroupType: 'universalDistributionGroup', plannedMemberCount: 1 });

    sim.control.createUser({ id: U(10), displayName: 'Cloud only too' });
    sim.control.addMembers(G(1), [U(10)]);
    const device = String(sim.control.createDevice({ displayName: 'Laptop' })['id']);
    sim.control.addMembers(G(2), [device]); // a security group (Microsoft 365 groups hold users only)
    expect(await world.round()).toEqual([]);
    expect(await status()).toMatchObject({ state: 'partial', cloudOnlyMembers: 2, plannedMemberCount: 1 });
    expect(await named()).toEqual([`${U(1)} noSuchObject`, `${U(10)} cloudOnlyUser`, `${U(9)} cloudOnlyUser`].sort());
    const child = async () => (await world.statuses.read(sim.tenantId, G(2)))!.status;
    expect(await child()).toMatchObject({ cloudOnlyMembers: 1, memberErrors: [{ member: device, code: 'deviceWritebackDisabled' }] });

    sim.control.removeMembers(G(1), [U(9)]);
    sim.control.removeMembers(G(2), [device]);
    expect(await world.round()).toEqual([]);
    expect(await child()).toMatchObject({ cloudOnlyMembers: 0, memberErrors: [], notes: [] });
    expect(await status()).toMatchObject({ state: 'partial', cloudOnlyMembers: 1, notes: [expect.stringMatching(/^1 member\(s\) not written: cloud-only user/)] });
    expect(await named()).toEqual([`${U(1)} noSuchObject`, `${U(10)} cloudOnlyUser`].sort());

    // a change set that is sent carries the list too: a synced member added next to a cloud-only one
    sim.control.createUser({ id: U(11), displayName: 'Cloud only three' });
    sim.control.addMembers(G(1), [U(2), U(11)]);
    expect(byGroup(await world.round()).get(G(1))).toMatchObject([{ kind: 'upsert' }]);
    expect(await status()).toMatchObject({ state: 'pending', cloudOnlyMembers: 2, plannedMemberCount: 2 });
    expect(await named()).toEqual([`${U(10)} cloudOnlyUser`, `${U(11)} cloudOnlyUser`].sort());
  });

  it('a skipped group renamed in the cloud is renamed in the status', async () => {
    seedTenant();
    await world.round();
    sim.control.updateGroup(G(5), { properties: { displayName: 'DL renamed' } });
    expect(await world.round()).toEqual([]);
    expect((await world.statuses.read(sim.tenantId, G(5)))!.status).toMatchObject({ state: 'skipped', displayName: 'DL renamed', type: 'distribution', adGroupType: null, plannedMemberCount: 0 });
  });
});

describe('a group that cannot be found is not deleted without evidence', () => {
  it('one transient 404 on a group a notification named sends nothing: pending, then the product rechecks and converges', async () => {
    seedTenant();
    await landedRound();
    expect((await world.statuses.read(sim.tenantId, G(1)))!.status.state).toBe('written');
    const before = world.model.groups.get(G(1));
    sim.control.addFailure({ match: `^GET /beta/groups/${G(1)}`, kind: 'error', status: 404, times: 1 });

    const messages = await world.round({ mode: 'delta', groupIds: [G(1)] });
    expect(sim.control.listFailures()[0]!.fired).toBe(1);
    expect(messages).toEqual([]);
    expect(world.model.groups.get(G(1))).toEqual(before);
    const pending = (await world.statuses.read(sim.tenantId, G(1)))!.status;
    expect(pending.state).toBe('pending');
    expect(pending.reason).toMatch(/not found in the cloud/);
    expect(await world.store.groups.load(sim.tenantId, G(1))).toMatchObject({ written: true, lifecycle: 'present' });
    expect([...(await world.store.rechecks.list(sim.tenantId)).keys()]).toEqual([G(1)]);

    // no new notification: the recheck is the product's own scheduled poke
    expect((await world.later(0)).pokes).toBe(0);
    const recheck = await world.later(RECHECK_FIRST_DELAY_MS);
    expect(recheck).toEqual({ pokes: 1, messages: [] });
    expect(world.model.groups.get(G(1))).toEqual(before);
    expect((await world.statuses.read(sim.tenantId, G(1)))!.status).toMatchObject({ state: 'written', reason: null });
    expect((await world.store.rechecks.list(sim.tenantId)).size).toBe(0);
    expect((await world.later(RECHECK_MAX_DELAY_MS)).pokes).toBe(0);
  });

  it('a change missed while the group could not be read is sent when it is found again', async () => {
    seedTenant();
    await landedRound();
    sim.control.addFailure({ match: `^GET /beta/groups/${G(4)}`, kind: 'error', status: 404, times: 1 });
    sim.control.updateGroup(G(4), { writebackConfiguration: { isEnabled: true } });
    expect(await world.round({ mode: 'delta', groupIds: [G(4)] })).toEqual([]);
    const recheck = await world.later(RECHECK_FIRST_DELAY_MS);
    expect(byGroup(recheck.messages).get(G(4))).toMatchObject([{ kind: 'snapshot' }]);
    expect((await world.statuses.read(sim.tenantId, G(4)))!.status).toMatchObject({ state: 'pending', intent: 'write', reason: null });
  });

  it('a permanent deletion delta reports (@removed: deleted) is deleted in the same round', async () => {
    seedTenant();
    await world.round();
    sim.control.deleteGroup(G(2)); // security group: permanent in Entra
    const messages = await world.round();
    expect(byGroup(messages).get(G(2))).toMatchObject([{ kind: 'delete', reason: 'hardDeleted' }]);
    expect(world.model.groups.has(G(2))).toBe(false);
    expect((await world.store.rechecks.list(sim.tenantId)).size).toBe(0);
  });
});
