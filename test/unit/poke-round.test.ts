// planChanges' decisions without Graph: which failures are retried, the retry schedule, what the scheduled
// copy carries, when the handler still throws, which rounds and reads serve which pokes, what the follow-up
// round reads again, when a round read each group, and the marks' storage (old rows too).
import { describe, expect, it } from 'vitest';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { PoisonMessageError } from '../../shared/contracts/poison.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import { PlanInputError } from '../../shared/domain/planner.js';
import { handlePoke, type PokeRoundDeps } from '../../shared/app/round/poke-round.js';
import { DEFAULT_RETRY_SCHEDULE, retryDelayMs } from '../../shared/app/round/poke-retry.js';
import { deferPoke, markRound, roundGroups, servingRound } from '../../shared/app/round/poke-coalescing.js';
import { recordingReader } from '../../shared/app/round/recording-reader.js';
import { classifyRoundFailure } from '../../shared/app/round/round-failure.js';
import { silentLogger } from '../../shared/logging.js';
import type { DeltaGroupItem } from '../../shared/domain/delta-merge.js';
import type { DirectoryReader } from '../../shared/ports/directory.js';
import { MessageTooLargeError, type OutgoingMessage, type QueueSender } from '../../shared/ports/queue.js';
import { TableNotFoundError } from '../../shared/ports/table-store.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { createPlannerStore } from '../../shared/state/planner-store.js';
import { MAX_READ_GROUPS, MAX_WAITING_GROUPS, NO_ROUND_MARKS, RoundMarkRepository, type RoundMarks } from '../../shared/state/round-marks.js';
import { TABLES } from '../../shared/state/tables.js';
import { textProperties } from '../../shared/state/text-chunks.js';

const tenantId = '7d96a1c4-1111-4a2b-9c3d-0123456789ab';
const g1 = '0bc7e5a1-2222-4c44-8d55-66778899aabb';
const g2 = 'f0a5993b-5c2d-49cc-bb2f-8cb0060fef8e';
const NOW = new Date('2025-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

function poke(over: Partial<PokeMessage> = {}): PokeMessage {
  return pokeMessageSchema.parse({ v: 1, tenantId, reason: 'resync', receivedAt: at(-60).toISOString(), ...over });
}

/** A sender that records what it sends, or fails every send. */
function sender(fail?: Error): QueueSender & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    send: (messages) => (fail ? Promise.reject(fail) : (sent.push(...messages), Promise.resolve())),
    close: () => Promise.resolve(),
  };
}

/** A directory whose every call fails with `error`: the round fails at its first Graph read. */
function failingDirectory(error: unknown): DirectoryReader {
  const fail = (): Promise<never> => Promise.reject(error);
  return { groupsDelta: fail, readGroups: fail, deletedGroups: fail, groupMembers: fail, groupMemberIdentities: fail, memberIdentities: fail, unifiedGroupWritebackDefault: fail };
}

async function deps(error: unknown, changes: QueueSender): Promise<PokeRoundDeps> {
  const tables = new MemoryTableStore();
  return {
    tenantId,
    directory: failingDirectory(error),
    store: createPlannerStore(tables),
    writeback: sender(),
    statuses: tableGroupStatusStore(tables),
    log: silentLogger(),
    now: () => NOW,
    pokes: changes,
    random: () => 0,
  };
}

const graph500 = Object.assign(new Error('boom'), { statusCode: 500, code: 'InternalServerError' });

describe('a failed round', () => {
  it('a transient failure schedules a copy of the poke with the next attempt and its original receivedAt', async () => {
    const changes = sender();
    const original = poke({ groupIds: [g1], attempt: 3 });
    const outcome = await handlePoke(await deps(graph500, changes), original);
    expect(outcome).toEqual({ kind: 'retryScheduled', nextAttempt: 4, delayMs: 20_000, cause: 'HTTP 500 InternalServerError (server error)' });
    const [copy] = changes.sent;
    expect(copy!.sessionId).toBe(tenantId);
    expect(copy!.scheduledEnqueueTimeUtc).toEqual(at(20));
    expect(pokeMessageSchema.parse(copy!.body)).toEqual({ ...original, attempt: 4 });
  });

  it('throws when the retry cannot be scheduled, so the queue delivers the poke again', async () => {
    const down = new Error('queue down');
    await expect(handlePoke(await deps(graph500, sender(down)), poke())).rejects.toBe(down);
  });

  it('a permanent failure is thrown as it is; a poison poke and used-up retries are poison', async () => {
    const bug = new PlanInputError(g1, 'broken');
    await expect(handlePoke(await deps(bug, sender()), poke())).rejects.toBe(bug);
    await expect(handlePoke(await deps(graph500, sender()), { v: 1, tenantId })).rejects.toMatchObject({ name: 'PoisonMessageError', reason: 'InvalidPoke' });
    const last = poke({ attempt: DEFAULT_RETRY_SCHEDULE.maxAttempts });
    await expect(handlePoke(await deps(graph500, sender()), last)).rejects.toMatchObject({ reason: 'RoundRetriesExhausted' });
  });
});

describe('failure classes and the retry schedule', () => {
  it('classifies', () => {
    expect(classifyRoundFailure(new PoisonMessageError('X', 'y')).kind).toBe('poison');
    expect(classifyRoundFailure(new MessageTooLargeError('m', 300_000)).kind).toBe('permanent');
    expect(classifyRoundFailure(Object.assign(new Error('slow down'), { statusCode: 429 }))).toEqual({ kind: 'transient', cause: 'HTTP 429 (throttled)' });
    expect(classifyRoundFailure(new TableNotFoundError('roundMarks'))).toEqual({ kind: 'transient', cause: 'table roundMarks missing' });
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    expect(classifyRoundFailure(reset)).toEqual({ kind: 'transient', cause: 'network (ECONNRESET)' });
    expect(classifyRoundFailure(new Error('something new'))).toEqual({ kind: 'transient', cause: 'Error: something new' });
  });

  it('5 s, 10 s, 20 s ... capped at 15 min; jitter only shortens', () => {
    const nominal = [1, 2, 3, 8, 9, 60].map((n) => retryDelayMs(DEFAULT_RETRY_SCHEDULE, n, 0));
    expect(nominal).toEqual([5_000, 10_000, 20_000, 640_000, 900_000, 900_000]);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE, 2, 0.999)).toBeGreaterThan(retryDelayMs(DEFAULT_RETRY_SCHEDULE, 1, 0));
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE, 9, 0.999)).toBeGreaterThanOrEqual(675_000);
  });

  it('old pokes (without attempt or followUp) stay valid', () => {
    expect(pokeMessageSchema.parse({ v: 1, tenantId, reason: 'notification', receivedAt: NOW.toISOString() })).toMatchObject({ attempt: 1, followUp: false });
  });
});

describe('which round serves which poke', () => {
  const marks = (over: Partial<RoundMarks>): RoundMarks => ({ ...NO_ROUND_MARKS, ...over });
  const received = (reason: PokeMessage['reason'], groupIds?: string[], seconds = 0): PokeMessage =>
    poke({ reason, receivedAt: at(seconds).toISOString(), ...(groupIds ? { groupIds } : {}) });
  const followUp = (seconds = 0): PokeMessage => poke({ reason: 'notification', receivedAt: at(seconds).toISOString(), followUp: true });

  it('a later round of a covering kind, started more than the clock skew after the poke', () => {
    const delta = marks({ delta: at(5) });
    expect(servingRound(delta, received('notification'), 1_000)).toEqual({ mode: 'delta', startedAt: at(5) });
    expect(servingRound(delta, received('notification'), 10_000)).toBeNull();
    expect(servingRound(marks({ delta: at(-5) }), received('notification'), 0)).toBeNull();
    expect(servingRound(delta, received('resync'), 0)).toBeNull();
    expect(servingRound(marks({ full: at(5) }), received('resync'), 0)?.mode).toBe('full');
    expect(servingRound(marks({ full: at(5) }), received('reconcile'), 0)).toBeNull();
    expect(servingRound(marks({ reconcile: at(5) }), received('resync', [g1]), 0)?.mode).toBe('reconcile');
  });

  it('a poke that names groups: a later delta round and a read of each group that started after it, or a full round', () => {
    const read = marks({ delta: at(5), groupsRead: new Map([[g1, at(5)], [g2, at(-5)]]) });
    expect(servingRound(read, received('notification', [g1.toUpperCase()]), 0)?.mode).toBe('delta');
    expect(servingRound(read, received('notification', [g1, g2]), 0)).toBeNull();
    expect(servingRound({ ...read, full: at(1) }, received('notification', [g1, g2]), 0)?.mode).toBe('full');
    // The group was read after the poke, but the last delta enumeration started before it: what delta carries is not seen.
    expect(servingRound(marks({ delta: at(-1), groupsRead: new Map([[g1, at(5)]]) }), received('notification', [g1]), 0)).toBeNull();
  });

  it('a read counts only when it started more than the clock skew after the poke', () => {
    const read = marks({ delta: at(5), groupsRead: new Map([[g1, at(1.5)]]) });
    expect(servingRound(read, received('notification', [g1]), 1_000)?.mode).toBe('delta');
    expect(servingRound(read, received('notification', [g1]), 2_000)).toBeNull();
    expect(roundGroups(read, received('notification', [g1]), 1_000)).toEqual([]);
    expect(roundGroups(read, received('notification', [g1]), 2_000)).toEqual([g1]);
  });

  it('the follow-up reads only the waiting groups not read after their latest poke, and always runs its delta', () => {
    // Round 1 started at 0 and read g1 at 2 and g2 at 2; the pokes naming them were received at 0.5 and 3.
    const waiting = marks({ delta: at(0), groupsRead: new Map([[g1, at(2)], [g2, at(2)]]), waiting: new Map([[g1, at(0.5)], [g2, at(3)]]) });
    expect(roundGroups(waiting, followUp(), 0)).toEqual([g2]);
    expect(roundGroups(waiting, followUp(), 1_000)).toEqual([g2]);
    expect(roundGroups(waiting, followUp(), 2_000)).toEqual([g1, g2]);
    expect(servingRound(waiting, followUp(), 0)).toBeNull();
    // Every group read after its poke: no group is read by id, but the round (its delta) still runs.
    const allRead = { ...waiting, waiting: new Map([[g1, at(0.5)], [g2, at(1)]]) };
    expect(roundGroups(allRead, followUp(), 0)).toEqual([]);
    expect(servingRound(allRead, followUp(), 0)).toBeNull();
    // Served only when a round over the whole tenant started after the latest waiting poke too.
    expect(servingRound({ ...allRead, delta: at(1.5) }, followUp(), 0)).toEqual({ mode: 'delta', startedAt: at(1.5) });
  });

  it('a follow-up is not served by a round that started before a poke deferred to it', () => {
    // Queued at 0; a full round at 2 emptied the waiting list; then a poke received at 3 waits for the follow-up.
    const later = marks({ full: at(2), delta: at(2), groupsRead: new Map([[g1, at(2)]]), waiting: new Map([[g1, at(3)]]) });
    expect(servingRound(later, followUp(0), 0)).toBeNull();
    expect(roundGroups(later, followUp(0), 0)).toEqual([g1]);
    expect(servingRound(marks({ delta: at(5) }), followUp(0), 0)?.mode).toBe('delta');
  });

  it('a waiting group stored without its time (an older row) is always read again', () => {
    const old = marks({ delta: at(5), groupsRead: new Map([[g1, at(5)]]), waiting: new Map([[g1, null]]) });
    expect(servingRound(old, followUp(), 0)).toBeNull();
    expect(roundGroups(old, followUp(), 0)).toEqual([g1]);
  });

  it('a deferred poke keeps per group the latest time it was asked for; unknown stays unknown; non-GUIDs are dropped', () => {
    const first = deferPoke(NO_ROUND_MARKS, received('notification', [g1.toUpperCase(), 'not-a-guid'], 2));
    expect(first).toMatchObject({ followUpQueued: true, waiting: new Map([[g1, at(2)]]) });
    const second = deferPoke(first, received('notification', [g1, g2], 1));
    expect(second.waiting).toEqual(new Map([[g1, at(2)], [g2, at(1)]]));
    expect(deferPoke(second, received('notification', [g1], 3)).waiting.get(g1)).toEqual(at(3));
    expect(deferPoke(marks({ waiting: new Map([[g1, null]]) }), received('notification', [g1], 3)).waiting.get(g1)).toBeNull();
  });

  it('a delta round records its per-group reads and empties the waiting list; a targeted one records nothing', () => {
    const before = marks({ groupsRead: new Map([[g1, at(-10)], [g2, at(-10)]]), waiting: new Map([[g1, at(-1)]]), followUpQueued: true });
    const after = markRound(before, followUp(), { mode: 'delta', targeted: false, startedAt: at(0), groupsRead: new Map([[g1, at(2)]]) });
    expect(after).toEqual({ ...before, delta: at(0), groupsRead: new Map([[g1, at(2)], [g2, at(-10)]]), waiting: new Map(), followUpQueued: false });
    expect(markRound(before, received('resync', [g1]), { mode: 'full', targeted: true, startedAt: at(0), groupsRead: new Map([[g1, at(2)]]) })).toBe(before);
  });
});

describe('when a round read each group', () => {
  const item = (id: string): DeltaGroupItem => ({ id, props: {}, removed: null, members: [] });

  it('read by id: when the request of the first call that read it was sent; only listed by delta: the enumeration start', async () => {
    let clock = 0;
    const directory: DirectoryReader = {
      ...failingDirectory(new Error('not used')),
      groupsDelta: async (_link, onPage) => {
        clock = 3;
        await onPage([item(g1.toUpperCase()), item(g2)]);
        return { kind: 'complete', deltaLink: 'next', pages: 1, items: 2 };
      },
      // One request per group, each sent a second after the one before.
      readGroups: (ids, onRequest) => {
        for (const id of ids) {
          clock += 1;
          onRequest?.([id]);
        }
        return Promise.resolve(new Map(ids.map((id) => [id, { kind: 'notFound' } as const])));
      },
    };
    const recorder = recordingReader(directory, () => at(clock));
    await recorder.reader.groupsDelta(null, () => undefined);
    expect(recorder.groupsRead()).toEqual(new Map([[g1, at(0)], [g2, at(0)]]));
    await recorder.reader.readGroups([g1]);
    await recorder.reader.readGroups([g1, g2.toUpperCase()]);
    expect(recorder.groupsRead()).toEqual(new Map([[g1, at(4)], [g2, at(6)]]));
  });

  it('without requests named by the reader: the start of the call', async () => {
    const directory: DirectoryReader = {
      ...failingDirectory(new Error('not used')),
      readGroups: (ids) => Promise.resolve(new Map(ids.map((id) => [id, { kind: 'notFound' } as const]))),
    };
    const recorder = recordingReader(directory, () => NOW);
    await recorder.reader.readGroups([g1]);
    expect(recorder.groupsRead()).toEqual(new Map([[g1, NOW]]));
  });
});

describe('round marks in a table', () => {
  it('round-trip', async () => {
    const tables = new MemoryTableStore();
    const repo = new RoundMarkRepository(tables);
    expect(await repo.load(tenantId)).toEqual(NO_ROUND_MARKS);
    const stored: RoundMarks = { delta: at(1), full: null, reconcile: at(-100), groupsRead: new Map([[g1, at(1)]]), waiting: new Map([[g2, at(2)], [g1, null]]), followUpQueued: true };
    await repo.save(tenantId, stored);
    expect(await repo.load(tenantId)).toEqual(stored);
  });

  it('reads rows stored before waiting groups had a time', async () => {
    const tables = new MemoryTableStore();
    const properties = { followUpQueued: true, ...textProperties('round marks', `read ${g1} ${at(1).getTime()}\nwait ${g2}`) };
    await tables.table(TABLES.roundMarks).upsert({ partitionKey: tenantId, rowKey: 'rounds', properties }, 'replace');
    const loaded = await new RoundMarkRepository(tables).load(tenantId);
    expect(loaded).toMatchObject({ groupsRead: new Map([[g1, at(1)]]), waiting: new Map([[g2, null]]), followUpQueued: true });
  });

  it('the most entries it keeps fit one entity', async () => {
    const id = (n: number, prefix: string): string => `${prefix}${n.toString(16).padStart(7, '0')}-0000-4000-8000-000000000000`;
    const groupsRead = new Map(Array.from({ length: MAX_READ_GROUPS + 10 }, (_, n) => [id(n, 'a'), at(n)] as const));
    const waiting = new Map(Array.from({ length: MAX_WAITING_GROUPS }, (_, n) => [id(n, 'b'), at(-n)] as const));
    const repo = new RoundMarkRepository(new MemoryTableStore());
    await repo.save(tenantId, { ...NO_ROUND_MARKS, delta: at(0), groupsRead, waiting, followUpQueued: true });
    const loaded = await repo.load(tenantId);
    expect(loaded.groupsRead.size).toBe(MAX_READ_GROUPS);
    expect(loaded.groupsRead.get(id(MAX_READ_GROUPS + 9, 'a'))).toEqual(at(MAX_READ_GROUPS + 9));
    expect(loaded.groupsRead.has(id(0, 'a'))).toBe(false);
    expect(loaded.waiting.size).toBe(MAX_WAITING_GROUPS);
  });
});
