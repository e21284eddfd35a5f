// One group as the admin API shows it (GET /api/groups/{groupId}, docs/operations.md): what the cloud says now
// (Graph, through the directory reader), the decision the policy takes with the tenant's effective settings,
// what the planner last sent and the relay last applied, the status with its member errors named (display name
// and UPN, read in batches), and the change set the deletion guard holds, if any.
import type { HeldChange } from '../../domain/deletion-guard.js';
import { desiredHeader } from '../../domain/header.js';
import { isGuid, normaliseId } from '../../domain/ids.js';
import type { AdGroupType, CloudGroup } from '../../domain/model.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import { decideWriteback, SKIP_REASON_TEXT } from '../../domain/policy.js';
import { effectiveSettings } from '../../domain/settings.js';
import type { DirectoryReader, MemberName, MemberNameReader } from '../../ports/directory.js';
import type { GroupKind, GroupStatus, GroupStatusStore } from '../../state/group-status-record.js';
import type { PlannerStore } from '../../state/planner-store.js';
import { groupKindOf } from './group-facts.js';
import { groupSummary, type GroupSummary } from './status-list.js';

export interface GroupDetailDeps {
  directory: Pick<DirectoryReader, 'readGroups' | 'deletedGroups' | 'groupMembers' | 'unifiedGroupWritebackDefault'> & MemberNameReader;
  store: PlannerStore;
  statuses: GroupStatusStore;
}

export interface CloudView {
  displayName: string | null;
  description: string | null;
  type: GroupKind | null;
  mailNickname: string | null;
  writeback: CloudGroup['writebackConfiguration'];
  /** Direct members; null when the group vanished between the reads. */
  memberCount: number | null;
}

export interface DecisionView {
  write: boolean;
  reason: string | null;
  adGroupType: AdGroupType | null;
  cn: string | null;
}

export interface AppliedView {
  cn: string | null;
  dn: string | null;
  objectGUID: string | null;
  objectSid: string | null;
  /** Seq of the last change set the relay reported on. */
  seq: number | null;
  memberCount: number;
}

export interface MemberErrorView {
  memberId: string;
  displayName: string | null;
  userPrincipalName: string | null;
  kind: MemberName['type'];
  code: string;
  message: string;
}

export interface GroupDetail {
  groupId: string;
  /** null: Graph does not return the group. */
  cloud: CloudView | null;
  decision: DecisionView;
  /** null: the product has no AD group for it (as planned). */
  applied: AppliedView | null;
  /** null: the planner has not evaluated the group yet. */
  status: GroupSummary | null;
  memberErrors: MemberErrorView[];
  held: HeldChange | null;
}

async function cloudNow(deps: GroupDetailDeps, groupId: string): Promise<{ cloud: CloudGroup | null; softDeleted: boolean; memberCount: number | null }> {
  const read = (await deps.directory.readGroups([groupId])).get(groupId);
  if (read?.kind === 'found') {
    const members = await deps.directory.groupMembers(groupId);
    return { cloud: read.group, softDeleted: false, memberCount: members?.length ?? null };
  }
  const softDeleted = (await deps.directory.deletedGroups([groupId])).has(groupId);
  return { cloud: null, softDeleted, memberCount: null };
}

async function decide(deps: GroupDetailDeps, tenantId: string, cloud: CloudGroup | null, softDeleted: boolean): Promise<DecisionView> {
  if (cloud === null) {
    const reason = softDeleted
      ? 'soft-deleted in the cloud (in deleted items): a written group stays in AD without members until it is restored or purged'
      : 'Graph does not return the group (permanently deleted, or not visible to the app)';
    return { write: false, reason, adGroupType: null, cn: null };
  }
  const [stored, graphDefault] = await Promise.all([deps.store.settings.load(tenantId), deps.directory.unifiedGroupWritebackDefault()]);
  const settings = effectiveSettings(stored, graphDefault);
  const decision = decideWriteback(cloud, settings);
  if (!decision.write) return { write: false, reason: SKIP_REASON_TEXT[decision.reason], adGroupType: null, cn: null };
  return { write: true, reason: null, adGroupType: decision.adGroupType, cn: desiredHeader(cloud, decision.adGroupType, settings).cn };
}

function applied(planned: PlannedGroup | null, status: GroupStatus | null): AppliedView | null {
  if (planned === null || !planned.written) return null;
  const ad = status?.ad ?? null;
  return { cn: planned.header?.cn ?? null, dn: ad?.dn ?? null, objectGUID: ad?.objectGUID ?? null, objectSid: ad?.objectSid ?? null, seq: status?.lastResultSeq ?? null, memberCount: planned.memberCount };
}

async function namedErrors(deps: GroupDetailDeps, status: GroupStatus | null): Promise<MemberErrorView[]> {
  const errors = status?.memberErrors ?? [];
  const ids = [...new Set(errors.map((e) => normaliseId(e.member)).filter(isGuid))];
  const names = ids.length > 0 ? await deps.directory.memberNames(ids) : new Map<string, MemberName>();
  return errors.map((e) => {
    const name = names.get(normaliseId(e.member));
    return { memberId: e.member, displayName: name?.displayName ?? null, userPrincipalName: name?.userPrincipalName ?? null, kind: name?.type ?? null, code: e.code, message: e.message };
  });
}

/** null: neither Graph nor the product knows the group. */
export async function groupDetail(deps: GroupDetailDeps, tenantId: string, groupIdIn: string): Promise<GroupDetail | null> {
  const groupId = normaliseId(groupIdIn);
  const [now, planned, statusRow, held] = await Promise.all([
    cloudNow(deps, groupId),
    deps.store.groups.load(tenantId, groupId),
    deps.statuses.read(tenantId, groupId),
    deps.store.held.get(tenantId, groupId),
  ]);
  const status = statusRow?.status ?? null;
  if (now.cloud === null && planned === null && status === null) return null;
  const { cloud } = now;
  return {
    groupId,
    cloud:
      cloud === null
        ? null
        : {
            displayName: cloud.displayName,
            description: cloud.description,
            type: groupKindOf(cloud),
            mailNickname: cloud.mailNickname,
            writeback: cloud.writebackConfiguration,
            memberCount: now.memberCount,
          },
    decision: await decide(deps, tenantId, cloud, now.softDeleted),
    applied: applied(planned, status),
    status: status === null ? null : groupSummary(status),
    memberErrors: await namedErrors(deps, status),
    held: held?.held ?? null,
  };
}
