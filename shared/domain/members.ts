// Which members can be written to AD, and how the relay finds them (docs/ad-connect.md: only members that
// exist in AD; nested cloud groups only when written back themselves; devices only with device writeback).
import type { MemberIdentity, MemberRef } from './model.js';
import { isGuid } from './ids.js';
import { groupAnchor } from './naming.js';
import type { TenantSettings } from './settings.js';

export type MemberSkipReason =
  | 'cloudOnlyUser'
  | 'cloudOnlyGroupNotWrittenBack'
  | 'deviceWritebackDisabled'
  | 'deviceWithoutDeviceId'
  | 'unsupportedMemberType'
  | 'invalidSecurityIdentifier'
  | 'memberNotFound';

export const MEMBER_SKIP_TEXT: Record<MemberSkipReason, string> = {
  cloudOnlyUser: 'cloud-only user: it has no account in Active Directory',
  cloudOnlyGroupNotWrittenBack: 'nested cloud group that is not written back itself',
  deviceWritebackDisabled: 'device member: device writeback is not enabled',
  deviceWithoutDeviceId: 'device member: Graph reports no valid deviceId, so it cannot be found in Active Directory',
  unsupportedMemberType: 'member type that Active Directory groups cannot hold here (service principal, contact)',
  invalidSecurityIdentifier: 'the on-premises security identifier Graph reports is not a valid SID',
  memberNotFound: 'Graph does not return this member object (deleted or not visible)',
};

export const MEMBER_SKIP_REASONS = Object.keys(MEMBER_SKIP_TEXT) as MemberSkipReason[];

/** What the planner remembers per cloud member: the reference sent to AD, or why nothing was sent. */
export type MemberEntry = { cloudId: string; ref: MemberRef; skip: null } | { cloudId: string; ref: null; skip: MemberSkipReason };

const SID = /^S-1-\d+(-\d+)+$/;

/** Whether a nested cloud group is written back (after this round's decisions). */
export type NestedGroupWritten = (groupId: string) => boolean;

function synced(identity: MemberIdentity): boolean {
  return identity.onPremisesSyncEnabled === true && identity.onPremisesSecurityIdentifier !== null;
}

export function resolveMember(
  cloudId: string,
  identity: MemberIdentity | undefined,
  nestedWritten: NestedGroupWritten,
  settings: TenantSettings,
): MemberEntry {
  const skipped = (skip: MemberSkipReason): MemberEntry => ({ cloudId, ref: null, skip });
  if (!identity) return skipped('memberNotFound');
  const bySid = (objectType: 'user' | 'group'): MemberEntry => {
    const sid = identity.onPremisesSecurityIdentifier!;
    return SID.test(sid) ? { cloudId, ref: { kind: 'sid', cloudId, sid, objectType }, skip: null } : skipped('invalidSecurityIdentifier');
  };
  switch (identity.type) {
    case 'user':
      return synced(identity) ? bySid('user') : skipped('cloudOnlyUser');
    case 'group':
      if (synced(identity)) return bySid('group');
      return nestedWritten(cloudId)
        ? { cloudId, ref: { kind: 'group', cloudId, anchor: groupAnchor(cloudId) }, skip: null }
        : skipped('cloudOnlyGroupNotWrittenBack');
    case 'device':
      // Only device writeback puts devices in AD (under CN=RegisteredDevices, found by msDS-DeviceID).
      if (!settings.deviceWriteback) return skipped('deviceWritebackDisabled');
      return identity.deviceId !== null && isGuid(identity.deviceId)
        ? { cloudId, ref: { kind: 'device', cloudId, deviceId: identity.deviceId }, skip: null }
        : skipped('deviceWithoutDeviceId');
    case 'other':
      return skipped('unsupportedMemberType');
  }
}

export function sameEntry(a: MemberEntry | undefined, b: MemberEntry): boolean {
  if (!a) return false;
  if (a.skip !== null || b.skip !== null) return a.skip === b.skip && a.ref === null && b.ref === null;
  return sameRef(a.ref, b.ref);
}

export function sameRef(a: MemberRef | null, b: MemberRef | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind !== b.kind || a.cloudId !== b.cloudId) return false;
  switch (a.kind) {
    case 'sid':
      return b.kind === 'sid' && a.sid === b.sid;
    case 'group':
      return b.kind === 'group' && a.anchor === b.anchor;
    case 'device':
      return b.kind === 'device' && a.deviceId === b.deviceId;
  }
}
