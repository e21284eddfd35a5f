// Table names and keys of the planner's state. One partition per tenant (or per tenant and group for member
// entries), so a tenant's delta round touches only its own partitions.
export const TABLES = {
  deltaTokens: 'deltaTokens',
  plannedGroups: 'plannedGroups',
  plannedMembers: 'plannedMembers',
  tenantSettings: 'tenantSettings',
  roundJournal: 'roundJournal',
  nestedGroups: 'nestedGroups',
} as const;

/** Every table the planner's repositories use (created at start-up). */
export const PLANNER_TABLES: readonly string[] = Object.values(TABLES);

export function memberPartition(tenantId: string, groupId: string): string {
  return `${tenantId}_${groupId.toLowerCase()}`;
}

export function nestingPartition(tenantId: string, childGroupId: string): string {
  return `${tenantId}_${childGroupId.toLowerCase()}`;
}
