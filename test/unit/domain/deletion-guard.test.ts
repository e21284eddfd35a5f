// The deletion guard's pure rules: what a change set removes, the sliding window in buckets, the decision
// to release or hold a change set whole, and which settings changes need a full round.
import { describe, expect, it } from 'vitest';
import {
  emptyWindow,
  GUARD_BUCKET_MS,
  GUARD_WINDOW_MS,
  heldKindOf,
  heldReason,
  mayRelease,
  recordRelease,
  usedInWindow,
  type GuardWindow,
} from '../../../shared/domain/deletion-guard.js';
import { changeSetEffect, costOf, needsPreviousMembers } from '../../../shared/domain/guard-cost.js';
import type { MemberEntry } from '../../../shared/domain/members.js';
import type { MemberRef, WritebackMessage } from '../../../shared/domain/model.js';
import { emptySkipped, type PlannedGroup } from '../../../shared/domain/planned-state.js';
import { DEFAULT_STORED_SETTINGS, decisionsMayChange } from '../../../shared/domain/settings.js';
import { sortedIds, type SortedIds } from '../../../shared/domain/sorted-ids.js';
import { gid, TENANT } from './fixtures.js';

const G = gid(1, 'b');
const user = (n: number): MemberRef => ({ kind: 'sid', cloudId: gid(n, 'c'), sid: `S-1-5-21-1-2-3-${1000 + n}` });
const entry = (n: number): MemberEntry => ({ cloudId: gid(n, 'c'), ref: user(n), skip: null });

function previous(memberCount: number, over: Partial<PlannedGroup> = {}): PlannedGroup {
  return { groupId: G, seq: 4, lifecycle: 'present', cloud: null, decision: null, written: true, header: null, memberCount, skipped: emptySkipped(), ...over };
}

// Only the fields the cost reads matter; the header is not looked at.
const header = {} as Extract<WritebackMessage, { kind: 'upsert' }>['header'];
const base = { v: 1 as const, tenantId: TENANT, groupId: G };
const upsert = (remove: MemberRef[], add: MemberRef[], seq = 5): WritebackMessage => ({ ...base, seq, kind: 'upsert', header, remove, add });
const snapshot = (members: MemberRef[], seq = 5): WritebackMessage => ({ ...base, seq, kind: 'snapshot', header, snapshotId: `${G}:5`, part: 1, parts: 1, members });
const del: WritebackMessage = { ...base, seq: 5, kind: 'delete', anchor: `Group_${G}`, reason: 'hardDeleted' };

/** The members the previous plan wrote, as the member entries repository reads them (entries with a reference). */
const writtenOf = (entries: ReadonlyMap<string, MemberEntry>): SortedIds => sortedIds([...entries.values()].filter((e) => e.ref !== null).map((e) => e.cloudId));

const changeSetCost = (p: PlannedGroup | null, messages: WritebackMessage[], members: ReadonlyMap<string, MemberEntry>) =>
  costOf(p, changeSetEffect(p, messages, writtenOf(members)));

describe('change set cost', () => {
  it('a delete is one deletion and nothing else', () => {
    expect(changeSetCost(previous(50), [del], new Map())).toEqual({ deletions: 1, memberRemovals: 0 });
  });

  it('upserts count the members they remove; a member removed and added again (new reference) stays', () => {
    const messages = [upsert([user(1), user(2)], [user(3)], 5), upsert([user(4), user(3)], [user(2)], 6)];
    expect(changeSetCost(previous(10), messages, new Map())).toEqual({ deletions: 0, memberRemovals: 2 });
  });

  it('an empty snapshot (soft-delete emptying) removes every member written before', () => {
    expect(needsPreviousMembers(previous(7), [snapshot([])])).toBe(false);
    expect(changeSetCost(previous(7), [snapshot([])], new Map())).toEqual({ deletions: 0, memberRemovals: 7 });
  });

  it('a snapshot removes the written members it no longer names, never the skipped ones', () => {
    const before = new Map([1, 2, 3].map((n) => [gid(n, 'c'), entry(n)]));
    before.set(gid(9, 'c'), { cloudId: gid(9, 'c'), ref: null, skip: 'cloudOnlyUser' });
    const messages = [snapshot([user(2), user(5)])];
    expect(needsPreviousMembers(previous(3), messages)).toBe(true);
    expect(changeSetCost(previous(3), messages, before)).toEqual({ deletions: 0, memberRemovals: 2 });
  });

  it('a group never written, or written without members, removes nothing', () => {
    expect(changeSetCost(null, [snapshot([user(1)])], new Map())).toEqual({ deletions: 0, memberRemovals: 0 });
    expect(changeSetCost(previous(0), [snapshot([])], new Map())).toEqual({ deletions: 0, memberRemovals: 0 });
    expect(changeSetCost(previous(3, { written: false }), [snapshot([])], new Map())).toEqual({ deletions: 0, memberRemovals: 0 });
  });
});

describe('change set effect', () => {
  it('is the same for a delta round\'s upserts and a later round\'s snapshot of the same cloud state', () => {
    const before = new Map([1, 2, 3].map((n) => [gid(n, 'c'), entry(n)]));
    const fromDelta = changeSetEffect(previous(3), [upsert([user(1)], [user(4)])], sortedIds([]));
    const fromSnapshot = changeSetEffect(previous(3), [snapshot([user(2), user(3), user(4)], 9)], writtenOf(before));
    expect(fromDelta).toEqual({ kind: 'write', header, removed: [gid(1, 'c')], added: [gid(4, 'c')] });
    expect(fromSnapshot).toEqual(fromDelta);
  });

  it('names a delete by its reason, and the soft-delete emptying as removing every member', () => {
    expect(changeSetEffect(previous(3), [del], sortedIds([]))).toEqual({ kind: 'delete', reason: 'hardDeleted' });
    expect(changeSetEffect(previous(3), [snapshot([])], sortedIds([]))).toEqual({ kind: 'write', header, removed: 'every', added: [] });
  });
});

describe('guard window', () => {
  const t0 = new Date('2026-12-01T10:07:00Z');
  const at = (ms: number): Date => new Date(t0.getTime() + ms);
  const thresholds = { deletionThreshold: 2, memberRemovalThreshold: 100 };

  it('releases up to the threshold, then holds; a change set over it alone is held too', () => {
    let w: GuardWindow = emptyWindow();
    const one = { deletions: 1, memberRemovals: 0 };
    for (let i = 0; i < 2; i++) {
      expect(mayRelease(w, thresholds, one, t0)).toBe(true);
      w = recordRelease(w, one, t0);
    }
    expect(mayRelease(w, thresholds, one, t0)).toBe(false);
    expect(mayRelease(emptyWindow(), thresholds, { deletions: 0, memberRemovals: 101 }, t0)).toBe(false);
    expect(mayRelease(emptyWindow(), thresholds, { deletions: 0, memberRemovals: 100 }, t0)).toBe(true);
    expect(mayRelease(emptyWindow(), { deletionThreshold: 0, memberRemovalThreshold: 0 }, one, t0)).toBe(false);
  });

  it('sums releases per bucket and forgets a bucket only once all of it has left the window', () => {
    let w = recordRelease(emptyWindow(), { deletions: 1, memberRemovals: 3 }, t0);
    w = recordRelease(w, { deletions: 1, memberRemovals: 4 }, at(60_000));
    expect(w.released).toEqual([{ at: '2026-12-01T10:00:00.000Z', deletions: 2, memberRemovals: 7 }]);
    w = recordRelease(w, { deletions: 0, memberRemovals: 1 }, at(GUARD_BUCKET_MS));
    expect(w.released).toHaveLength(2);
    // The bucket started at 10:00; it counts until 10:15 the next day, even though t0 was 10:07.
    const bucketEnd = Date.parse('2026-12-01T10:15:00Z') + GUARD_WINDOW_MS;
    expect(usedInWindow(w, new Date(bucketEnd - 1))).toEqual({ deletions: 2, memberRemovals: 8 });
    expect(usedInWindow(w, new Date(bucketEnd))).toEqual({ deletions: 0, memberRemovals: 1 });
    expect(recordRelease(w, { deletions: 1, memberRemovals: 0 }, new Date(bucketEnd)).released).toHaveLength(2);
  });

  it('names the kind and the counts an admin decides on', () => {
    expect(heldKindOf({ deletions: 1, memberRemovals: 0 })).toBe('deletion');
    expect(heldKindOf({ deletions: 0, memberRemovals: 5 })).toBe('memberRemoval');
    expect(heldReason({ deletions: 1, memberRemovals: 0 }, { deletions: 2, memberRemovals: 0 }, thresholds)).toMatch(/^deletion held: 2 group deletion\(s\) in the last 24 h, the deletion threshold is 2/);
    expect(heldReason({ deletions: 0, memberRemovals: 150 }, { deletions: 0, memberRemovals: 3 }, thresholds)).toMatch(/removes 150 member\(s\), 3 were removed .* threshold is 100/);
  });
});

describe('settings that need a full round', () => {
  it('thresholds and the safety-net period decide nothing; any other setting may', () => {
    const s = DEFAULT_STORED_SETTINGS;
    expect(decisionsMayChange(s, { ...s, deletionThreshold: 5, memberRemovalThreshold: 9, safetyNetSeconds: 60 })).toBe(false);
    expect(decisionsMayChange(s, { ...s, writebackEnabled: false })).toBe(true);
    expect(decisionsMayChange(s, { ...s, newUnifiedGroupWritebackDefault: true })).toBe(true);
  });
});
