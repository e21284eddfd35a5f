// A complete member list planned compactly (shared/domain/planned-members.ts) gives the same entries, skipped
// counts and snapshot parts as resolving every member into objects and cutting them the way the planner did
// before (every reference measured as its JSON plus a comma, a new part when the next one does not fit).
import { describe, expect, it } from 'vitest';
import { MESSAGE_BODY_BUDGET_BYTES } from '../../../shared/domain/limits.js';
import { MemberIdentityList } from '../../../shared/domain/member-list.js';
import { resolveMember, type MemberEntry } from '../../../shared/domain/members.js';
import type { MemberIdentity, MemberRef, SnapshotMessage } from '../../../shared/domain/model.js';
import { PlannedMembers } from '../../../shared/domain/planned-members.js';
import { emptySkipped } from '../../../shared/domain/planned-state.js';
import { updateSkipped } from '../../../shared/domain/skipped-members.js';
import { splitSnapshot } from '../../../shared/domain/split.js';
import { jsonBytes } from '../../../shared/domain/text.js';
import { cloudGroupMember, cloudUser, device, gid, settings, syncedGroupMember, syncedUser, TENANT } from './fixtures.js';

const G = gid(1, 'b');
const header = { anchor: `Group_${G}`, cn: 'Big', samAccountName: 'big', displayName: 'Big', description: null, adGroupType: 'universalSecurityGroup' as const, groupType: -2147483646, mail: null };
const written = (id: string): boolean => id.endsWith('1');

/** Members of every kind, some listed twice, a few ids and SIDs that are not held as bytes. */
function members(n: number): MemberIdentity[] {
  const out: MemberIdentity[] = [];
  for (let i = 0; i < n; i++) {
    const id = gid(i, (i * 7919).toString(16).slice(-4));
    switch (i % 9) {
      case 0:
        out.push(cloudUser(id));
        break;
      case 1:
        out.push(syncedGroupMember(id, 5000 + i));
        break;
      case 2:
        out.push(cloudGroupMember(id));
        break;
      case 3:
        out.push(device(id));
        break;
      case 4:
        out.push({ ...syncedUser(id.toUpperCase(), i), onPremisesSecurityIdentifier: `S-1-5-21-9-9-${i % 3}-${i}` });
        break;
      default:
        out.push(syncedUser(id, 100000 + i));
    }
  }
  out.push(out[5]!, out[17]!, { ...syncedUser('odd-id', 1), onPremisesSecurityIdentifier: 'S-1-5-21-1-2-3-99999999999' });
  return out;
}

/** The planner before: every member resolved into an entry, the references packed greedily. */
function eagerly(identities: readonly MemberIdentity[], budget: number) {
  const seen = new Set<string>();
  const entries: MemberEntry[] = [];
  for (const identity of identities) {
    if (seen.has(identity.id)) continue;
    seen.add(identity.id);
    entries.push(resolveMember(identity.id, identity, written, settings({ deviceWriteback: true })));
  }
  const refs = entries.flatMap((e) => (e.ref === null ? [] : [e.ref]));
  const empty = { v: 1, tenantId: TENANT, groupId: G, seq: Number.MAX_SAFE_INTEGER, kind: 'snapshot', header, snapshotId: `${G}:7`, part: Number.MAX_SAFE_INTEGER, parts: Number.MAX_SAFE_INTEGER, members: [] };
  const parts: MemberRef[][] = [[]];
  let size = jsonBytes(empty);
  for (const ref of refs) {
    const bytes = jsonBytes(ref) + 1;
    if (parts[parts.length - 1]!.length > 0 && size + bytes > budget) {
      parts.push([]);
      size = jsonBytes(empty);
    }
    parts[parts.length - 1]!.push(ref);
    size += bytes;
  }
  return { entries, refs, parts };
}

describe('PlannedMembers', () => {
  const identities = members(5000);
  const planned = PlannedMembers.plan(MemberIdentityList.of(identities), written, settings({ deviceWriteback: true }));
  const before = eagerly(identities, 8 * 1024);

  it('has the entries of every distinct member, in id order, and the same skipped counts and sample', () => {
    const byId = [...before.entries].sort((a, b) => (a.cloudId < b.cloudId ? -1 : 1));
    expect([...planned.inIdOrder()]).toEqual(byId);
    expect(planned.size).toBe(before.entries.length);
    expect(planned.skipped).toEqual(updateSkipped(emptySkipped(), [], before.entries));
    expect(planned.skipped.counts.cloudOnlyUser).toBeGreaterThan(0);
  });

  it('reads the snapshot references in list order, and their ids in id order', () => {
    expect(Array.from({ length: planned.length }, (_, k) => planned.refAt(k))).toEqual(before.refs);
    expect(planned.refIds().size).toBe(before.refs.length);
    expect([...planned.refIds()]).toEqual(before.refs.map((r) => r.cloudId).sort());
  });

  it('cuts the snapshot into the same parts as packing every reference did', () => {
    for (const budget of [8 * 1024, MESSAGE_BODY_BUDGET_BYTES]) {
      const parts = splitSnapshot({ tenantId: TENANT, groupId: G, header }, 7, planned, budget);
      const old = budget === 8 * 1024 ? before.parts : eagerly(identities, budget).parts;
      expect(parts.map((p) => (p).members)).toEqual(old);
      expect(parts.map((p) => [p.seq, p.part, p.parts])).toEqual(old.map((_, i) => [7 + i, i + 1, old.length]));
      for (const p of parts) expect(jsonBytes(p)).toBeLessThanOrEqual(budget);
    }
    expect(before.parts.length).toBeGreaterThan(5);
  });

  it('makes a part\'s members when they are read, the same each time, and serialises them', () => {
    const [part] = splitSnapshot({ tenantId: TENANT, groupId: G, header }, 7, planned, 8 * 1024) as [SnapshotMessage];
    expect(part.members).not.toBe(part.members);
    expect(part.members).toEqual(part.members);
    expect(JSON.parse(JSON.stringify(part))).toEqual({ ...part, members: before.parts[0] });
  });
});
