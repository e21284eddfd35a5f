// What the planner remembers about a group between rounds. The planner is its only writer.
import type { MemberEntry, MemberSkipReason } from './members.js';
import type { AdGroupType, CloudGroup, GroupHeader, GroupLifecycle } from './model.js';
import type { SkipReason } from './policy.js';
import { sortedIds, type SortedIds } from './sorted-ids.js';

export type PlannedDecision = { write: true; adGroupType: AdGroupType } | { write: false; reason: SkipReason | 'hardDeleted' };

export interface SkippedMembers {
  /** Exact counts per reason. */
  counts: Partial<Record<MemberSkipReason, number>>;
  /** Up to SKIPPED_MEMBER_SAMPLE members named, for the status. */
  sample: { member: string; reason: MemberSkipReason }[];
}

export interface PlannedGroup {
  groupId: string;
  /** Seq of the last message planned for this group (0: none yet). The next message gets seq + 1. */
  seq: number;
  lifecycle: GroupLifecycle;
  /** Last known cloud properties: a delta item may carry only the changed ones. Null if never read. */
  cloud: CloudGroup | null;
  decision: PlannedDecision | null;
  /** An AD object created by this product exists (as far as planned): kept while soft-deleted. */
  written: boolean;
  /** The header last sent (null when not written). */
  header: GroupHeader | null;
  /** Member references sent to AD (the member entries are stored apart: big groups exceed entity sizes). */
  memberCount: number;
  skipped: SkippedMembers;
  /** NewUnifiedGroupWritebackDefault as it stood when the product first saw the group: it decides while
   *  isEnabled is null (./group-default.ts). Absent in states saved before it was kept. */
  newGroupDefault?: boolean;
  /** The member count the last plan found over the tenant's member limit (shared/domain/settings.ts): nothing
   *  was sent, the member entries are those of the last plan that was. Absent when within the limit. */
  overMemberLimit?: number;
}

/** How many member entries the stored rows of a plan hold: its member references and its skipped members. */
export function storedEntriesOf(plan: PlannedGroup | null): number {
  if (plan === null) return 0;
  return plan.memberCount + Object.values(plan.skipped.counts).reduce((n, c) => n + (c ?? 0), 0);
}

/** A group's complete member entries, one per member, read in id order (JavaScript string order of the cloud
 *  ids): a big group's are made one at a time as they are read (./planned-members.ts). */
export interface MemberEntryList {
  readonly size: number;
  inIdOrder(): Iterable<MemberEntry>;
  /** The cloud ids of the entries with a reference (the members written to AD), in id order. */
  refIds(): SortedIds;
}

/** A few entries as a MemberEntryList (the last of an id counts). */
export function memberEntryList(entries: readonly MemberEntry[]): MemberEntryList {
  const byId = [...new Map(entries.map((e) => [e.cloudId, e])).values()].sort((a, b) => (a.cloudId < b.cloudId ? -1 : a.cloudId > b.cloudId ? 1 : 0));
  return { size: byId.length, inIdOrder: () => byId, refIds: () => sortedIds(byId.flatMap((e) => (e.ref === null ? [] : [e.cloudId]))) };
}

/** How the stored member entries change: a patch (delta) or a complete replacement (snapshot). */
export type MemberEntryChanges =
  | { kind: 'patch'; upsert: MemberEntry[]; remove: string[] }
  | { kind: 'replace'; entries: MemberEntryList };

export function emptySkipped(): SkippedMembers {
  return { counts: {}, sample: [] };
}
