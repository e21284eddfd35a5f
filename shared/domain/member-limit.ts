// The tenant's member limit (settings.memberLimit): a group with more members is not written. The planner
// sends nothing for it and changes nothing it stores, so its AD group stays exactly as it is, never
// half-written, until the group has few enough members or the limit is raised (docs/planner.md, "Member limit").
import type { MemberEntry } from './members.js';
import type { PlannedGroup } from './planned-state.js';
import type { TenantSettings } from './settings.js';

export function overMemberLimit(members: number, settings: Pick<TenantSettings, 'memberLimit'>): boolean {
  return settings.memberLimit !== null && members > settings.memberLimit;
}

/** The status reason: the count and the limit, and what brings the group back. */
export function memberLimitText(members: number, limit: number): string {
  return `member limit exceeded: the group has ${members} members, the tenant's limit is ${limit}; its AD group is left as it is until the group has ${limit} or fewer or the limit is raised`;
}

/** How many members (written or skipped) a written group has after member changes: its stored entries, changed. */
export function membersAfterChanges(
  prev: Pick<PlannedGroup, 'memberCount' | 'skipped'>,
  changes: { added: readonly string[]; removed: readonly string[] },
  previousMembers: ReadonlyMap<string, MemberEntry>,
): number {
  let total = prev.memberCount + Object.values(prev.skipped.counts).reduce((a, n) => a + (n ?? 0), 0);
  for (const id of new Set(changes.removed)) if (previousMembers.has(id)) total--;
  for (const id of new Set(changes.added)) if (!previousMembers.has(id)) total++;
  return total;
}
