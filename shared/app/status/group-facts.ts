// What the status list and the group view show of a group: its display name, kind and AD group type, taken
// from the planner's planned state (recorded with every status update the planner makes) or from Graph.
import type { CloudGroup } from '../../domain/model.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import { cloudGroupKind } from '../../domain/policy.js';
import type { GroupFacts, GroupKind } from '../../state/group-status-record.js';

const KINDS: Record<ReturnType<typeof cloudGroupKind>, GroupKind | null> = {
  microsoft365: 'm365',
  security: 'security',
  mailEnabledSecurity: 'mailEnabledSecurity',
  distribution: 'distribution',
  other: null,
};

export function groupKindOf(cloud: CloudGroup | null): GroupKind | null {
  return cloud === null ? null : KINDS[cloudGroupKind(cloud)];
}

export function groupFactsOf(planned: PlannedGroup): GroupFacts {
  return {
    displayName: planned.cloud?.displayName ?? null,
    type: groupKindOf(planned.cloud),
    adGroupType: planned.decision?.write === true ? planned.decision.adGroupType : null,
    plannedMemberCount: planned.memberCount,
  };
}
