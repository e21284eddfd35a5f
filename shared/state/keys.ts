// Partition keys of the planner's state: one partition per tenant and group for member entries and the
// nesting index, so a group's rows are read and rewritten together (table names: ./tables.ts).
export function memberPartition(tenantId: string, groupId: string): string {
  return `${tenantId}_${groupId.toLowerCase()}`;
}

export function nestingPartition(tenantId: string, childGroupId: string): string {
  return `${tenantId}_${childGroupId.toLowerCase()}`;
}
