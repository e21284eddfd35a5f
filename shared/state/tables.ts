// Every table the product keeps, named in one place. One partition per tenant (or per tenant and group for
// member entries), so a tenant's delta round touches only its own partitions.
import type { TableStore } from '../ports/table-store.js';
export const TABLES = {
  deltaTokens: 'deltaTokens',
  plannedGroups: 'plannedGroups',
  plannedMembers: 'plannedMembers',
  tenantSettings: 'tenantSettings',
  roundJournal: 'roundJournal',
  nestedGroups: 'nestedGroups',
  groupStatus: 'groupStatus',
  subscriptions: 'subscriptions',
  /** Deletion guard: what it released in the sliding window (tenant / `window`). */
  guardWindow: 'guardWindow',
  /** Deletion guard: held change sets waiting for an admin (tenant / group). */
  heldChanges: 'heldChanges',
} as const;

/** Every product table (created when missing). */
export const ALL_TABLES: readonly string[] = Object.values(TABLES);

/** Creates every product table that is missing. */
export async function ensureTables(tables: TableStore): Promise<void> {
  for (const name of ALL_TABLES) await tables.ensureTable(name);
}
