// Which cloud groups are written back, and as which AD group type (docs/ad-connect.md: AD Connect v1/v2).
import type { AdGroupType, CloudGroup, DeleteReason } from './model.js';
import type { TenantSettings } from './settings.js';

/** What Graph's flags make of a group (docs/graph.md, group kinds). Dynamic membership changes nothing. */
export type CloudGroupKind = 'microsoft365' | 'security' | 'mailEnabledSecurity' | 'distribution' | 'other';

export function cloudGroupKind(g: Pick<CloudGroup, 'groupTypes' | 'mailEnabled' | 'securityEnabled'>): CloudGroupKind {
  if (g.groupTypes.some((t) => t.toLowerCase() === 'unified')) return 'microsoft365';
  if (g.securityEnabled && !g.mailEnabled) return 'security';
  if (g.securityEnabled && g.mailEnabled) return 'mailEnabledSecurity';
  if (g.mailEnabled) return 'distribution';
  return 'other';
}

export type SkipReason =
  | 'tenantWritebackDisabled'
  | 'syncedFromAd'
  | 'distributionList'
  | 'mailEnabledSecurityGroup'
  | 'unsupportedGroupType'
  | 'writebackDisabled'
  | 'tenantDefaultOff'
  | 'securityGroupNotEnabled'
  | 'securityGroupsNeedV2';

export type WritebackDecision =
  | { write: true; adGroupType: AdGroupType }
  | { write: false; reason: SkipReason; deleteReason: DeleteReason };

const skip = (reason: SkipReason, deleteReason: DeleteReason): WritebackDecision => ({ write: false, reason, deleteReason });

/**
 * - never: groups synced from AD, cloud distribution lists, mail-enabled security groups (Exchange Online
 *   objects AD Connect does not write back either);
 * - v2: Microsoft 365 groups unless isEnabled is false (null follows the tenant default the group keeps,
 *   group-default.ts: `s` carries it), as
 *   onPremisesGroupType (universal distribution by default); security groups only when isEnabled is true,
 *   always as universal security groups;
 * - v1 (groupWritebackV2 false): every Microsoft 365 group as a universal distribution group (v1 had no
 *   per-group setting, so writebackConfiguration is ignored), no security groups.
 * A group that was written and is now skipped is deleted in AD with `deleteReason`.
 */
export function decideWriteback(g: CloudGroup, s: TenantSettings): WritebackDecision {
  if (!s.writebackEnabled) return skip('tenantWritebackDisabled', 'tenantDisabled');
  if (g.onPremisesSyncEnabled === true) return skip('syncedFromAd', 'outOfScope');
  const kind = cloudGroupKind(g);
  const wb = g.writebackConfiguration;
  switch (kind) {
    case 'distribution':
      return skip('distributionList', 'outOfScope');
    case 'mailEnabledSecurity':
      return skip('mailEnabledSecurityGroup', 'outOfScope');
    case 'other':
      return skip('unsupportedGroupType', 'outOfScope');
    case 'microsoft365':
      if (!s.groupWritebackV2) return { write: true, adGroupType: 'universalDistributionGroup' };
      if (wb.isEnabled === false) return skip('writebackDisabled', 'writebackDisabled');
      if (wb.isEnabled === null && !s.newUnifiedGroupWritebackDefault) return skip('tenantDefaultOff', 'writebackDisabled');
      return { write: true, adGroupType: wb.onPremisesGroupType ?? 'universalDistributionGroup' };
    case 'security':
      if (!s.groupWritebackV2) return skip('securityGroupsNeedV2', 'outOfScope');
      if (wb.isEnabled !== true) return skip('securityGroupNotEnabled', 'writebackDisabled');
      return { write: true, adGroupType: 'universalSecurityGroup' };
  }
}

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  tenantWritebackDisabled: 'group writeback is disabled for the tenant',
  syncedFromAd: 'the group is synced from Active Directory; groups are never written back to their source',
  distributionList: 'cloud distribution lists are not written back',
  mailEnabledSecurityGroup: 'cloud mail-enabled security groups are not written back',
  unsupportedGroupType: 'the group is neither a Microsoft 365 group nor a security group',
  writebackDisabled: 'writebackConfiguration.isEnabled is false',
  tenantDefaultOff: 'writebackConfiguration.isEnabled is null and the tenant default (NewUnifiedGroupWritebackDefault) was false when the group was first seen',
  securityGroupNotEnabled: 'security groups are written back only when writebackConfiguration.isEnabled is true',
  securityGroupsNeedV2: 'security groups are written back only with group writeback v2 (groupWritebackV2 is false)',
};
