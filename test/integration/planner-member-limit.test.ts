// The tenant's member limit against the Graph simulator (real Graph client), the embedded queue and the
// planner's tables: a group over the limit gets no message at all (its AD group stays exactly as it was, as the
// model of the relay shows), its status says skipped with the count and the limit, and it is written normally
// once it has few enough members or the limit is raised.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../dev/graph-sim/index.js';
import { EmbeddedBroker } from '../../dev/queue/index.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { createGraphClient } from '../../shared/adapters/graph/client.js';
import { GraphDirectoryReader } from '../../shared/adapters/graph/directory.js';
import type { DeltaRoundDeps } from '../../shared/app/round/round-deps.js';
import { runDeltaRound, type RoundRequest } from '../../shared/app/round/run-round.js';
import { writebackMessageSchema } from '../../shared/contracts/writeback-message.js';
import type { WritebackMessage } from '../../shared/domain/model.js';
import { silentLogger } from '../../shared/logging.js';
import type { QueueClient } from '../../shared/ports/queue.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { createPlannerStore } from '../../shared/state/planner-store.js';
import { WritebackModel } from '../support/writeback-model.js';

const QUEUE = 'writeback';
const id = (n: number, kind: string): string => `${kind.padEnd(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const U = (n: number) => id(n, 'c1');
const G = (n: number) => id(n, 'd1');

let sim: GraphSimulator;
let queue: QueueClient;
let deps: DeltaRoundDeps;
let model: WritebackModel;
const sids = new Map<string, string>();

beforeAll(async () => {
  sim = await startGraphSimulator({ pageSize: 5 });
});
afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.control.reset();
  const broker = new EmbeddedBroker();
  broker.declareQueue(QUEUE, { requiresSession: true });
  broker.declareQueue('graph-changes', { requiresSession: true });
  queue = broker.client();
  const tables = new MemoryTableStore();
  const client = createGraphClient({ baseUrl: sim.baseUrl });
  deps = {
    tenantId: sim.tenantId,
    directory: new GraphDirectoryReader(client, { baseUrl: sim.baseUrl, log: silentLogger() }),
    store: createPlannerStore(tables),
    writeback: queue.sender(QUEUE),
    pokes: queue.sender('graph-changes'),
    statuses: tableGroupStatusStore(tables),
    log: silentLogger(),
    now: () => new Date(),
  };
  model = new WritebackModel();
  for (let n = 1; n <= 6; n++) sids.set(U(n), String(sim.control.createUser({ id: U(n), displayName: `Synced ${n}`, synced: true })['onPremisesSecurityIdentifier']));
});
afterEach(async () => {
  await queue.close();
});

async function round(request: RoundRequest = { mode: 'delta' }): Promise<WritebackMessage[]> {
  await runDeltaRound(deps, request);
  const out: WritebackMessage[] = [];
  for (;;) {
    const session = await queue.acceptNextSession(QUEUE, 20);
    if (session === null) break;
    for (let batch = await session.receive(1000, 10); batch.length > 0; batch = await session.receive(1000, 10)) {
      for (const m of batch) {
        out.push(writebackMessageSchema.parse(m.body));
        await session.complete(m);
      }
    }
    await session.close();
  }
  model.applyAll(out);
  return out;
}

const sidsOf = (...users: number[]): string[] => users.map((n) => `sid:${sids.get(U(n))}`).sort();
const status = async (groupId: string) => (await deps.statuses.read(sim.tenantId, groupId))?.status;
const setLimit = (memberLimit: number | null) => deps.store.settings.update(sim.tenantId, { memberLimit });

describe('member limit', () => {
  it('a new group over the limit is not written; raising the limit writes it', async () => {
    await setLimit(2);
    sim.control.createGroup({ id: G(1), displayName: 'Big', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1), U(2), U(3)] });
    sim.control.createGroup({ id: G(2), displayName: 'Small', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(4)] });

    const first = await round();
    expect(first.filter((m) => m.groupId === G(1))).toEqual([]);
    expect(model.groups.has(G(1))).toBe(false);
    expect(model.membersOf(G(2))).toEqual(sidsOf(4));
    const held = await status(G(1));
    expect(held).toMatchObject({ state: 'skipped' });
    expect(held!.reason).toMatch(/member limit exceeded: the group has 3 members, the tenant's limit is 2/);
    // A resync of every group (the small one's snapshot is sent again) still sends nothing for it.
    expect((await round({ mode: 'full' })).map((m) => m.groupId)).toEqual([G(2)]);
    expect((await status(G(1)))!.state).toBe('skipped');

    await setLimit(3); // a settings change: the next round evaluates every group again
    const raised = await round();
    expect(raised.filter((m) => m.groupId === G(1)).map((m) => m.kind)).toEqual(['snapshot']);
    expect(model.membersOf(G(1))).toEqual(sidsOf(1, 2, 3));
    expect((await status(G(1)))!.state).toBe('pending');
  });

  it('a written group that grows over the limit is left as it is in AD until it has few enough members', async () => {
    await setLimit(3);
    sim.control.createGroup({ id: G(1), displayName: 'Team', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1), U(2)] });
    await round();
    expect(model.membersOf(G(1))).toEqual(sidsOf(1, 2));

    // Over the limit by a delta: no message, not even the rename, and the stored entries stay.
    sim.control.addMembers(G(1), [U(3), U(4)]);
    sim.control.updateGroup(G(1), { properties: { displayName: 'Team renamed' } });
    expect(await round()).toEqual([]);
    expect(model.membersOf(G(1))).toEqual(sidsOf(1, 2));
    expect(model.groups.get(G(1))).toMatchObject({ displayName: 'Team' });
    const held = await status(G(1));
    expect(held).toMatchObject({ state: 'skipped' });
    expect(held!.reason).toMatch(/the group has 4 members, the tenant's limit is 3/);
    expect((await deps.store.members.load(sim.tenantId, G(1))).size).toBe(2);

    // Still over after another change: the count in the reason follows.
    sim.control.addMembers(G(1), [U(5)]);
    expect(await round()).toEqual([]);
    expect((await status(G(1)))!.reason).toMatch(/has 5 members/);

    // Back within the limit: the complete member list is read again and sent whole (the changes made while it
    // was held back were consumed with their delta).
    sim.control.removeMembers(G(1), [U(1), U(5)]);
    const back = await round();
    expect(back.map((m) => m.kind)).toEqual(['snapshot']);
    expect(model.membersOf(G(1))).toEqual(sidsOf(2, 3, 4));
    expect(model.groups.get(G(1))).toMatchObject({ displayName: 'Team renamed' });
    expect((await status(G(1)))!.state).toBe('pending');
    expect((await deps.store.groups.loadMany(sim.tenantId, [G(1)])).get(G(1))?.overMemberLimit).toBeUndefined();

    // Removing the limit (null) writes every group again as usual.
    await setLimit(null);
    sim.control.addMembers(G(1), [U(1), U(5), U(6)]);
    await round();
    expect(model.membersOf(G(1))).toEqual(sidsOf(1, 2, 3, 4, 5, 6));
  });
});
