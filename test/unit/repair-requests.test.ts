// Asking the planner for a group's full state (shared/app/status/repair-requests.ts): recordResults asks once per
// failure, also when the first attempt died before the poke went out; the repair timer finds idle change sets by
// a status table query and asks for all of them in one targeted poke.
import { describe, expect, it } from 'vitest';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import type { ResultMessage } from '../../shared/contracts/result-message.js';
import { applyStatusUpdate } from '../../shared/app/status/group-status.js';
import { requestDueRepairs } from '../../shared/app/status/repair-requests.js';
import { recordResult, type ResultsRecorderDeps } from '../../shared/app/status/results-recorder.js';
import { silentLogger } from '../../shared/logging.js';
import type { OutgoingMessage, QueueSender } from '../../shared/ports/queue.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import type { GroupStatusStore } from '../../shared/state/group-status-record.js';
import { RelayRepository } from '../../shared/state/relays.js';
import { TABLES } from '../../shared/state/tables.js';

const tenantId = '11111111-1111-1111-1111-111111111111';
const G = (n: number): string => `22222222-2222-4222-8222-${n.toString(16).padStart(12, '0')}`;
const S = 1_700_000_000;
const t0 = Date.parse('2025-01-01T00:00:00.000Z');

class Pokes implements QueueSender {
  sent: PokeMessage[] = [];
  failNext = 0;
  send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('Service Bus unavailable'));
    }
    this.sent.push(...messages.map((m) => pokeMessageSchema.parse(m.body)));
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function world(): Promise<{ deps: ResultsRecorderDeps; pokes: Pokes; statuses: GroupStatusStore; clock: { minutes: number } }> {
  const tables = new MemoryTableStore();
  await tables.ensureTable(TABLES.groupStatus);
  const statuses = tableGroupStatusStore(tables);
  const pokes = new Pokes();
  const clock = { minutes: 0 };
  const deps = { statuses, relays: new RelayRepository(tables), changes: pokes, log: silentLogger(), now: () => new Date(t0 + clock.minutes * 60_000) };
  return { deps, pokes, statuses, clock };
}

function failedResult(groupId: string, seq: number): ResultMessage {
  return {
    v: 1, tenantId, groupId, seq, messageId: `result:${groupId}:${seq}`, kind: 'upsert', outcome: 'failed', ad: null, memberErrors: [],
    error: { code: 'TransientRetriesExhausted', message: 'gave up after 10 deliveries' }, membersAdded: 0, membersRemoved: 0, durationMs: 1,
    relayId: 'relay-1', at: new Date(t0).toISOString(),
  };
}

const plan = (deps: ResultsRecorderDeps, groupId: string, seq: number): Promise<unknown> =>
  applyStatusUpdate(deps.statuses, { kind: 'planned', tenantId, groupId, firstSeq: seq, lastSeq: seq, intent: 'write', fullState: false, at: deps.now().toISOString() });

describe('recordResults asks for a repair', () => {
  it('once per failure, however often the result is delivered', async () => {
    const { deps, pokes, statuses } = await world();
    await plan(deps, G(1), S);
    expect(await recordResult(deps, failedResult(G(1), S))).toBe('recorded');
    expect(await recordResult(deps, failedResult(G(1), S))).toBe('stale');
    expect(pokes.sent).toEqual([expect.objectContaining({ tenantId, reason: 'resync', groupIds: [G(1)] })]);
    expect((await statuses.read(tenantId, G(1)))?.status).toMatchObject({ state: 'failed', repair: { requests: 1 } });
  });

  it('again on the redelivered result when the poke could not be sent the first time', async () => {
    const { deps, pokes } = await world();
    await plan(deps, G(1), S);
    pokes.failNext = 1;
    await expect(recordResult(deps, failedResult(G(1), S))).rejects.toThrow('Service Bus unavailable');
    expect(await recordResult(deps, failedResult(G(1), S))).toBe('stale');
    expect(pokes.sent.map((p) => p.groupIds)).toEqual([[G(1)]]);
  });
});

describe('the repair timer', () => {
  it('asks in one poke for every change set idle past the limit, and not again before its backoff', async () => {
    const { deps, pokes, statuses, clock } = await world();
    const limit = 30 * 60_000;
    for (const n of [1, 2, 3, 4]) await plan(deps, G(n), S);
    await recordResult(deps, { ...failedResult(G(3), S), outcome: 'applied', error: null }); // G(3) is written
    clock.minutes = 20;
    await plan(deps, G(2), S + 1); // progress: a newer change set
    clock.minutes = 31;
    expect(await requestDueRepairs(deps, tenantId, limit)).toEqual([G(1), G(4)]);
    expect(pokes.sent).toEqual([expect.objectContaining({ reason: 'resync', groupIds: [G(1), G(4)] })]);
    expect((await statuses.read(tenantId, G(1)))?.status).toMatchObject({ state: 'pending', repair: { cause: 'noResult', requests: 1 } });
    expect(await requestDueRepairs(deps, tenantId, limit)).toEqual([]);
    clock.minutes = 55;
    expect(await requestDueRepairs(deps, tenantId, limit)).toEqual([G(2)]);
    clock.minutes = 61;
    expect(await requestDueRepairs(deps, tenantId, limit)).toEqual([G(1), G(4)]);
    expect((await statuses.read(tenantId, G(1)))?.status.repair?.requests).toBe(2);
    expect(pokes.sent).toHaveLength(3);
  });
});
