// Every table the product keeps, named in one place. One partition per tenant (or per tenant and group for
// member entries), so a tenant's delta round touches only its own partitions. A missing table is created by
// the table store on first use (shared/ports/table-store.ts), so state lost or never created rebuilds itself.
export const TABLES = {
  deltaTokens: 'deltaTokens',
  plannedGroups: 'plannedGroups',
  plannedMembers: 'plannedMembers',
  tenantSettings: 'tenantSettings',
  roundJournal: 'roundJournal',
  roundMarks: 'roundMarks',
  nestedGroups: 'nestedGroups',
  groupRechecks: 'groupRechecks',
  groupStatus: 'groupStatus',
  subscriptions: 'subscriptions',
  /** Deletion guard: what it released in the sliding window (tenant / `window`). */
  guardWindow: 'guardWindow',
  /** Deletion guard: held change sets waiting for an admin (tenant / group). */
  heldChanges: 'heldChanges',
  /** Relays heard from by their heartbeats (`relay` / relayId). */
  relays: 'relays',
  /** Groups whose AD group is being created, until a result shows it landed (tenant / group). */
  groupCreations: 'groupCreations',
} as const;

/** Every product table. */
export const ALL_TABLES: readonly string[] = Object.values(TABLES);
