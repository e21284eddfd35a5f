// The header of a group a benchmark writes: what the planner would send for a new universal security group.
import type { GroupHeader } from '../shared/domain/model.js';
import { adGroupTypeValue, groupAnchor, groupCn, groupSamAccountName } from '../shared/domain/naming.js';

export function benchHeader(groupId: string): GroupHeader {
  return {
    anchor: groupAnchor(groupId),
    cn: groupCn('objectId', groupId, null),
    samAccountName: groupSamAccountName(groupId),
    displayName: `Bench relay ${groupId.slice(0, 8)}`,
    description: null,
    adGroupType: 'universalSecurityGroup',
    groupType: adGroupTypeValue('universalSecurityGroup'),
    mail: null,
  };
}
