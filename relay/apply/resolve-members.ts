// Turns member references from a message into `member` values AD accepts, without names: `<SID=...>` for
// synced users and groups, the DN of the group carrying the anchor for nested written-back groups, the
// DN of the device for written-back devices. Members to add are checked against AD's nesting rules here,
// because Samba does not enforce them and the relay must behave the same on every DC.
import type { MemberRef } from '../../shared/contracts/writeback-message.js';
import type { MemberError } from '../../shared/contracts/result-message.js';
import { normaliseId } from '../../shared/domain/ids.js';
import type { DesiredMember } from './member-identity.js';
import { nestingViolation } from './scope-rules.js';
import type { AdContext } from '../ldap/ad-context.js';
import type { DirectoryRequests } from '../ldap/directory.js';
import { findDevices, findDomainLocalGroupSids, findGroupsByAnchors } from './lookup.js';

export interface ResolvedMembers {
  members: DesiredMember[];
  /** References that cannot be written (not in AD, or forbidden by the nesting rules). */
  errors: MemberError[];
}

const DOMAIN_LOCAL_GROUP_TYPE = 0x4;

/**
 * Resolves `refs` for adding (`purpose: 'add'`: unresolvable refs and nesting violations are errors) or
 * for removing (`'remove'`: a ref with no AD object is simply not a member, nothing to report).
 */
export async function resolveMembers(
  directory: DirectoryRequests,
  ctx: AdContext,
  refs: readonly MemberRef[],
  purpose: 'add' | 'remove',
  parentGroupType: number,
): Promise<ResolvedMembers> {
  const members: DesiredMember[] = [];
  const errors: MemberError[] = [];
  const sidRefs = refs.filter((r) => r.kind === 'sid');
  const groupRefs = refs.filter((r) => r.kind === 'group');
  const deviceRefs = refs.filter((r) => r.kind === 'device');

  // Only a group can break the nesting rules: refs the planner marks as users are not looked up.
  const maybeGroups = sidRefs.filter((r) => r.objectType !== 'user');
  let domainLocal = new Set<string>();
  if (purpose === 'add' && maybeGroups.length > 0) {
    domainLocal = await directory.use((c) => findDomainLocalGroupSids(c, ctx, maybeGroups.map((r) => r.sid)), { retry: true });
  }
  for (const ref of sidRefs) {
    const sid = ref.sid.toUpperCase();
    const violation = domainLocal.has(sid) ? nestingViolation(parentGroupType, DOMAIN_LOCAL_GROUP_TYPE) : null;
    if (violation) errors.push({ member: ref.cloudId, ...violation });
    else members.push({ cloudId: ref.cloudId, value: `<SID=${ref.sid}>`, sid, guid: null });
  }

  if (groupRefs.length > 0) {
    const groups = await directory.use((c) => findGroupsByAnchors(c, ctx, groupRefs.map((r) => r.anchor)), { retry: true });
    for (const ref of groupRefs) {
      const group = groups.get(normaliseId(ref.anchor));
      if (!group) {
        if (purpose === 'add') {
          errors.push({
            member: ref.cloudId,
            code: 'MemberNotFound',
            message: `no AD group carries adminDescription=${ref.anchor} (the nested group is not written back yet)`,
          });
        }
        continue;
      }
      const violation = purpose === 'add' && group.groupType !== null ? nestingViolation(parentGroupType, group.groupType) : null;
      if (violation) errors.push({ member: ref.cloudId, ...violation });
      else members.push({ cloudId: ref.cloudId, value: group.dn, sid: group.objectSid, guid: group.objectGUID });
    }
  }

  if (deviceRefs.length > 0) {
    const devices = ctx.hasAttribute('msDS-DeviceID')
      ? await directory.use((c) => findDevices(c, ctx, deviceRefs.map((r) => r.deviceId)), { retry: true })
      : new Map<string, never>();
    for (const ref of deviceRefs) {
      const device = devices.get(normaliseId(ref.deviceId));
      if (device) members.push({ cloudId: ref.cloudId, value: device.dn, sid: device.objectSid, guid: device.objectGUID });
      else if (purpose === 'add') {
        errors.push({
          member: ref.cloudId,
          code: 'DeviceNotInAd',
          message: `no AD device carries msDS-DeviceID=${ref.deviceId} (not written back by device writeback, or not yet)`,
        });
      }
    }
  }
  return { members, errors };
}
