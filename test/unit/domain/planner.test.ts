import { describe, expect, it } from 'vitest';
import { writebackMessageId } from '../../../shared/contracts/writeback-message.js';
import type { MemberRef, SnapshotMessage, UpsertMessage, WritebackMessage } from '../../../shared/domain/model.js';
import { membershipNeed, plan, PlanInputError, seqFloorAt } from '../../../shared/domain/planner.js';
import { MESSAGE_BODY_BUDGET_BYTES, SERVICE_BUS_MESSAGE_BYTES } from '../../../shared/domain/limits.js';
import {
  cloudGroupMember,
  cloudUser,
  device,
  gid,
  m365,
  security,
  settings,
  syncedGroupMember,
  syncedUser,
  wb,
} from './fixtures.js';
import { GroupHarness } from './planner-harness.js';

const G = gid(0xe1, 'e0000001');
const u = (n: number) => gid(n, 'f');
const sidOf = (rid: number) => `S-1-5-21-1004336348-1177238915-682003330-${rid}`;
const sidRef = (n: number): MemberRef => ({ kind: 'sid', cloudId: u(n), sid: sidOf(1000 + n) });
const complete = (...ids: string[]) => ({ kind: 'complete' as const, memberIds: ids });
const changes = (added: string[], removed: string[] = []) => ({ kind: 'changes' as const, added, removed });

function harness(): GroupHarness {
  const h = new GroupHarness(G);
  for (let n = 1; n <= 20; n++) h.know(syncedUser(u(n), 1000 + n));
  h.know(cloudUser(u(100)), cloudUser(u(101)));
  return h;
}
const kinds = (ms: WritebackMessage[]) => ms.map((m) => m.kind);
const seqs = (ms: WritebackMessage[]) => ms.map((m) => m.seq);

describe('planner: create and update', () => {
  it('creates a new group as a snapshot of the writable members; cloud-only members are counted with a reason', () => {
    const h = harness();
    const r = h.step({ cloud: m365(G, { displayName: 'Sales', description: ' Sales team ' }), membership: complete(u(1), u(100), u(2)) });
    expect(kinds(r.messages)).toEqual(['snapshot']);
    const snap = r.messages[0] as SnapshotMessage;
    expect(snap).toMatchObject({ seq: 1, part: 1, parts: 1, snapshotId: `${G}:1`, members: [sidRef(1), sidRef(2)] });
    expect(snap.header).toEqual({
      anchor: `Group_${G}`,
      cn: `Group_${G}`,
      samAccountName: 'Group_000000000000e1',
      displayName: 'Sales',
      description: 'Sales team',
      adGroupType: 'universalDistributionGroup',
      groupType: 8,
      mail: null,
    });
    expect(writebackMessageId(G, snap.seq)).toBe(`${G}:1`);
    expect(r.status).toMatchObject({ state: 'written', memberCount: 2, skipped: { counts: { cloudOnlyUser: 1 }, sample: [{ member: u(100), reason: 'cloudOnlyUser' }] } });
    expect(r.next).toMatchObject({ seq: 1, written: true, lifecycle: 'present', memberCount: 2 });
  });

  it('is idempotent: replanning the same delta yields nothing', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1), u(100)) });
    expect(h.step({ cloud: m365(G), membership: changes([u(1), u(100)]) }).messages).toEqual([]);
    expect(h.step({ cloud: m365(G), membership: { kind: 'none' } }).messages).toEqual([]);
    expect(h.state!.seq).toBe(1);
  });

  it('sends member additions and removals as an upsert; a removal uses the stored reference', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1), u(2)) });
    h.identities.delete(u(2)); // the removed member is gone from the cloud: its stored SID still works
    const r = h.step({ cloud: m365(G), membership: changes([u(3)], [u(2)]) });
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ kind: 'upsert', seq: 2, add: [sidRef(3)], remove: [sidRef(2)] });
    expect(r.next.memberCount).toBe(2);
    expect([...h.entries.keys()].sort()).toEqual([u(1), u(3)].sort());
  });

  it('a cloud-only member leaving changes only the counts', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1), u(100), u(101)) });
    const r = h.step({ cloud: m365(G), membership: changes([], [u(100)]) });
    expect(r.messages).toEqual([]);
    expect(r.status.skipped).toEqual({ counts: { cloudOnlyUser: 1 }, sample: [{ member: u(101), reason: 'cloudOnlyUser' }] });
  });

  it('a renamed group is an upsert of the same anchor with the new cn (displayName format)', () => {
    const h = harness();
    const s = settings({ cnFormat: 'displayName' });
    h.step({ cloud: m365(G, { displayName: 'Sales' }), membership: complete(u(1)), settings: s });
    const r = h.step({ cloud: m365(G, { displayName: 'Sales EMEA' }), settings: s });
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ kind: 'upsert', seq: 2, add: [], remove: [], header: { anchor: `Group_${G}`, cn: 'Sales EMEA_0000000000e1', displayName: 'Sales EMEA' } });
    // changing the cn format renames again, never a second object
    const back = h.step({ cloud: m365(G, { displayName: 'Sales EMEA' }) });
    expect(back.messages[0]).toMatchObject({ kind: 'upsert', seq: 3, header: { anchor: `Group_${G}`, cn: `Group_${G}`, samAccountName: 'Group_000000000000e1' } });
  });

  it('a type change between distribution and security is an upsert carrying the new groupType', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    const r = h.step({ cloud: m365(G, wb(true, 'universalSecurityGroup')) });
    expect(r.messages[0]).toMatchObject({ kind: 'upsert', header: { adGroupType: 'universalSecurityGroup', groupType: -2147483640 } });
  });

  it('writes mail attributes only with the Exchange schema and a mail-enabled AD type', () => {
    const h = harness();
    const ex = settings({ exchangeSchema: true });
    const r = h.step({ cloud: m365(G), membership: complete(), settings: ex });
    expect((r.messages[0] as SnapshotMessage).header.mail).toEqual({
      mail: 'team@contoso.com',
      mailNickname: 'team',
      proxyAddresses: ['SMTP:team@contoso.com', 'smtp:team@contoso.onmicrosoft.com'],
    });
    const asSecurity = h.step({ cloud: m365(G, wb(true, 'universalSecurityGroup')), settings: ex });
    expect((asSecurity.messages[0] as UpsertMessage).header.mail).toBeNull();
    const mailSec = h.step({ cloud: m365(G, wb(true, 'universalMailEnabledSecurityGroup')), settings: ex });
    expect((mailSec.messages[0] as UpsertMessage).header.mail).not.toBeNull();
  });

  it('a member whose on-premises SID changed is removed by the old reference and added by the new one', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    h.know(syncedUser(u(1), 5555));
    const r = h.step({ cloud: m365(G), membership: changes([u(1)]) });
    expect(r.messages[0]).toMatchObject({ remove: [sidRef(1)], add: [{ kind: 'sid', cloudId: u(1), sid: sidOf(5555) }] });
  });
});

describe('planner: member kinds', () => {
  const child = gid(0xc1, 'e0000001');
  const adGroup = gid(0xc2, 'e0000001');
  const dev = gid(0xd1, 'e0000001');

  it('nested cloud groups only when written back; groups synced from AD by SID; devices only with device writeback', () => {
    const h = harness().know(cloudGroupMember(child), syncedGroupMember(adGroup, 4242), device(dev));
    const r1 = h.step({ cloud: security(G, wb(true)), membership: complete(child, adGroup, dev) });
    expect((r1.messages[0] as SnapshotMessage).members).toEqual([{ kind: 'sid', cloudId: adGroup, sid: sidOf(4242), objectType: 'group' }]);
    expect(r1.status.skipped.counts).toEqual({ cloudOnlyGroupNotWrittenBack: 1, deviceWritebackDisabled: 1 });

    h.writtenGroups.add(child);
    const r2 = h.step({ cloud: security(G, wb(true)), membership: changes([child, dev]), settings: settings({ deviceWriteback: true }) });
    expect(r2.messages[0]).toMatchObject({ kind: 'upsert', remove: [] });
    expect((r2.messages[0] as UpsertMessage).add).toEqual([
      { kind: 'group', cloudId: child, anchor: `Group_${child}` },
      { kind: 'device', cloudId: dev, deviceId: device(dev).deviceId },
    ]);
    expect(r2.status.skipped.counts).toEqual({});

    // the nested group stops being written back: its reference is removed
    h.writtenGroups.delete(child);
    const r3 = h.step({ cloud: security(G, wb(true)), membership: changes([child]), settings: settings({ deviceWriteback: true }) });
    expect(r3.messages[0]).toMatchObject({ remove: [{ kind: 'group', cloudId: child }], add: [] });
  });

  it('a nested group that landed in AD after the group referenced it: its stored reference is added again', () => {
    const other = gid(0xc3, 'e0000001');
    const h = harness().know(cloudGroupMember(child), cloudGroupMember(other));
    h.writtenGroups.add(child);
    h.step({ cloud: security(G, wb(true)), membership: complete(child, other, u(1)) });
    const resend = (ids: string[], added: string[] = [], removed: string[] = []) =>
      h.step({ cloud: security(G, wb(true)), membership: { kind: 'changes', added, removed, resend: ids } });
    const r1 = resend([child]);
    expect(r1.messages).toMatchObject([{ kind: 'upsert', add: [{ kind: 'group', cloudId: child, anchor: `Group_${child}` }], remove: [] }]);
    expect(r1.members).toBeNull();
    expect(r1.next.memberCount).toBe(2);
    // a skipped nested group has no reference to send; a member this change set removes or resolves anew goes as that
    expect(resend([other]).messages).toEqual([]);
    expect(resend([child], [], [child]).messages).toMatchObject([{ add: [], remove: [{ kind: 'group', cloudId: child }] }]);
  });

  it('members Graph does not return are skipped as not found', () => {
    const h = harness();
    const r = h.step({ cloud: m365(G), membership: complete(u(999)) });
    expect(r.status.skipped.counts).toEqual({ memberNotFound: 1 });
  });
});

describe('planner: big groups', () => {
  it('splits a snapshot into parts under the byte budget, on consecutive seqs, covering every member once', () => {
    const h = new GroupHarness(G);
    const ids: string[] = [];
    for (let n = 1; n <= 6000; n++) {
      ids.push(u(n));
      h.know(syncedUser(u(n), 100000 + n));
    }
    // seqs as a real round makes them (time-derived: 16 digits), so the byte budget is checked with them
    const floor = seqFloorAt(Date.now());
    const r = h.step({ cloud: security(G, wb(true)), membership: complete(...ids), seqFloor: floor });
    const parts = r.messages as SnapshotMessage[];
    expect(parts.length).toBeGreaterThan(2);
    expect(seqs(parts)).toEqual(parts.map((_, i) => floor + i));
    expect(parts.every((p) => p.parts === parts.length && p.snapshotId === `${G}:${floor}`)).toBe(true);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i + 1));
    for (const p of parts) {
      const bytes = Buffer.byteLength(JSON.stringify(p), 'utf8');
      expect(bytes).toBeLessThanOrEqual(MESSAGE_BODY_BUDGET_BYTES);
      expect(bytes).toBeLessThan(SERVICE_BUS_MESSAGE_BYTES);
    }
    // parts are filled: all but the last are close to the budget
    expect(Buffer.byteLength(JSON.stringify(parts[0]), 'utf8')).toBeGreaterThan(MESSAGE_BODY_BUDGET_BYTES - 200);
    expect(parts.flatMap((p) => p.members.map((m) => m.cloudId))).toEqual(ids);

    // a mass removal continues the seqs and is split too
    const removed = ids.slice(0, 4000);
    const r2 = h.step({ cloud: security(G, wb(true)), membership: changes([], removed), seqFloor: floor });
    expect(r2.messages.length).toBeGreaterThan(1);
    expect(seqs(r2.messages)).toEqual(r2.messages.map((_, i) => floor + parts.length + i));
    expect(r2.messages.flatMap((m) => (m as UpsertMessage).remove.map((x) => x.cloudId))).toEqual(removed);
  });

  it('respects a small budget exactly (header in every part)', () => {
    const h = harness();
    const budget = 1000;
    const r = h.step({ cloud: security(G, wb(true)), membership: complete(...Array.from({ length: 20 }, (_, i) => u(i + 1))), budgetBytes: budget });
    expect(r.messages.length).toBeGreaterThan(2);
    for (const m of r.messages) expect(Buffer.byteLength(JSON.stringify(m), 'utf8')).toBeLessThanOrEqual(budget);
  });
});

describe('planner: lifecycle', () => {
  it('soft delete keeps the object with no members; restore sends the full snapshot; permanent delete deletes', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1), u(2), u(100)) });
    const soft = h.step({ lifecycle: 'softDeleted' });
    expect(soft.messages).toHaveLength(1);
    expect(soft.messages[0]).toMatchObject({ kind: 'snapshot', seq: 2, part: 1, parts: 1, members: [], header: { anchor: `Group_${G}` } });
    expect(soft.next).toMatchObject({ written: true, lifecycle: 'softDeleted', memberCount: 0 });
    expect(soft.status.state).toBe('softDeleted');
    expect(h.entries.size).toBe(0);
    expect(h.step({ lifecycle: 'softDeleted' }).messages).toEqual([]); // replay

    expect(membershipNeed(h.state, 'present', { write: true, adGroupType: 'universalDistributionGroup' }, 'delta')).toBe('complete');
    const restored = h.step({ cloud: m365(G), membership: complete(u(1)) });
    expect(restored.messages[0]).toMatchObject({ kind: 'snapshot', seq: 3, members: [sidRef(1)] });

    const hard = h.step({ lifecycle: 'hardDeleted' });
    expect(hard.messages).toEqual([{ v: 1, tenantId: expect.any(String), groupId: G, seq: 4, kind: 'delete', anchor: `Group_${G}`, reason: 'hardDeleted' }]);
    expect(hard.status).toMatchObject({ state: 'deleted', reason: 'hardDeleted' });
    expect(h.step({ lifecycle: 'hardDeleted' }).messages).toEqual([]); // replay
  });

  it('a group soft-deleted before it was ever written is not created', () => {
    const h = harness();
    expect(h.step({ lifecycle: 'softDeleted' }).messages).toEqual([]);
    expect(h.step({ lifecycle: 'softDeleted', cloud: m365(G) }).messages).toEqual([]);
    expect(h.state!.written).toBe(false);
  });

  it('disabling writeback deletes the group it created (writebackDisabled); never written: nothing', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    const r = h.step({ cloud: m365(G, wb(false)) });
    expect(r.messages).toMatchObject([{ kind: 'delete', seq: 2, reason: 'writebackDisabled' }]);
    expect(r.status).toMatchObject({ state: 'skipped', reason: 'writebackDisabled' });
    expect(h.step({ cloud: m365(G, wb(false)) }).messages).toEqual([]);
    const never = harness();
    expect(never.step({ cloud: m365(G, wb(false)) }).messages).toEqual([]);
    expect(never.state).toMatchObject({ seq: 0, written: false });
  });

  it('re-enabling after a disable creates the group again from the complete member list', () => {
    const h = harness();
    h.step({ cloud: security(G, wb(true)), membership: complete(u(1)) });
    h.step({ cloud: security(G, wb(false)) });
    expect(() => h.step({ cloud: security(G, wb(true)), membership: changes([]) })).toThrow(PlanInputError);
    const r = h.step({ cloud: security(G, wb(true)), membership: complete(u(1), u(2)) });
    expect(r.messages).toMatchObject([{ kind: 'snapshot', seq: 3, members: [sidRef(1), sidRef(2)] }]);
  });

  it('leaving scope: v2 switched off deletes security groups (outOfScope), the tenant switch deletes all (tenantDisabled)', () => {
    const sec = harness();
    sec.step({ cloud: security(G, wb(true)), membership: complete(u(1)) });
    expect(sec.step({ cloud: security(G, wb(true)), settings: settings({ groupWritebackV2: false }) }).messages).toMatchObject([{ kind: 'delete', reason: 'outOfScope' }]);
    const team = harness();
    team.step({ cloud: m365(G), membership: complete(u(1)) });
    expect(team.step({ cloud: m365(G), settings: settings({ writebackEnabled: false }) }).messages).toMatchObject([{ kind: 'delete', reason: 'tenantDisabled' }]);
  });

  it('a soft-deleted group leaving scope is deleted too', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    h.step({ lifecycle: 'softDeleted' });
    expect(h.step({ lifecycle: 'softDeleted', settings: settings({ writebackEnabled: false }) }).messages).toMatchObject([
      { kind: 'delete', seq: 3, reason: 'tenantDisabled' },
    ]);
  });

  it('the tenant default applies as it stood when the group was first seen: changing it writes or deletes nothing', () => {
    const off = settings({ newUnifiedGroupWritebackDefault: false });
    const h = harness();
    const r1 = h.step({ cloud: m365(G), membership: complete(u(1)) });
    expect(r1.next).toMatchObject({ written: true, newGroupDefault: true });
    const r2 = h.step({ cloud: m365(G), membership: changes([u(2)]), settings: off });
    expect(r2.messages).toMatchObject([{ kind: 'upsert', add: [sidRef(2)] }]);
    expect(r2.next).toMatchObject({ written: true, newGroupDefault: true });
    // an explicit isEnabled still decides
    expect(h.step({ cloud: m365(G, wb(false)), settings: off }).messages).toMatchObject([{ kind: 'delete', reason: 'writebackDisabled' }]);

    const later = new GroupHarness(gid(0xe2, 'e0000001')).know(syncedUser(u(1), 1001));
    const seen = later.step({ cloud: m365(later.groupId), membership: complete(u(1)), settings: off });
    expect(seen).toMatchObject({ messages: [], next: { written: false, newGroupDefault: false }, status: { reason: 'tenantDefaultOff' } });
    expect(later.step({ cloud: m365(later.groupId), membership: complete(u(1)) }).messages).toEqual([]);
  });

  it('a state saved before the default was kept keeps what the product did with the group', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    const { newGroupDefault: _, ...legacy } = h.state!;
    h.state = legacy;
    const r = h.step({ cloud: m365(G), membership: changes([u(2)]), settings: settings({ newUnifiedGroupWritebackDefault: false }) });
    expect(r.messages).toMatchObject([{ kind: 'upsert' }]);
    expect(r.next.newGroupDefault).toBe(true);
  });

  it('v1 -> v2: the same object changes type (upsert), a security group appears (snapshot)', () => {
    const v1 = settings({ groupWritebackV2: false });
    const team = harness();
    team.step({ cloud: m365(G, wb(null, 'universalSecurityGroup')), membership: complete(u(1)), settings: v1 });
    expect((team.sent[0] as SnapshotMessage).header.groupType).toBe(8);
    const r = team.step({ cloud: m365(G, wb(null, 'universalSecurityGroup')), mode: 'full', membership: complete(u(1)) });
    expect(r.messages[0]).toMatchObject({ kind: 'snapshot', header: { groupType: -2147483640 } });
  });
});

describe('planner: resync, reconcile and replay', () => {
  it('full and reconcile send the complete desired state as a snapshot every time, with fresh seqs', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1), u(2)) });
    const r1 = h.step({ cloud: m365(G), mode: 'reconcile', membership: complete(u(1), u(2)) });
    expect(r1.messages).toMatchObject([{ kind: 'snapshot', seq: 2, snapshotId: `${G}:2`, members: [sidRef(1), sidRef(2)] }]);
    const r2 = h.step({ cloud: m365(G), mode: 'full', membership: complete(u(2)) });
    expect(r2.messages).toMatchObject([{ kind: 'snapshot', seq: 3, members: [sidRef(2)] }]);
    expect(h.entries.size).toBe(1);
  });

  it('replanning from the same previous state in the same round gives identical messages (same messageIds)', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    const input = h.input({ cloud: m365(G, { displayName: 'Renamed' }), membership: changes([u(2), u(3)], [u(1)]) });
    expect(plan(input)).toEqual(plan(input));
    expect(plan(input).messages.map((m) => writebackMessageId(m.groupId, m.seq))).toEqual([`${G}:2`]);
  });

  it('seqs continue across every kind of change', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    h.step({ cloud: m365(G), membership: changes([u(2)]) });
    h.step({ cloud: m365(G, { displayName: 'x' }) });
    h.step({ lifecycle: 'softDeleted' });
    h.step({ cloud: m365(G, { displayName: 'x' }), membership: complete(u(1)) });
    h.step({ lifecycle: 'hardDeleted' });
    expect(seqs(h.sent)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(kinds(h.sent)).toEqual(['snapshot', 'upsert', 'upsert', 'snapshot', 'snapshot', 'delete']);
  });

  it('repair after a lost save: starts after the possibly sent seqs and resends the whole state', () => {
    const h = harness();
    h.step({ cloud: m365(G), membership: complete(u(1)) });
    const r = h.step({ cloud: m365(G), membership: complete(u(1), u(2)), repairAfterSeq: 7 });
    expect(r.messages).toMatchObject([{ kind: 'snapshot', seq: 8, members: [sidRef(1), sidRef(2)] }]);
    // a group whose create may have been sent before the crash and is now out of scope: delete to be sure
    const fresh = harness();
    expect(fresh.step({ cloud: m365(G, wb(false)), repairAfterSeq: 1 }).messages).toMatchObject([{ kind: 'delete', seq: 2, reason: 'writebackDisabled' }]);
  });

  it('seqs grow with the round time: at least the round floor, and always above the last seq', () => {
    const h = harness();
    const t0 = seqFloorAt(Date.UTC(2026, 0, 1, 12));
    expect(t0).toBe(Date.UTC(2026, 0, 1, 12) * 1000);
    expect(Number.isSafeInteger(seqFloorAt(Date.UTC(2200, 0, 1)))).toBe(true);
    expect(seqs(h.step({ cloud: m365(G), membership: complete(u(1)), seqFloor: t0 }).messages)).toEqual([t0]);
    // a round a second later starts at its own floor
    expect(seqs(h.step({ cloud: m365(G, { displayName: 'a' }), seqFloor: t0 + 1_000_000 }).messages)).toEqual([t0 + 1_000_000]);
    // a round whose clock is behind (another instance) still goes on above the last seq
    expect(seqs(h.step({ cloud: m365(G, { displayName: 'b' }), seqFloor: t0 }).messages)).toEqual([t0 + 1_000_001]);
    // nothing to send: the seq stays where it was
    expect(h.step({ cloud: m365(G, { displayName: 'b' }), seqFloor: t0 + 2_000_000 }).next.seq).toBe(t0 + 1_000_001);
  });

  it('after the planned state is lost, the next round plans above every seq sent before (no messageId meets an old one)', () => {
    const at = Date.UTC(2026, 0, 1, 12);
    const h = harness();
    const ids = Array.from({ length: 12 }, (_, i) => u(i + 1));
    h.step({ cloud: m365(G), membership: complete(...ids), seqFloor: seqFloorAt(at), budgetBytes: 1_000 });
    expect(h.sent.length).toBeGreaterThan(2); // a snapshot in parts
    h.step({ cloud: m365(G), membership: changes([u(13)], [u(1)]), seqFloor: seqFloorAt(at + 1) });
    const before = new Set(h.sent.map((m) => writebackMessageId(m.groupId, m.seq)));
    const wiped = harness();
    const again = wiped.step({ cloud: m365(G), membership: complete(...ids.slice(1), u(13)), seqFloor: seqFloorAt(at + 2) });
    expect(Math.min(...seqs(again.messages))).toBeGreaterThan(Math.max(...seqs(h.sent)));
    expect(again.messages.filter((m) => before.has(writebackMessageId(m.groupId, m.seq)))).toEqual([]);
  });

  it('needs the complete member list for groups that become written and in full/reconcile modes', () => {
    const write = { write: true as const, adGroupType: 'universalSecurityGroup' as const };
    expect(membershipNeed(null, 'present', write, 'delta')).toBe('complete');
    expect(membershipNeed(null, 'present', { write: false, reason: 'writebackDisabled', deleteReason: 'writebackDisabled' }, 'delta')).toBe('none');
    expect(membershipNeed(null, 'softDeleted', write, 'reconcile')).toBe('none');
    const h = harness();
    h.step({ cloud: security(G, wb(true)), membership: complete(u(1)) });
    expect(membershipNeed(h.state, 'present', write, 'delta')).toBe('changes');
    expect(membershipNeed(h.state, 'present', write, 'reconcile')).toBe('complete');
  });
});
