// Partition keys of the planner's state: one partition per tenant and group for member entries and the
// nesting index, so a group's rows are read and rewritten together (table names: ./tables.ts).
import { normaliseId } from '../domain/ids.js';

export function memberPartition(tenantId: string, groupId: string): string {
  return `${tenantId}_${normaliseId(groupId)}`;
}

export function nestingPartition(tenantId: string, childGroupId: string): string {
  return `${tenantId}_${normaliseId(childGroupId)}`;
}
