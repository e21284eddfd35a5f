// A change set that did not land (shared/app/status/repair.ts through mergeStatus): the status stays failed or
// pending, never written, until a full state planned after it is applied; the repair is asked for once per failure.
import { describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../shared/contracts/result-message.js';
import { mergeStatus, type StatusUpdate } from '../../shared/app/status/group-status.js';
import { repairDue } from '../../shared/app/status/repair.js';
import { groupStatusSchema, type GroupStatus } from '../../shared/state/group-status-record.js';

const tenantId = '11111111-1111-1111-1111-111111111111';
const groupId = '22222222-2222-2222-2222-222222222222';
const at = '2025-01-01T00:00:00.000Z';
// Seqs are time-floored in practice: never 1, 2, 3.
const S = 1_700_000_000;

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
      membersAdded: 1,
      membersRemoved: 0,
      durationMs: 5,
      relayId: 'relay-1',
      at,
      ...over,
    },
  };
}

const failed = (seq: number, code = 'TransientRetriesExhausted', kind: ResultMessage['kind'] = 'upsert'): StatusUpdate =>
  result(seq, { kind, outcome: 'failed', ad: null, membersAdded: 0, error: { code, message: 'gave up after 10 deliveries: connect ECONNREFUSED' } });
const snapshot = (seq: number, over: Partial<ResultMessage> = {}): StatusUpdate => result(seq, { kind: 'snapshot', ...over });

const planned = (firstSeq: number, lastSeq: number, fullState = false, when = at): StatusUpdate => ({
  kind: 'planned',
  tenantId,
  groupId,
  firstSeq,
  lastSeq,
  intent: 'write',
  fullState,
  at: when,
});

const requested = (s: GroupStatus, when = at): StatusUpdate => ({
  kind: 'repairRequested',
  tenantId,
  groupId,
  seen: { requests: s.repair?.requests ?? 0, plannedSeq: s.plannedSeq },
  at: when,
});

function run(...updates: StatusUpdate[]): GroupStatus {
  let s: GroupStatus | null = null;
  for (const u of updates) s = mergeStatus(s, u);
  return groupStatusSchema.parse(s);
}

function apply(s: GroupStatus, ...updates: StatusUpdate[]): GroupStatus {
  let out = s;
  for (const u of updates) out = mergeStatus(out, u);
  return out;
}

describe('a change set that failed', () => {
  it('stays failed, with the reason, when a later ordinary change set is applied', () => {
    const s = run(planned(S, S), failed(S), planned(S + 1, S + 1), result(S + 1));
    expect(s.state).toBe('failed');
    expect(s.reason).toMatch(/change set 1700000000 failed \(TransientRetriesExhausted: .*ECONNREFUSED\)/);
    expect(s.repair).toMatchObject({ cause: 'failed', code: 'TransientRetriesExhausted', sinceSeq: S, lastSeq: S, requests: 0 });
  });

  it('is written once a full state planned after the failure is applied', () => {
    const broken = run(planned(S, S), failed(S));
    const repairing = apply(broken, requested(broken), planned(S + 1, S + 2, true));
    expect(repairing).toMatchObject({ state: 'pending', repair: { fullState: { firstSeq: S + 1, lastSeq: S + 2 }, requests: 1 } });
    expect(apply(repairing, snapshot(S + 1)).state).toBe('pending');
    expect(apply(repairing, snapshot(S + 1), snapshot(S + 2))).toMatchObject({ state: 'written', reason: null, repair: null });
  });

  it('an ordinary change set planned after the repair does not hide it: the snapshot still repairs', () => {
    // recordResults' repair round ran before the next notification round: snapshot, then an upsert.
    const s = run(planned(S, S), failed(S), planned(S + 1, S + 1, true), planned(S + 2, S + 2), snapshot(S + 1));
    expect(s).toMatchObject({ state: 'pending', repair: null });
    expect(apply(s, result(S + 2)).state).toBe('written');
  });

  it('a full state planned before the failure was known, but after the failed seq, repairs too', () => {
    expect(run(planned(S, S), planned(S + 1, S + 2, true), failed(S), snapshot(S + 1), snapshot(S + 2))).toMatchObject({ state: 'written', repair: null });
  });

  it('a snapshot part that fails keeps the repair open, past that part', () => {
    const s = run(planned(S, S), failed(S), planned(S + 1, S + 2, true), snapshot(S + 1), failed(S + 2, 'WritebackOuMissing', 'snapshot'));
    expect(s).toMatchObject({ state: 'failed', repair: { sinceSeq: S, lastSeq: S + 2, code: 'WritebackOuMissing' } });
    // only a full state planned after the failed part repairs
    expect(apply(s, planned(S + 3, S + 3), result(S + 3)).state).toBe('failed');
    expect(apply(s, planned(S + 3, S + 3, true), snapshot(S + 3)).state).toBe('written');
  });

  it('a snapshot that arrived incomplete (partial with an error) needs a repair; member errors alone do not', () => {
    const incomplete = run(planned(S, S + 1, true), snapshot(S, { outcome: 'partial', error: { code: 'SnapshotIncomplete', message: 'part 2 never arrived' } }));
    expect(incomplete.repair).toMatchObject({ code: 'SnapshotIncomplete' });
    const memberRefused = run(planned(S, S), result(S, { outcome: 'partial', memberErrors: [{ member: 'm', code: 'ERROR_DS_GLOBAL_CANT_HAVE_LOCAL_MEMBER', message: 'scope' }] }));
    expect(memberRefused).toMatchObject({ state: 'partial', repair: null });
  });

  it('a result delivered twice, or replayed later, does not ask again nor reopen', () => {
    const broken = run(planned(S, S), failed(S));
    expect(mergeStatus(broken, failed(S))).toBe(broken);
    const asked = apply(broken, requested(broken));
    expect(asked.repair?.requests).toBe(1);
    expect(mergeStatus(asked, failed(S))).toBe(asked);
    // a second request from the same view of the row records nothing (the first one did)
    expect(mergeStatus(asked, requested(broken))).toBe(asked);
    // after the repair, a replay of the old failure changes nothing
    const repaired = apply(asked, planned(S + 1, S + 1, true), snapshot(S + 1));
    expect(repaired.state).toBe('written');
    expect(mergeStatus(repaired, failed(S))).toBe(repaired);
  });

  it('a new failure after a repair opens a new repair, not yet asked for', () => {
    const s = run(planned(S, S), failed(S), planned(S + 1, S + 1, true), snapshot(S + 1), planned(S + 2, S + 2), failed(S + 2));
    expect(s.repair).toMatchObject({ sinceSeq: S + 2, requests: 0 });
  });

  it("the relay's refusal of a stale change set never changes a newer status", () => {
    const s = run(planned(S + 5, S + 5), result(S + 5));
    const stale = result(S + 9, { outcome: 'skipped', error: { code: 'StaleChangeSet', message: 'older than the applied change set' } });
    expect(mergeStatus(s, stale)).toBe(s);
    const broken = run(planned(S, S), failed(S), planned(S + 1, S + 1, true));
    expect(mergeStatus(broken, stale)).toBe(broken);
  });

  it('results that arrive before the planner recorded its full state still repair', () => {
    const s = run(planned(S, S), failed(S), snapshot(S + 1), planned(S + 1, S + 1, true));
    expect(s).toMatchObject({ state: 'written', repair: null });
  });

  it('a group the product stops writing has nothing to repair', () => {
    const s = run(planned(S, S), failed(S), { kind: 'decision', tenantId, groupId, state: 'skipped', reason: 'writeback disabled', at });
    expect(s).toMatchObject({ state: 'skipped', repair: null });
  });
});

describe('a change set that never reported back', () => {
  const limit = 30 * 60_000;
  const t0 = Date.parse(at);
  const later = (minutes: number): Date => new Date(t0 + minutes * 60_000);

  it('is due after the pending limit without progress, then pending with the reason until a full state is applied', () => {
    const waiting = run(planned(S, S + 2, true), snapshot(S));
    expect(repairDue(waiting, later(29), limit)).toBe(false);
    expect(repairDue(waiting, later(30), limit)).toBe(true);
    const asked = apply(waiting, requested(waiting, later(30).toISOString()));
    expect(asked).toMatchObject({ state: 'pending', repair: { cause: 'noResult', sinceSeq: S, lastSeq: S + 2, requests: 1 } });
    expect(asked.reason).toMatch(/never reported back/);
    // an ordinary change set applied meanwhile: still not written
    expect(apply(asked, planned(S + 3, S + 3), result(S + 3)).state).toBe('pending');
    expect(apply(asked, planned(S + 3, S + 4, true), snapshot(S + 3), snapshot(S + 4)).state).toBe('written');
  });

  it('its late results close the repair', () => {
    const waiting = run(planned(S, S + 1, true), snapshot(S));
    const asked = apply(waiting, requested(waiting));
    expect(apply(asked, snapshot(S + 1))).toMatchObject({ state: 'written', repair: null });
  });

  it('a request is recorded only while the status still waits for that change set', () => {
    const waiting = run(planned(S, S));
    const answered = apply(waiting, result(S));
    expect(mergeStatus(answered, requested(waiting))).toBe(answered);
  });

  it('requests back off (doubling, at most 8x the limit); settled, progressing or answered statuses are not due', () => {
    const broken = run(planned(S, S), failed(S));
    expect(repairDue(broken, later(30), limit)).toBe(true); // recordResults did not get to ask
    let s = broken;
    let asked = 0;
    const due: number[] = [];
    for (let minute = 0; minute <= 24 * 60; minute += 5) {
      if (!repairDue(s, later(minute), limit)) continue;
      due.push(minute);
      s = apply(s, requested(s, later(minute).toISOString()));
      if (++asked === 7) break;
    }
    expect(due).toEqual([30, 60, 120, 240, 480, 720, 960]);
    expect(repairDue(run(planned(S, S), result(S)), later(600), limit)).toBe(false);
    const progressing = run(planned(S, S + 2, true, later(0).toISOString()), { ...snapshot(S), at: later(25).toISOString() });
    expect(repairDue(progressing, later(40), limit)).toBe(false);
    expect(repairDue(progressing, later(55), limit)).toBe(true);
  });
});
