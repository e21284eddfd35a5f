// The compact member list (shared/domain/member-list.ts): each member gives back the identity the planner
// reads, unknown members stay unknown, duplicates are planned once, and cloud groups are found for the nesting
// lookup.
import { describe, expect, it } from 'vitest';
import { MemberIdentityList } from '../../../shared/domain/member-list.js';
import type { MemberIdentity } from '../../../shared/domain/model.js';
import { cloudGroupMember, cloudUser, device, gid, syncedGroupMember, syncedUser } from './fixtures.js';

const other = (id: string): MemberIdentity => ({ id, type: 'other', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: null });
const notSyncedAnyMore = (id: string): MemberIdentity => ({ id, type: 'user', onPremisesSecurityIdentifier: 'S-1-5-21-1-2-3-500', onPremisesSyncEnabled: false, deviceId: null });

describe('MemberIdentityList', () => {
  const identities: MemberIdentity[] = [
    syncedUser(gid(1, 'c'), 1001),
    cloudUser(gid(2, 'c')),
    notSyncedAnyMore(gid(3, 'c')),
    syncedGroupMember(gid(4, 'c'), 1004),
    cloudGroupMember(gid(5, 'c')),
    device(gid(6, 'c')),
    other(gid(7, 'c')),
  ];

  it('gives back every identity it was given, in order', () => {
    const list = MemberIdentityList.of(identities);
    expect(list.size).toBe(identities.length);
    identities.forEach((identity, i) => {
      expect(list.idAt(i)).toBe(identity.id);
      expect(list.identityAt(i)).toEqual(identity);
    });
  });

  it('keeps a member without identity as unknown', () => {
    const list = new MemberIdentityList();
    list.push(gid(8, 'c'));
    list.push(gid(9, 'c'), cloudUser(gid(9, 'c')));
    expect(list.identityAt(0)).toBeUndefined();
    expect(list.identityAt(1)).toEqual(cloudUser(gid(9, 'c')));
    expect(list.cloudGroupIds()).toEqual([]);
  });

  it('plans a member listed twice once, at its first position', () => {
    const list = MemberIdentityList.of([syncedUser(gid(1, 'c'), 1001), cloudUser(gid(2, 'c')), syncedUser(gid(1, 'c'), 1001), other(gid(3, 'c'))]);
    expect([...list.distinct().inListOrder]).toEqual([0, 1, 3]);
  });

  it('names the member groups not synced from AD', () => {
    expect(MemberIdentityList.of(identities).cloudGroupIds()).toEqual([gid(5, 'c')]);
  });

  it('gives back ids and SIDs it cannot hold as bytes as they came (upper case, not a GUID, odd SIDs)', () => {
    const user = (id: string, sid: string | null): MemberIdentity => ({ id, type: 'user', onPremisesSecurityIdentifier: sid, onPremisesSyncEnabled: true, deviceId: null });
    const odd = [
      user(gid(1, 'C'), 'S-1-5-21-1-2-3-4294967295'),
      user('not-a-guid', 'S-1-5-21-1-2-3-4294967296'),
      user(gid(2, 'c'), 'S-1-5-21-1-2-3-0500'),
      user(gid(3, 'c'), 'S-1-5-32-544'),
      user(gid(4, 'c'), 'not a sid'),
      user(gid(5, 'c'), null),
      user(gid(6, 'c'), 'S-1-5-21-1-2-3-0'),
      { ...device(gid(7, 'c')), deviceId: 'Not-A-Guid' },
    ];
    const list = MemberIdentityList.of(odd);
    odd.forEach((identity, i) => expect(list.identityAt(i)).toEqual(identity));
  });

  it('lists the distinct members in list order and in id (string) order', () => {
    const ids = [gid(3, 'c'), gid(1, 'C'), 'zz-odd', gid(2, 'c'), gid(3, 'c'), '0-odd', gid(1, 'c')];
    const list = MemberIdentityList.of(ids.map((id) => cloudUser(id)));
    const { inListOrder, inIdOrder } = list.distinct();
    expect([...inListOrder]).toEqual([0, 1, 2, 3, 5, 6]);
    expect([...inIdOrder].map((i) => list.idAt(i))).toEqual([...new Set(ids)].sort());
  });

  it('refuses a position outside the list', () => {
    expect(() => MemberIdentityList.of(identities).idAt(identities.length)).toThrow(RangeError);
  });
});
