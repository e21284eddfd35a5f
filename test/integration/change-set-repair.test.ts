// A change set that did not land is repaired by the product (docs/operations.md, "After a change set did not
// land"), through the local host: the Graph simulator, the embedded queue, recordResults and the repair timer as
// served by dev/host, and the planner's rounds (planChanges' logic, run here one poke at a time so the test can
// look between them). The relay is simulated: the test takes the change sets off the writeback queue and sends
// the results the relay would send. The repair timer's status table query runs against Azurite too.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunctionsStack, type FunctionsStack } from '../../dev/host/functions-stack.js';
import { functionDefinitions } from '../../functions/catalog.js';
import { deltaRoundDeps } from '../../functions/planChanges.js';
import { buildResult, failedResult } from '../../relay/consume/results.js';
import { sendPoke } from '../../shared/app/intake/pokes.js';
import { handlePoke } from '../../shared/app/round/poke-round.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import type { ResultMessage } from '../../shared/contracts/result-message.js';
import { writebackMessageSchema, type WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { AzureTableStore } from '../../shared/adapters/tables/index.js';
import { applyStatusUpdate } from '../../shared/app/status/group-status.js';
import { silentLogger } from '../../shared/logging.js';
import type { TableStore } from '../../shared/ports/table-store.js';
import type { GroupStatus } from '../../shared/state/group-status-record.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { getAzurite, uniqueTableName } from '../support/azurite.js';

const U = (n: number): string => `a1000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const G = 'b1000000-0000-4000-8000-000000000001';
const t0 = Date.parse('2025-03-01T08:00:00.000Z');

let stack: FunctionsStack;
let minutes = 0;

beforeEach(async () => {
  minutes = 0;
  stack = await startFunctionsStack({
    log: silentLogger(),
    now: () => new Date(t0 + minutes * 60_000),
    // Everything the host serves (recordResults, the repair timer, the status API) except planChanges: the test
    // runs each round itself, with planChanges' own logic, to see the pokes that asked for it.
    host: { timers: false, queues: true, functions: functionDefinitions.filter((d) => d.name !== 'planChanges') },
  });
  const c = stack.sim.control;
  for (const n of [1, 2, 3]) c.createUser({ id: U(n), displayName: `Synced ${n}`, synced: true });
  c.createGroup({ id: G, displayName: 'Finance', kind: 'security', writebackConfiguration: { isEnabled: true }, members: [U(1), U(2)] });
});

afterEach(async () => {
  await stack.close();
});

/** Takes every poke off graph-changes. */
async function takePokes(): Promise<PokeMessage[]> {
  const { queue, config } = stack.runtime;
  const out: PokeMessage[] = [];
  for (let session = await queue.acceptNextSession(config.GRAPH_CHANGES_QUEUE, 20); session !== null; session = await queue.acceptNextSession(config.GRAPH_CHANGES_QUEUE, 20)) {
    for (let batch = await session.receive(100, 20); batch.length > 0; batch = await session.receive(100, 20)) {
      for (const m of batch) {
        out.push(pokeMessageSchema.parse(m.body));
        await session.complete(m);
      }
    }
    await session.close();
  }
  return out;
}

/** planChanges for each poke, then for the pokes those queued (a deferred notification's follow-up round). */
async function runRounds(pokes: readonly PokeMessage[]): Promise<void> {
  for (let next = pokes; next.length > 0; next = await takePokes()) {
    for (const poke of next) await handlePoke(deltaRoundDeps(stack.runtime, silentLogger()), poke);
  }
}

/** The relay's side: takes the group's change sets off the writeback queue, in order. */
async function takeChangeSets(): Promise<WritebackMessage[]> {
  const { queue, config } = stack.runtime;
  const session = await queue.acceptNextSession(config.WRITEBACK_QUEUE, 20);
  if (session === null) return [];
  const out: WritebackMessage[] = [];
  for (let batch = await session.receive(100, 20); batch.length > 0; batch = await session.receive(100, 20)) {
    for (const m of batch) {
      out.push(writebackMessageSchema.parse(m.body));
      await session.complete(m);
    }
  }
  await session.close();
  return out;
}

const at = (): Date => new Date(t0 + minutes * 60_000);
const applied = (m: WritebackMessage): ResultMessage =>
  buildResult(m, { outcome: 'applied', ad: { objectGUID: 'guid', objectSid: 'S-1-5-21-9-9-9-1200', dn: 'CN=Finance,OU=WB' }, memberErrors: [], error: null, membersAdded: 1, membersRemoved: 0 }, { relayId: 'relay-test', durationMs: 3, at: at() });
const dcGone = (m: WritebackMessage): ResultMessage =>
  buildResult(m, failedResult({ code: 'TransientRetriesExhausted', message: 'gave up after 10 deliveries: connect ECONNREFUSED 10.0.0.4:636' }), { relayId: 'relay-test', durationMs: 3, at: at() });

/** Sends results as the relay does (messageId result:<group>:<seq> unless given) and waits until recordResults settled them. */
async function report(results: readonly ResultMessage[], messageId = (r: ResultMessage): string => r.messageId): Promise<void> {
  const settled = new Promise<void>((resolve) => {
    let seen = 0;
    const off = stack.host.onSettled((e) => {
      if (e.functionName === 'recordResults' && ++seen === results.length) {
        off();
        resolve();
      }
    });
  });
  await stack.runtime.sender(stack.runtime.config.WRITEBACK_RESULTS_QUEUE).send(results.map((r) => ({ messageId: messageId(r), body: r })));
  await settled;
}

async function status(): Promise<GroupStatus> {
  const res = await fetch(`${stack.host.url}/api/status/${G}`, { headers: { authorization: `Bearer ${stack.sim.entra.mintToken({ roles: ['Writeback.Read'], issuedAt: at() })}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as GroupStatus;
}

describe('a change set that did not land', () => {
  it('failed: the status stays failed past a later applied change set, a repair poke asks for the full state, its snapshot makes it written', async () => {
    const { runtime } = stack;
    await sendPoke(runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), runtime.config.GRAPH_TENANT_ID, 'resync', at());
    await runRounds(await takePokes());
    stack.sim.control.addMembers(G, [U(3)]);
    await sendPoke(runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), runtime.config.GRAPH_TENANT_ID, 'notification', at(), [G]);
    await runRounds(await takePokes());
    const [create, addU3, ...none] = await takeChangeSets();
    expect([create?.kind, addU3?.kind, none]).toEqual(['snapshot', 'upsert', []]);

    // The DC was away while the first change set was tried; it is back for the second.
    await report([dcGone(create!)]);
    await report([applied(addU3!)]);
    expect(await status()).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('TransientRetriesExhausted'),
      repair: { cause: 'failed', sinceSeq: create!.seq, lastSeq: create!.seq, requests: 1 },
    });

    // recordResults asked for the group's full state: one targeted resync poke, also when a result comes twice.
    await report([dcGone(create!)], () => 'redelivered-under-another-id');
    const pokes = await takePokes();
    expect(pokes).toEqual([expect.objectContaining({ reason: 'resync', groupIds: [G] })]);
    await runRounds(pokes);
    const [repair, ...more] = await takeChangeSets();
    expect(more).toEqual([]);
    expect(repair).toMatchObject({ kind: 'snapshot', groupId: G });
    expect(repair!.seq).toBeGreaterThan(addU3!.seq);
    expect(repair!.kind === 'snapshot' && repair!.members.map((m) => m.cloudId).sort()).toEqual([U(1), U(2), U(3)]);
    expect((await status()).state).toBe('pending');

    await report([applied(repair!)]);
    expect(await status()).toMatchObject({ state: 'written', reason: null, repair: null });
    expect(await takePokes()).toEqual([]);
  });

  it('never reported back: the repair timer finds it pending past the limit and asks for the full state', async () => {
    const { runtime } = stack;
    await sendPoke(runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), runtime.config.GRAPH_TENANT_ID, 'resync', at());
    await runRounds(await takePokes());
    const [lost] = await takeChangeSets(); // dead-lettered or expired: no result ever comes
    expect(lost?.kind).toBe('snapshot');

    minutes = runtime.config.PENDING_LIMIT_MINUTES - 1;
    await stack.host.runTimer('repairGroups');
    expect(await takePokes()).toEqual([]);
    minutes = runtime.config.PENDING_LIMIT_MINUTES;
    await stack.host.runTimer('repairGroups');
    const pokes = await takePokes();
    expect(pokes).toEqual([expect.objectContaining({ reason: 'resync', groupIds: [G] })]);
    expect(await status()).toMatchObject({ state: 'pending', repair: { cause: 'noResult', requests: 1 }, reason: expect.stringContaining('never reported back') });
    await stack.host.runTimer('repairGroups');
    expect(await takePokes()).toEqual([]); // asked already: not again before its backoff

    await runRounds(pokes);
    const [repair] = await takeChangeSets();
    expect(repair).toMatchObject({ kind: 'snapshot', groupId: G });
    await report([applied(repair!)]);
    expect(await status()).toMatchObject({ state: 'written', repair: null });
  });
});

describe('the repair timer\'s status query on Azurite', () => {
  it('reads the pending and failed rows of the tenant not updated since the cutoff', async () => {
    const azure = new AzureTableStore({ connectionString: (await getAzurite()).connectionString });
    const name = uniqueTableName('status');
    await azure.ensureTable(name);
    // The status repository on a table of this test's own.
    const tables: TableStore = { table: () => azure.table(name), ensureTable: () => azure.ensureTable(name), deleteTable: () => azure.deleteTable(name), listTables: () => azure.listTables() };
    const statuses = tableGroupStatusStore(tables);
    const tenantId = 'e1000000-0000-4000-8000-000000000000';
    const id = (n: number): string => `c1000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const when = (m: number): string => new Date(t0 + m * 60_000).toISOString();
    const plan = (groupId: string, m: number, tenant = tenantId): Promise<unknown> =>
      applyStatusUpdate(statuses, { kind: 'planned', tenantId: tenant, groupId, firstSeq: 7, lastSeq: 7, intent: 'write', at: when(m) });
    try {
      await plan(id(1), 0); // pending since minute 0
      await plan(id(2), 10); // pending, but newer
      await plan(id(3), 0, 'd1000000-0000-4000-8000-000000000000'); // another tenant
      const reported = (groupId: string, outcome: 'applied' | 'failed'): ResultMessage => ({
        v: 1, tenantId, groupId, seq: 7, messageId: `result:${groupId}:7`, kind: 'upsert', outcome, ad: null, memberErrors: [],
        error: outcome === 'failed' ? { code: 'WritebackOuMissing', message: 'the writeback OU does not exist' } : null,
        membersAdded: 0, membersRemoved: 0, durationMs: 1, relayId: 'relay-test', at: when(1),
      });
      await plan(id(4), 0);
      await applyStatusUpdate(statuses, { kind: 'result', at: when(1), result: reported(id(4), 'failed') });
      await plan(id(5), 0);
      await applyStatusUpdate(statuses, { kind: 'result', at: when(1), result: reported(id(5), 'applied') });
      const idle = await statuses.listIdle(tenantId, ['pending', 'failed'], when(5));
      expect(idle.map((s) => [s.groupId, s.state])).toEqual([[id(1), 'pending'], [id(4), 'failed']]);
      expect((await statuses.listIdle(tenantId, ['pending', 'failed'], when(0))).map((s) => s.groupId)).toEqual([id(1)]); // at the cutoff counts
    } finally {
      await azure.deleteTable(name);
    }
  });
});
