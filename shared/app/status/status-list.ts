// The status list of the admin API (GET /api/status, docs/operations.md): every group's status as a summary,
// filtered by state and a search text, sorted by display name, paged. One query of the status table: the
// planner records the names it knows with each status (group-facts.ts), so listing makes no Graph call.
import type { AdGroupType } from '../../domain/model.js';
import type { MemberError } from '../../contracts/result-message.js';
import type { GroupKind, GroupState, GroupStatus, GroupStatusStore } from '../../state/group-status-record.js';

export interface GroupSummary {
  groupId: string;
  displayName: string | null;
  type: GroupKind | null;
  adGroupType: AdGroupType | null;
  state: GroupState;
  reason: string | null;
  /** planned: members the planned state sends to AD (null on rows from before it was recorded); cloudOnly:
   *  members not sent (cloud-only users, devices, ...); errors: members the relay reported errors for. */
  members: { planned: number | null; cloudOnly: number; errors: number };
  lastChangeAt: string | null;
  lastResultAt: string | null;
  outcome: string | null;
  /** While the relay writes a big change set: members done of (about) total, rate, where it is; null otherwise. */
  progress: { done: number; total: number; perSecond: number; stage: string; at: string } | null;
}

export interface StatusQuery {
  state?: GroupState;
  /** A display name's substring (any case) or a group id's prefix. */
  search?: string;
  top: number;
  skip: number;
}

export interface StatusPage {
  /** Groups matching, before paging. */
  count: number;
  value: GroupSummary[];
  /** `skip` of the next page; null on the last one. */
  nextSkip: number | null;
}

const errorKey = (e: MemberError): string => `${e.member}\0${e.code}`;

/** Member errors the relay reported (memberErrors also lists the members not sent, counted as cloudOnly). */
function reportedMemberErrors(s: GroupStatus): MemberError[] {
  const notSent = new Set(s.plannedMemberErrors.map(errorKey));
  return s.memberErrors.filter((e) => !notSent.has(errorKey(e)));
}

export function groupSummary(s: GroupStatus): GroupSummary {
  return {
    groupId: s.groupId,
    displayName: s.displayName,
    type: s.type,
    adGroupType: s.adGroupType,
    state: s.state,
    reason: s.reason,
    members: { planned: s.plannedMemberCount, cloudOnly: s.cloudOnlyMembers ?? 0, errors: reportedMemberErrors(s).length + s.memberErrorsOmitted },
    lastChangeAt: s.updatedAt,
    lastResultAt: s.resultAt,
    outcome: s.outcome,
    progress: s.progress === null ? null : { done: s.progress.done, total: s.progress.total, perSecond: s.progress.perSecond, stage: s.progress.stage, at: s.progress.at },
  };
}

const names = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** By display name (groups without one last), then by id: a total order, so pages neither repeat nor skip. */
function byName(a: GroupStatus, b: GroupStatus): number {
  if (a.displayName !== b.displayName) {
    if (a.displayName === null) return 1;
    if (b.displayName === null) return -1;
    const c = names.compare(a.displayName, b.displayName);
    if (c !== 0) return c;
  }
  return a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0;
}

function matches(s: GroupStatus, query: StatusQuery): boolean {
  if (query.state !== undefined && s.state !== query.state) return false;
  const text = query.search?.trim().toLowerCase() ?? '';
  if (text === '') return true;
  return s.groupId.startsWith(text) || (s.displayName?.toLowerCase().includes(text) ?? false);
}

export async function listStatus(store: GroupStatusStore, tenantId: string, query: StatusQuery): Promise<StatusPage> {
  const matching = (await store.list(tenantId)).filter((s) => matches(s, query)).sort(byName);
  const end = query.skip + query.top;
  return { count: matching.length, value: matching.slice(query.skip, end).map(groupSummary), nextSkip: end < matching.length ? end : null };
}
