// The effect of a change set in JSON pieces (guard-cost.ts effectJsonPieces): joined, the pieces must be exactly
// JSON.stringify(effect), since the digest of that text names rejected change sets already stored.
import { describe, expect, it } from 'vitest';
import { changeSetEffect, effectJsonPieces, type ChangeSetEffect } from '../../../shared/domain/guard-cost.js';
import type { GroupHeader, MemberRef, WritebackMessage } from '../../../shared/domain/model.js';
import { emptySkipped, type PlannedGroup } from '../../../shared/domain/planned-state.js';
import { sortedIds } from '../../../shared/domain/sorted-ids.js';
import { gid, TENANT } from './fixtures.js';

const G = gid(1, 'b');
const header: GroupHeader = {
  anchor: 'a"nchor',
  cn: 'Sales \\ "EU"',
  samAccountName: 'sales-eu',
  displayName: 'Sales – EU',
  description: null,
  adGroupType: 'universalSecurityGroup',
  groupType: -2147483646,
  mail: { mail: null, mailNickname: 'sales', proxyAddresses: ['SMTP:s@x'] },
};
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => gid(i + 1, 'c'));
const joined = (effect: ChangeSetEffect, per: number): string => [...effectJsonPieces(effect, per)].join('');

describe('effectJsonPieces', () => {
  const effects: ChangeSetEffect[] = [
    { kind: 'delete', reason: 'hardDeleted' },
    { kind: 'write', header: null, removed: [], added: [] },
    { kind: 'write', header, removed: 'every', added: [] },
    { kind: 'write', header, removed: ids(5), added: ids(7) },
    { kind: 'write', header, removed: ids(1), added: ['odd "id" \\ é'] },
  ];
  for (const [i, effect] of effects.entries()) {
    it(`joins to JSON.stringify of effect ${i} whatever the piece size`, () => {
      for (const per of [1, 2, 3, 5, 7, 2000]) expect(joined(effect, per)).toBe(JSON.stringify(effect));
    });
  }

  it('cuts long id lists into several pieces', () => {
    expect([...effectJsonPieces({ kind: 'write', header: null, removed: [], added: ids(10) }, 3)].length).toBeGreaterThan(4);
  });
});

describe('changeSetEffect of a snapshot', () => {
  const base = { v: 1 as const, tenantId: TENANT, groupId: G };
  const user = (n: number): MemberRef => ({ kind: 'sid', cloudId: gid(n, 'c'), sid: `S-1-5-21-1-2-3-${1000 + n}` });
  const snapshot = (members: MemberRef[], part: number, parts: number): WritebackMessage => ({
    ...base,
    seq: 4 + part,
    kind: 'snapshot',
    header,
    snapshotId: `${G}:5`,
    part,
    parts,
    members,
  });
  const previous = (memberCount: number): PlannedGroup => ({
    groupId: G, seq: 4, lifecycle: 'present', cloud: null, decision: null, written: true, header: null, memberCount, skipped: emptySkipped(),
  });

  it('adds every member of a new group once, sorted, across parts', () => {
    const effect = changeSetEffect(null, [snapshot([user(3), user(1)], 1, 2), snapshot([user(2), user(1)], 2, 2)], sortedIds([]));
    expect(effect).toMatchObject({ kind: 'write', header, removed: [] });
    expect(effect.kind === 'write' ? [...effect.added] : null).toEqual([gid(1, 'c'), gid(2, 'c'), gid(3, 'c')]);
  });

  it('removes what the previous plan wrote and the snapshot no longer names', () => {
    const effect = changeSetEffect(previous(3), [snapshot([user(4), user(2)], 1, 1)], sortedIds([gid(3, 'c'), gid(2, 'c'), gid(1, 'c')]));
    expect(effect).toEqual({ kind: 'write', header, removed: [gid(1, 'c'), gid(3, 'c')], added: [gid(4, 'c')] });
  });
});
