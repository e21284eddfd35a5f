// The safety net's decisions with a fixed clock: due or not from the round marks and its own last poke, what one
// tick sends and records, how a safety-net poke is handled (served, its round reading waiting groups, no retry),
// the safetyNetSeconds setting (default, bounds, no re-planning when it changes) and the timer's tick.
import { describe, expect, it } from 'vitest';
import { nextOccurrence, parseSchedule } from '../../dev/host/ncrontab.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { safetyNetFunction } from '../../functions/safetyNet.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import { handlePoke } from '../../shared/app/round/poke-round.js';
import { mayDefer, roundGroups, servingRound } from '../../shared/app/round/poke-coalescing.js';
import { lastRoundStart, runSafetyNet, safetyNetDue, type SafetyNetState } from '../../shared/app/round/safety-net.js';
import { tenantSettingsService } from '../../shared/app/settings/tenant-settings.js';
import { silentLogger } from '../../shared/logging.js';
import type { DirectoryReader } from '../../shared/ports/directory.js';
import type { OutgoingMessage, QueueSender } from '../../shared/ports/queue.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { createPlannerStore, type PlannerStore } from '../../shared/state/planner-store.js';
import { NO_ROUND_MARKS, type RoundMarks } from '../../shared/state/round-marks.js';
import { TABLES } from '../../shared/state/tables.js';

const tenantId = '7d96a1c4-1111-4a2b-9c3d-0123456789ab';
const g1 = '0bc7e5a1-2222-4c44-8d55-66778899aabb';
const NOW = new Date('2025-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

function sender(): QueueSender & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return { sent, send: (messages) => (sent.push(...messages), Promise.resolve()), close: () => Promise.resolve() };
}

const marks = (over: Partial<RoundMarks>): RoundMarks => ({ ...NO_ROUND_MARKS, ...over });
const safetyPoke = (over: Partial<PokeMessage> = {}): PokeMessage =>
  pokeMessageSchema.parse({ v: 1, tenantId, reason: 'safetyNet', receivedAt: NOW.toISOString(), ...over });

describe('when the safety net is due', () => {
  const state = (over: Partial<SafetyNetState>): SafetyNetState => ({ lastRoundStart: null, lastPoke: null, safetyNetSeconds: 300, ...over });

  it('only when no round started for more than safetyNetSeconds', () => {
    expect(safetyNetDue(state({ lastRoundStart: at(-300) }), NOW)).toBe(false);
    expect(safetyNetDue(state({ lastRoundStart: at(-301) }), NOW)).toBe(true);
    expect(safetyNetDue(state({ lastRoundStart: at(-100), safetyNetSeconds: 60 }), NOW)).toBe(true);
    expect(safetyNetDue(state({}), NOW)).toBe(true);
  });

  it('and it sent no poke in that time either (failing or long rounds record no start)', () => {
    expect(safetyNetDue(state({ lastRoundStart: at(-3_600), lastPoke: at(-200) }), NOW)).toBe(false);
    expect(safetyNetDue(state({ lastRoundStart: at(-3_600), lastPoke: at(-301) }), NOW)).toBe(true);
  });

  it('the last round is the newest of delta, full and reconcile', () => {
    expect(lastRoundStart(NO_ROUND_MARKS)).toBeNull();
    expect(lastRoundStart(marks({ delta: at(-500), full: at(-10), reconcile: at(-9_000) }))).toEqual(at(-10));
    expect(lastRoundStart(marks({ reconcile: at(-20) }))).toEqual(at(-20));
  });
});

describe('one safety-net tick', () => {
  function world(): { store: PlannerStore; pokes: ReturnType<typeof sender>; tickAt: (d: Date) => ReturnType<typeof runSafetyNet> } {
    const store = createPlannerStore(new MemoryTableStore());
    const pokes = sender();
    return { store, pokes, tickAt: (d) => runSafetyNet({ tenantId, store, pokes, now: () => d }) };
  }

  it('sends a safety-net poke when due, records it, and sends nothing more within the period', async () => {
    const { store, pokes, tickAt } = world();
    await store.marks.save(tenantId, marks({ delta: at(-100) }));
    expect(await tickAt(NOW)).toMatchObject({ poked: false, lastRoundStart: at(-100), safetyNetSeconds: 300 });
    expect(pokes.sent).toEqual([]);

    expect((await tickAt(at(201))).poked).toBe(true);
    expect(pokes.sent).toHaveLength(1);
    expect(pokes.sent[0]).toMatchObject({ sessionId: tenantId, subject: 'poke:safetyNet' });
    expect(pokeMessageSchema.parse(pokes.sent[0]!.body)).toMatchObject({ reason: 'safetyNet', receivedAt: at(201).toISOString(), attempt: 1 });
    expect(await store.safetyNet.lastPoke(tenantId)).toEqual(at(201));

    // The round has not run (or failed): the next ticks of the period send nothing.
    expect((await tickAt(at(216))).poked).toBe(false);
    expect((await tickAt(at(501))).poked).toBe(false);
    expect((await tickAt(at(502))).poked).toBe(true);
    expect(pokes.sent).toHaveLength(2);
  });

  it('follows the tenant setting', async () => {
    const { store, pokes, tickAt } = world();
    await store.marks.save(tenantId, marks({ full: at(-20) }));
    await store.settings.update(tenantId, { safetyNetSeconds: 15 });
    expect((await tickAt(NOW)).poked).toBe(true);
    expect(pokes.sent).toHaveLength(1);
  });
});

describe('a safety-net poke in planChanges', () => {
  it('is served by a round that started after it, and never waits for the follow-up round', () => {
    expect(servingRound(marks({ delta: at(5) }), safetyPoke(), 1_000)?.mode).toBe('delta');
    expect(servingRound(marks({ reconcile: at(5) }), safetyPoke(), 1_000)?.mode).toBe('reconcile');
    expect(servingRound(marks({ delta: at(-5) }), safetyPoke(), 1_000)).toBeNull();
    expect(mayDefer(NO_ROUND_MARKS, safetyPoke())).toBe(false);
  });

  it('its delta round reads the groups waiting for the follow-up round (the round empties that list)', () => {
    const waiting = marks({ waiting: new Map([[g1, at(-1)]]) });
    expect(roundGroups(waiting, safetyPoke(), 1_000)).toEqual([g1]);
    expect(roundGroups(waiting, safetyPoke({ reason: 'recheck' }), 1_000)).toEqual([g1]);
    expect(roundGroups(waiting, safetyPoke({ reason: 'resync' }), 1_000)).toEqual([]);
  });

  it('a transient failure is left to the next safety-net poke: no retry is scheduled', async () => {
    const tables = new MemoryTableStore();
    const fail = (): Promise<never> => Promise.reject(Object.assign(new Error('boom'), { statusCode: 503 }));
    const directory: DirectoryReader = { groupsDelta: fail, readGroups: fail, deletedGroups: fail, groupMembers: fail, groupMemberIdentities: fail, memberIdentities: fail, unifiedGroupWritebackDefault: fail };
    const pokes = sender();
    const outcome = await handlePoke(
      { tenantId, directory, store: createPlannerStore(tables), writeback: sender(), pokes, statuses: tableGroupStatusStore(tables), log: silentLogger(), now: () => NOW },
      safetyPoke(),
    );
    expect(outcome).toEqual({ kind: 'leftToSafetyNet', cause: 'HTTP 503 (server error)' });
    expect(pokes.sent).toEqual([]);
  });
});

describe('the safetyNetSeconds setting', () => {
  it('defaults to 300 (also for rows stored before it existed) and stays within 15 s .. 1 h', async () => {
    const tables = new MemoryTableStore();
    const { settings } = createPlannerStore(tables);
    await tables.table(TABLES.tenantSettings).upsert({ partitionKey: tenantId, rowKey: 'settings', properties: { json: '{"cnFormat":"displayName"}' } }, 'replace');
    expect(await settings.load(tenantId)).toMatchObject({ cnFormat: 'displayName', safetyNetSeconds: 300 });
    await expect(settings.update(tenantId, { safetyNetSeconds: 14 })).rejects.toThrow();
    await expect(settings.update(tenantId, { safetyNetSeconds: 3_601 })).rejects.toThrow();
    await expect(settings.update(tenantId, { safetyNetSeconds: 30.5 })).rejects.toThrow();
    expect((await settings.update(tenantId, { safetyNetSeconds: 3_600 })).safetyNetSeconds).toBe(3_600);
  });

  it('its smallest value is the timer tick: every 15 s, and not on start-up', async () => {
    const schedule = parseSchedule(safetyNetFunction.trigger.schedule);
    const ticks = [nextOccurrence(schedule, NOW)];
    for (let i = 0; i < 4; i++) ticks.push(nextOccurrence(schedule, ticks.at(-1)!));
    expect(ticks.map((t) => (t.getTime() - NOW.getTime()) / 1000)).toEqual([15, 30, 45, 60, 75]);
    expect(safetyNetFunction.trigger.runOnStartup).toBeUndefined();
    const { settings } = createPlannerStore(new MemoryTableStore());
    expect((await settings.update(tenantId, { safetyNetSeconds: 15 })).safetyNetSeconds).toBe(15);
  });

  it('a change of it alone queues no round; a change the plans depend on does', async () => {
    const changes = sender();
    const service = tenantSettingsService(createPlannerStore(new MemoryTableStore()).settings, () => changes, () => NOW);
    await service.save(tenantId, { safetyNetSeconds: 60 });
    expect(changes.sent).toEqual([]);
    await service.save(tenantId, { cnFormat: 'displayName', safetyNetSeconds: 120 });
    expect(changes.sent.map((m) => m.subject)).toEqual(['poke:resync']);
  });
});
