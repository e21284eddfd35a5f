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

  it('refuses a position outside the list', () => {
    expect(() => MemberIdentityList.of(identities).idAt(identities.length)).toThrow(RangeError);
  });
});
