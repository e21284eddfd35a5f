// planChanges' decisions without Graph: which failures are retried, the retry schedule, what the scheduled
// copy carries, when the handler still throws, which rounds serve which pokes, and the marks' storage.
import { describe, expect, it } from 'vitest';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';
import { PoisonMessageError } from '../../shared/contracts/poison.js';
import { pokeMessageSchema, type PokeMessage } from '../../shared/contracts/poke-message.js';
import { PlanInputError } from '../../shared/domain/planner.js';
import { handlePoke, type PokeRoundDeps } from '../../shared/app/round/poke-round.js';
import { DEFAULT_RETRY_SCHEDULE, retryDelayMs } from '../../shared/app/round/poke-retry.js';
import { servingRound } from '../../shared/app/round/poke-coalescing.js';
import { classifyRoundFailure } from '../../shared/app/round/round-failure.js';
import { silentLogger } from '../../shared/logging.js';
import type { DirectoryReader } from '../../shared/ports/directory.js';
import { MessageTooLargeError, type OutgoingMessage, type QueueSender } from '../../shared/ports/queue.js';
import { TableNotFoundError } from '../../shared/ports/table-store.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { createPlannerStore } from '../../shared/state/planner-store.js';
import { NO_ROUND_MARKS, RoundMarkRepository, type RoundMarks } from '../../shared/state/round-marks.js';

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
  const received = (reason: PokeMessage['reason'], groupIds?: string[]): PokeMessage => poke({ reason, receivedAt: NOW.toISOString(), ...(groupIds ? { groupIds } : {}) });

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

  it('a poke that names groups: only delta rounds that read them, or a full round', () => {
    const read = marks({ delta: at(5), groupsRead: new Map([[g1, at(5)], [g2, at(-5)]]) });
    expect(servingRound(read, received('notification', [g1.toUpperCase()]), 0)?.mode).toBe('delta');
    expect(servingRound(read, received('notification', [g1, g2]), 0)).toBeNull();
    expect(servingRound({ ...read, full: at(1) }, received('notification', [g1, g2]), 0)?.mode).toBe('full');
  });

  it('the follow-up poke needs the waiting groups read', () => {
    const followUp = poke({ reason: 'notification', receivedAt: NOW.toISOString(), followUp: true });
    expect(servingRound(marks({ delta: at(5), waiting: new Set([g1]) }), followUp, 0)).toBeNull();
    expect(servingRound(marks({ delta: at(5), waiting: new Set([g1]), groupsRead: new Map([[g1, at(5)]]) }), followUp, 0)?.mode).toBe('delta');
  });
});

describe('round marks in a table', () => {
  it('round-trip', async () => {
    const tables = new MemoryTableStore();
    const repo = new RoundMarkRepository(tables);
    expect(await repo.load(tenantId)).toEqual(NO_ROUND_MARKS);
    const stored: RoundMarks = { delta: at(1), full: null, reconcile: at(-100), groupsRead: new Map([[g1, at(1)]]), waiting: new Set([g2]), followUpQueued: true };
    await repo.save(tenantId, stored);
    expect(await repo.load(tenantId)).toEqual(stored);
  });
});
