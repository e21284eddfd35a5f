import { describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../shared/contracts/result-message.js';
import { applyStatusUpdate, combineOutcomes, MAX_STATUS_MEMBER_ERRORS, mergeStatus, type StatusUpdate } from '../../shared/app/status/group-status.js';
import { groupStatusSchema, type GroupStatus } from '../../shared/state/group-status-record.js';
import { TABLES } from '../../shared/state/tables.js';
import { tableGroupStatusStore } from '../../shared/state/group-status-table.js';
import { MemoryTableStore } from '../../dev/tables/memory-table-store.js';

const tenantId = '11111111-1111-1111-1111-111111111111';
const groupId = '22222222-2222-2222-2222-222222222222';
const at = '2025-01-01T00:00:00.000Z';

function result(seq: number, over: Partial<ResultMessage> = {}): StatusUpdate {
  return {
    kind: 'result',
    at,
    result: {
      v: 1,
      tenantId,
      groupId,
      seq,
      messageId: `${groupId}:${seq}`,
      kind: 'upsert',
      outcome: 'applied',
      ad: { objectGUID: 'guid', objectSid: 'S-1-5-21-1-2-3-1000', dn: 'CN=g,OU=x,DC=y' },
      memberErrors: [],
      error: null,
      membersAdded: 2,
      membersRemoved: 1,
      durationMs: 5,
      relayId: 'relay-1',
      at,
      ...over,
    },
  };
}

const planned = (firstSeq: number, lastSeq: number, intent: 'write' | 'softDelete' | 'delete' = 'write'): StatusUpdate => ({
  kind: 'planned',
  tenantId,
  groupId,
  firstSeq,
  lastSeq,
  intent,
  cloudOnlyMembers: 3,
  at,
});

function run(...updates: StatusUpdate[]): GroupStatus {
  let s: GroupStatus | null = null;
  for (const u of updates) s = mergeStatus(s, u);
  return groupStatusSchema.parse(s);
}

function progress(seq: number, done: number, when: string): StatusUpdate {
  return {
    kind: 'progress',
    at,
    message: {
      v: 1,
      type: 'progress',
      tenantId,
      groupId,
      relayId: 'relay-1',
      progress: { seq, done, total: 250_000, membersAdded: done, membersRemoved: 0, perSecond: 2_000, stage: 'part 3 of 40', at: when },
    },
  };
}

describe('mergeStatus: progress of a big change set', () => {
  const t1 = '2025-01-01T00:00:05.000Z';
  const t2 = '2025-01-01T00:00:10.000Z';

  it('is shown while the change set is written, without changing the state or the time', () => {
    const before = run(planned(1, 40));
    const s = run(planned(1, 40), progress(40, 10_000, t1));
    expect(s.progress).toMatchObject({ seq: 40, done: 10_000, total: 250_000, perSecond: 2_000, stage: 'part 3 of 40', at: t1 });
    expect(s).toMatchObject({ state: 'pending', updatedAt: before.updatedAt, outcome: null });
  });

  it('a newer report replaces it, an older one (queues do not keep order) is ignored', () => {
    expect(run(planned(1, 40), progress(40, 20_000, t2), progress(40, 10_000, t1)).progress?.done).toBe(20_000);
    expect(run(planned(1, 40), progress(40, 10_000, t1), progress(40, 20_000, t2)).progress?.done).toBe(20_000);
  });

  it('stays through the results of earlier parts, goes with the last one, and never comes back after it', () => {
    expect(run(planned(1, 3), progress(3, 10, t1), result(1), result(2)).progress?.done).toBe(10);
    const done = run(planned(1, 3), progress(3, 10, t1), result(1), result(2), result(3));
    expect(done).toMatchObject({ state: 'written', progress: null });
    expect(run(planned(1, 3), result(1), result(2), result(3), progress(3, 10, t2)).progress).toBeNull();
  });
});

describe('mergeStatus', () => {
  it('a planned change set is pending until its last seq is reported', () => {
    const s = run(planned(1, 3), result(1), result(2));
    expect(s.state).toBe('pending');
    expect(s.counts).toEqual({ membersAdded: 4, membersRemoved: 2 });
    expect(run(planned(1, 3), result(1), result(2), result(3)).state).toBe('written');
  });

  it('keeps member errors of every part of the change set, deduplicated', () => {
    const err = { member: 'm1', code: 'noSuchObject', message: 'not found' };
    const s = run(planned(1, 2), result(1, { outcome: 'partial', memberErrors: [err] }), result(2, { memberErrors: [err, { ...err, member: 'm2' }] }));
    expect(s.state).toBe('partial');
    expect(s.memberErrors.map((e) => e.member)).toEqual(['m1', 'm2']);
  });

  it('ignores results older than, or equal to, the recorded one', () => {
    const s = run(result(5), result(6, { outcome: 'failed', error: { code: 'x', message: 'boom' } }));
    expect(mergeStatus(s, result(5))).toBe(s);
    expect(mergeStatus(s, result(6))).toBe(s);
    expect(s.state).toBe('failed');
    expect(s.lastResultSeq).toBe(6);
  });

  it('a new change set starts with clean errors and counts', () => {
    const err = { member: 'm1', code: 'c', message: 'x' };
    const s = run(planned(1, 1), result(1, { outcome: 'partial', memberErrors: [err] }), planned(2, 2), result(2));
    expect(s.state).toBe('written');
    expect(s.memberErrors).toEqual([]);
    expect(s.counts).toEqual({ membersAdded: 2, membersRemoved: 1 });
  });

  it('names the state by intent: soft delete and delete', () => {
    expect(run(planned(1, 1, 'softDelete'), result(1, { kind: 'snapshot' })).state).toBe('softDeleted');
    expect(run(planned(1, 1, 'delete'), result(1, { kind: 'delete' })).state).toBe('deleted');
    expect(run(result(1, { kind: 'delete' })).state).toBe('deleted');
  });

  it('results that arrive before the planner recorded its plan keep their outcome', () => {
    // The planner records its plan before sending; if it is late anyway, the plan must not reset the state.
    const s = run(result(1), result(2, { outcome: 'partial', memberErrors: [{ member: 'm', code: 'c', message: 'x' }] }), planned(1, 2));
    expect(s.state).toBe('partial');
    expect(s.lastResultSeq).toBe(2);
    expect(s.memberErrors).toHaveLength(1);
  });

  it('planner decisions: skipped with a reason and cloud-only members', () => {
    const s = run({ kind: 'decision', tenantId, groupId, state: 'skipped', reason: 'dynamic membership is not written back', cloudOnlyMembers: 7, at });
    expect(s).toMatchObject({ state: 'skipped', reason: 'dynamic membership is not written back', cloudOnlyMembers: 7 });
  });

  it('a group that could not be found is pending with the reason, and settles back to what its results say', () => {
    const unknown: StatusUpdate = { kind: 'decision', tenantId, groupId, state: 'pending', reason: 'not found in the cloud', at };
    const settled = (state: 'written' | 'skipped', reason: string | null = null): StatusUpdate => ({ kind: 'settled', tenantId, groupId, state, reason, at });
    expect(run(planned(1, 2), result(1), result(2), unknown)).toMatchObject({ state: 'pending', reason: 'not found in the cloud' });
    expect(run(planned(1, 2), result(1), result(2), unknown, settled('written'))).toMatchObject({ state: 'written', reason: null });
    const failed = result(2, { outcome: 'failed', error: { code: 'busy', message: 'DC busy' } });
    expect(run(planned(1, 2), result(1), failed, unknown, settled('written'))).toMatchObject({ state: 'failed', repair: { code: 'busy' } });
    // its change set still on the way: pending for that, without the reason
    expect(run(planned(1, 2), result(1), unknown, settled('written'))).toMatchObject({ state: 'pending', reason: null });
    // never planned a change set: the planner's verdict
    expect(run(unknown, settled('skipped', 'not enabled'))).toMatchObject({ state: 'skipped', reason: 'not enabled' });
    // a result decided the state meanwhile: settled changes nothing
    const s = run(planned(1, 2), unknown, result(1), result(2));
    expect(mergeStatus(s, settled('skipped', 'x'))).toBe(s);
  });

  it('caps member errors and counts the rest', () => {
    const many = Array.from({ length: MAX_STATUS_MEMBER_ERRORS + 10 }, (_, i) => ({ member: `m${i}`, code: 'c', message: 'x'.repeat(5000) }));
    const s = run(result(1, { outcome: 'partial', memberErrors: many }));
    expect(s.memberErrors).toHaveLength(MAX_STATUS_MEMBER_ERRORS);
    expect(s.memberErrorsOmitted).toBe(10);
    expect(s.memberErrors[0]!.message.length).toBeLessThanOrEqual(300);
  });
});

describe('held by the deletion guard', () => {
  it('a late result of a change set sent before the hold leaves the group held; the released change set ends it', () => {
    const hold: StatusUpdate = { kind: 'decision', tenantId, groupId, state: 'held', reason: 'deletion held: 20 group deletion(s)', at };
    const s = run(planned(1, 2), result(1), hold, result(2));
    expect(s).toMatchObject({ state: 'held', reason: 'deletion held: 20 group deletion(s)', lastResultSeq: 2 });
    const released = run(planned(1, 2), result(1), hold, result(2), planned(3, 3, 'delete'), result(3, { kind: 'delete' }));
    expect(released).toMatchObject({ state: 'deleted', reason: null });
  });

  it('a hold decided again changes nothing, so later rounds write nothing', () => {
    const hold: StatusUpdate = { kind: 'decision', tenantId, groupId, state: 'held', reason: 'member removals held', at };
    const s = run(planned(1, 1), result(1), hold);
    expect(mergeStatus(s, { ...hold, at: '2025-01-02T00:00:00.000Z' })).toBe(s);
    expect(mergeStatus(s, { ...hold, reason: 'deletion held' })).toMatchObject({ state: 'held', reason: 'deletion held' });
  });
});

describe('combineOutcomes', () => {
  it('failed next to applied is partial; otherwise the worst wins', () => {
    expect(combineOutcomes('applied', 'failed')).toBe('partial');
    expect(combineOutcomes('failed', 'failed')).toBe('failed');
    expect(combineOutcomes('skipped', 'partial')).toBe('partial');
    expect(combineOutcomes(null, 'skipped')).toBe('skipped');
  });
});

describe('applyStatusUpdate', () => {
  it('retries on a concurrent writer and keeps both updates', async () => {
    const tables = new MemoryTableStore();
    await tables.ensureTable(TABLES.groupStatus);
    const store = tableGroupStatusStore(tables);
    await applyStatusUpdate(store, planned(1, 2));
    // Interleave: a writer sneaks in between read and write once.
    const realWrite = store.write.bind(store);
    let sneaked = false;
    store.write = async (status: GroupStatus, etag: string | null) => {
      if (!sneaked) {
        sneaked = true;
        await applyStatusUpdate(store, result(1));
      }
      return realWrite(status, etag);
    };
    await applyStatusUpdate(store, result(2));
    const row = await store.read(tenantId, groupId);
    expect(row?.status.lastResultSeq).toBe(2);
    expect(row?.status.counts.membersAdded).toBe(4);
    expect(row?.status.state).toBe('written');
  });
});

describe('mergeStatus: members not sent, with nothing sent (observed)', () => {
  const facts = { displayName: 'Sales', type: 'm365' as const, adGroupType: 'universalDistributionGroup' as const, plannedMemberCount: 4 };
  const observed = (memberErrors: { member: string; code: string; message: string }[], when = '2025-01-02T00:00:00.000Z'): StatusUpdate => ({
    kind: 'observed', tenantId, groupId, state: 'written', reason: null, cloudOnlyMembers: memberErrors.length, memberErrors, notes: [], facts, at: when,
  });
  const cloudOnly = (member: string) => ({ member, code: 'cloudOnlyUser', message: 'cloud-only' });

  it('replaces the members not sent at the head of the errors, keeps the relay\'s, the state and the time', () => {
    const refused = { member: 'm9', code: 'noSuchObject', message: 'not found' };
    const before = run({ kind: 'planned', tenantId, groupId, firstSeq: 1, lastSeq: 1, intent: 'write', memberErrors: [cloudOnly('c1')], at }, result(1, { outcome: 'partial', memberErrors: [refused] }));
    expect(before.memberErrors).toEqual([cloudOnly('c1'), refused]);
    const after = groupStatusSchema.parse(mergeStatus(before, observed([cloudOnly('c2')])));
    expect(after).toMatchObject({ state: 'partial', cloudOnlyMembers: 1, plannedMemberErrors: [cloudOnly('c2')], updatedAt: before.updatedAt, ...facts });
    expect(after.memberErrors).toEqual([cloudOnly('c2'), refused]);
    expect(mergeStatus(after, observed([cloudOnly('c2')], '2025-01-03T00:00:00.000Z'))).toBe(after);
    // the next change set's results start from the new list
    expect([planned(2, 2), result(2)].reduce(mergeStatus, after).memberErrors).toEqual([cloudOnly('c2')]);
  });

  it('a group without a status gets the planner\'s verdict', () => {
    expect(run(observed([cloudOnly('c1')]))).toMatchObject({ state: 'written', reason: null, memberErrors: [cloudOnly('c1')], cloudOnlyMembers: 1, ...facts });
  });

  it('old rows without facts read as null', () => {
    const { displayName: _d, type: _t, adGroupType: _a, plannedMemberCount: _p, ...old } = run(planned(1, 1));
    expect(groupStatusSchema.parse(old)).toMatchObject({ displayName: null, type: null, adGroupType: null, plannedMemberCount: null });
  });
});

describe('group status table', () => {
  it('round-trips a status with member errors, insert-only and etag-conditional writes', async () => {
    const tables = new MemoryTableStore();
    await tables.ensureTable(TABLES.groupStatus);
    const store = tableGroupStatusStore(tables);
    const s = run(planned(1, 1), result(1, { outcome: 'partial', memberErrors: [{ member: 'm1', code: '8518', message: 'scope' }] }));
    expect(await store.write(s, null)).toBe(true);
    expect(await store.write(s, null)).toBe(false); // exists already
    const row = await store.read(tenantId, groupId);
    expect(row?.status).toEqual(s);
    expect(await store.write({ ...s, state: 'written' }, 'W/"stale"')).toBe(false);
    expect(await store.write({ ...s, state: 'written' }, row!.etag)).toBe(true);
    expect((await store.list(tenantId)).map((x) => x.state)).toEqual(['written']);
    expect(await store.list('someone-else')).toEqual([]);
  });

  it('a status with the maximum of long member errors still fits a table row', async () => {
    const tables = new MemoryTableStore();
    await tables.ensureTable(TABLES.groupStatus);
    const many = Array.from({ length: 200 }, (_, i) => ({ member: `CN=${'x'.repeat(900)}${i}`, code: 'c'.repeat(500), message: 'y'.repeat(2000) }));
    const s = run(result(1, { outcome: 'partial', memberErrors: many }), {
      kind: 'decision', tenantId, groupId, state: 'held', reason: 'r'.repeat(5000), notes: Array.from({ length: 100 }, () => 'n'.repeat(5000)), at,
    });
    expect(await tableGroupStatusStore(tables).write(s, null)).toBe(true);
  });
});
