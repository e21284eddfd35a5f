// The deletion guard in the planner, end to end on the cloud side: the Graph simulator (through the real Graph
// client), the embedded queue and one set of tables that outlives the runtime objects (a restart). A model of
// the relay applies what is sent and reports `applied` for every message, as the relay would.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { approveHeld, listHeld, rejectHeld, type HeldAdminDeps } from '../../shared/app/held/held-admin.js';
import { handlePoke } from '../../shared/app/round/poke-round.js';
import type { DeltaRoundDeps } from '../../shared/app/round/round-deps.js';
import { runDeltaRound, type RoundRequest } from '../../shared/app/round/run-round.js';
import { tenantSettingsService } from '../../shared/app/settings/tenant-settings.js';
import { applyStatusUpdate } from '../../shared/app/status/group-status.js';
import { GraphDirectoryReader } from '../../shared/adapters/graph/directory.js';
import { writebackMessageSchema } from '../../shared/contracts/writeback-message.js';
import type { WritebackMessage } from '../../shared/domain/model.js';
import { silentLogger } from '../../shared/logging.js';
import type { QueueClient } from '../../shared/ports/queue.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import type { GroupState } from '../../shared/state/group-status-record.js';
import type { TenantSettingsPatch } from '../../shared/state/tenant-settings.js';
import { createPlannerStore } from '../../shared/state/planner-store.js';
import { WritebackModel } from '../support/writeback-model.js';

const WRITEBACK = 'writeback';
const CHANGES = 'graph-changes';
const id = (n: number, kind: string): string => `${kind.padEnd(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const U = (n: number) => id(n, 'a2');
const G = (n: number) => id(n, 'b2');

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({ pageSize: 5 });
});
afterAll(async () => {
  await sim.close();
});

/** The product's state and the relay's AD outlive a restart; the runtime objects do not. */
let tables: MemoryTableStore;
let queue: QueueClient;
let model: WritebackModel;

function runtime() {
  const store = createPlannerStore(tables);
  const statuses = tableGroupStatusStore(tables);
  const deps: DeltaRoundDeps = {
    tenantId: sim.tenantId,
    directory: new GraphDirectoryReader(createGraphClient({ baseUrl: sim.baseUrl }), { baseUrl: sim.baseUrl, log: silentLogger() }),
    store,
    writeback: queue.sender(WRITEBACK),
    pokes: queue.sender(CHANGES),
    statuses,
    log: silentLogger(),
    now: () => new Date(),
    chunkSize: 2,
  };
  const admin: HeldAdminDeps = { store, changes: () => queue.sender(CHANGES), now: () => new Date() };
  const settings = tenantSettingsService(store.settings, () => queue.sender(CHANGES), () => new Date());
  return { store, statuses, deps, admin, settings };
}
let rt: ReturnType<typeof runtime>;

/** What the relay does: apply every message and report it applied. */
async function relay(): Promise<WritebackMessage[]> {
  const out: WritebackMessage[] = [];
  for (let session = await queue.acceptNextSession(WRITEBACK, 20); session !== null; session = await queue.acceptNextSession(WRITEBACK, 20)) {
    for (let batch = await session.receive(100, 10); batch.length > 0; batch = await session.receive(100, 10)) {
      for (const received of batch) {
        const m = writebackMessageSchema.parse(received.body);
        out.push(m);
        model.apply(m);
        const at = new Date().toISOString();
        const result = { v: 1 as const, tenantId: m.tenantId, groupId: m.groupId, seq: m.seq, messageId: `${m.groupId}:${m.seq}`, kind: m.kind, outcome: 'applied' as const };
        await applyStatusUpdate(rt.statuses, {
          kind: 'result',
          at,
          result: { ...result, ad: null, memberErrors: [], error: null, membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'model', at },
        });
        await session.complete(received);
      }
    }
    await session.close();
  }
  return out;
}

async function round(request: RoundRequest = { mode: 'delta' }): Promise<WritebackMessage[]> {
  await runDeltaRound(rt.deps, request);
  return relay();
}

/** planChanges: takes the pokes waiting on graph-changes, one round each. */
async function pokedRounds(): Promise<WritebackMessage[]> {
  const session = await queue.acceptNextSession(CHANGES, 20);
  expect(session).not.toBeNull();
  let pokes = 0;
  for (let batch = await session!.receive(10, 10); batch.length > 0; batch = await session!.receive(10, 10)) {
    for (const poke of batch) {
      await handlePoke(rt.deps, poke.body);
      await session!.complete(poke);
      pokes++;
    }
  }
  await session!.close();
  expect(pokes).toBeGreaterThan(0);
  return relay();
}

async function stateOf(groupId: string): Promise<{ state: GroupState; reason: string | null }> {
  const row = await rt.statuses.read(sim.tenantId, groupId);
  return { state: row!.status.state, reason: row!.status.reason };
}

const summary = (ms: WritebackMessage[]) => ms.map((m) => `${m.groupId}:${m.kind}${m.kind === 'snapshot' ? `(${m.members.length})` : ''}`).sort();

/** `n` groups written back with `members` synced users each; returns their ids. */
async function writtenGroups(n: number, kind: 'security' | 'm365', members: number, settings: TenantSettingsPatch): Promise<string[]> {
  const c = sim.control;
  for (let u = 1; u <= members; u++) c.createUser({ id: U(u), displayName: `Synced ${u}`, synced: true });
  const groups = Array.from({ length: n }, (_, i) => G(i + 1));
  for (const [i, g] of groups.entries()) {
    const writeback = kind === 'security' ? { writebackConfiguration: { isEnabled: true } } : {};
    c.createGroup({ id: g, displayName: `Group ${i + 1}`, kind, ...writeback, members: Array.from({ length: members }, (_, u) => U(u + 1)) });
  }
  await rt.store.settings.update(sim.tenantId, settings);
  expect(summary(await round())).toEqual(groups.map((g) => `${g}:snapshot(${members})`));
  return groups;
}

beforeEach(async () => {
  sim.control.reset();
  const broker = new EmbeddedBroker();
  broker.declareQueue(WRITEBACK, { requiresSession: true });
  broker.declareQueue(CHANGES, { requiresSession: true });
  queue = broker.client();
  tables = new MemoryTableStore();
  model = new WritebackModel();
  rt = runtime();
});
afterEach(async () => {
  await queue.close();
});

describe('deletion guard in the planner', () => {
  it('sends deletions up to the threshold, holds the rest across a restart, and releases one on approval', async () => {
    const groups = await writtenGroups(5, 'security', 1, { deletionThreshold: 2 });
    for (const g of groups) sim.control.deleteGroup(g); // security groups: permanent
    expect(summary(await round())).toEqual([`${G(1)}:delete`, `${G(2)}:delete`]);
    expect(model.groups.size).toBe(3);
    expect((await stateOf(G(1))).state).toBe('deleted');
    for (const g of groups.slice(2)) expect(await stateOf(g)).toEqual({ state: 'held', reason: expect.stringMatching(/^deletion held: 2 group deletion/) as string });

    const heldSince = (await rt.statuses.read(sim.tenantId, G(3)))!.status.updatedAt;
    rt = runtime(); // a restart: new runtime objects over the same tables
    expect(await round()).toEqual([]);
    expect(await round({ mode: 'reconcile' })).toEqual([]);
    // Held quietly: neither counted again nor written again.
    expect((await rt.statuses.read(sim.tenantId, G(3)))!.status.updatedAt).toBe(heldSince);
    const listed = await listHeld(rt.admin, sim.tenantId);
    expect(listed.held.map((h) => [h.groupId, h.kind, h.deletions, h.approvedAt])).toEqual(groups.slice(2).map((g) => [g, 'deletion', 1, null]));
    expect(listed.window).toMatchObject({ deletions: 2, deletionThreshold: 2, windowHours: 24 });

    expect(await approveHeld(rt.admin, sim.tenantId, G(4))).toMatchObject({ groupId: G(4), approvedAt: expect.any(String) as string });
    expect(summary(await pokedRounds())).toEqual([`${G(4)}:delete`]);
    expect(await stateOf(G(4))).toEqual({ state: 'deleted', reason: null });
    expect(model.groups.has(G(4))).toBe(false);
    expect((await stateOf(G(3))).state).toBe('held');
    expect((await listHeld(rt.admin, sim.tenantId)).held.map((h) => h.groupId)).toEqual([G(3), G(5)]);
    expect((await listHeld(rt.admin, sim.tenantId)).window.deletions).toBe(3);
    expect(await approveHeld(rt.admin, sim.tenantId, G(4))).toBeNull();
  });

  it('holds soft-delete emptying whole beyond the member removal threshold; a restore drops the hold', async () => {
    const groups = await writtenGroups(3, 'm365', 3, { memberRemovalThreshold: 4 });
    for (const g of groups) sim.control.deleteGroup(g); // Microsoft 365 groups: soft delete
    expect(summary(await round())).toEqual([`${G(1)}:snapshot(0)`]);
    expect(model.membersOf(G(2))).toHaveLength(3);
    expect(await stateOf(G(2))).toEqual({ state: 'held', reason: expect.stringMatching(/removes 3 member\(s\), 3 were removed .* threshold is 4/) as string });

    sim.control.restore(G(2));
    expect(summary(await round())).toEqual([`${G(2)}:snapshot(3)`]);
    expect((await stateOf(G(2))).state).toBe('written');
    expect((await stateOf(G(3))).state).toBe('held');

    await approveHeld(rt.admin, sim.tenantId, G(3));
    expect(summary(await pokedRounds())).toEqual([`${G(3)}:snapshot(0)`]);
    expect(await stateOf(G(3))).toEqual({ state: 'softDeleted', reason: null });
    expect((await listHeld(rt.admin, sim.tenantId)).held).toEqual([]);
  });

  it('holds member removals of a delta whole, and sends the complete member list once approved', async () => {
    const [g] = await writtenGroups(1, 'security', 6, { memberRemovalThreshold: 4 });
    sim.control.removeMembers(g!, [U(1), U(2), U(3), U(4), U(5)]);
    expect(await round()).toEqual([]);
    expect(model.membersOf(g!)).toHaveLength(6);
    expect((await stateOf(g!)).state).toBe('held');
    sim.control.updateGroup(g!, { properties: { displayName: 'Renamed while held' } });
    expect(await round()).toEqual([]);

    await approveHeld(rt.admin, sim.tenantId, g!);
    expect(summary(await pokedRounds())).toEqual([`${g}:snapshot(1)`]);
    expect(model.membersOf(g!)).toHaveLength(1);
    expect(model.groups.get(g!)?.displayName).toBe('Renamed while held');
    expect((await stateOf(g!)).state).toBe('written');
  });

  it('sends a rejected change set neither now nor in later rounds, until the cloud changes it', async () => {
    const [g] = await writtenGroups(1, 'security', 6, { memberRemovalThreshold: 4 });
    sim.control.removeMembers(g!, [U(1), U(2), U(3), U(4), U(5)]);
    expect(await round()).toEqual([]); // held: the delta's upserts would remove 5
    const admin = { ...rt.admin, statuses: rt.statuses };
    expect(await rejectHeld(admin, sim.tenantId, g!, 'admin@contoso.example')).toMatchObject({ groupId: g, rejectedBy: 'admin@contoso.example', rejectedAt: expect.any(String) as string });
    expect(await stateOf(g!)).toEqual({ state: 'skipped', reason: 'held change rejected by admin@contoso.example' });
    expect((await listHeld(rt.admin, sim.tenantId)).held).toEqual([]);
    const rejectedSince = (await rt.statuses.read(sim.tenantId, g!))!.status.updatedAt;

    // A reconcile plans the same change set as a snapshot of the complete list: recognised, neither sent nor held.
    expect(await round({ mode: 'reconcile' })).toEqual([]);
    expect(await round()).toEqual([]);
    expect(model.membersOf(g!)).toHaveLength(6);
    expect((await rt.statuses.read(sim.tenantId, g!))!.status.updatedAt).toBe(rejectedSince);
    expect(await rejectHeld(admin, sim.tenantId, G(9), 'admin@contoso.example')).toBeNull();

    // The cloud changes the group: the guard decides anew (4 removals fit the threshold) and the record goes.
    sim.control.addMembers(g!, [U(1)]);
    expect(summary(await round())).toEqual([`${g}:snapshot(2)`]);
    expect(model.membersOf(g!)).toHaveLength(2);
    expect((await stateOf(g!)).state).toBe('written');
    expect(await rt.store.held.get(sim.tenantId, g!)).toBeNull();
  });

  it('holds a rejected change set anew when the cloud changes it and it still goes over the threshold', async () => {
    const [g] = await writtenGroups(1, 'security', 6, { memberRemovalThreshold: 4 });
    sim.control.removeMembers(g!, [U(1), U(2), U(3), U(4), U(5)]);
    expect(await round()).toEqual([]);
    await rejectHeld({ ...rt.admin, statuses: rt.statuses }, sim.tenantId, g!, 'admin@contoso.example');
    sim.control.updateGroup(g!, { properties: { displayName: 'Renamed after the rejection' } });
    expect(await round()).toEqual([]);
    expect(await stateOf(g!)).toEqual({ state: 'held', reason: expect.stringMatching(/^member removals held: this change removes 5/) as string });
    expect((await listHeld(rt.admin, sim.tenantId)).held).toEqual([expect.objectContaining({ groupId: g, rejectedAt: null, approvedAt: null })]);
  });

  it('holds the tenant switch beyond the threshold; switching back drops the holds', async () => {
    const groups = await writtenGroups(3, 'security', 1, { deletionThreshold: 1 });
    await rt.settings.save(sim.tenantId, { writebackEnabled: false });
    expect(summary(await pokedRounds())).toEqual([`${G(1)}:delete`]);
    for (const g of groups.slice(1)) expect((await stateOf(g)).state).toBe('held');

    await rt.settings.save(sim.tenantId, { writebackEnabled: true });
    expect(summary(await pokedRounds())).toEqual(groups.map((g) => `${g}:snapshot(1)`));
    for (const g of groups) expect((await stateOf(g)).state).toBe('written');
    expect((await listHeld(rt.admin, sim.tenantId)).held).toEqual([]);
  });
});
