// The deletion guard's rules (pure): how much the sliding window has released already, and whether a group's
// change set may go or is held whole for an admin. The planner applies them per group before anything is sent
// (shared/app/round/round-guard.ts); what a change set costs: ./guard-cost.ts. docs/planner.md, "Deletion guard".
import type { GroupLifecycle } from './model.js';
import type { TenantSettings } from './settings.js';

/** The sliding window the thresholds count in. */
export const GUARD_WINDOW_MS = 24 * 3600_000;
/** Releases are summed per bucket of this length, so the record stays small however many rounds release. A
 *  bucket counts until all of it has left the window: the guard may hold a little longer, never shorter. */
export const GUARD_BUCKET_MS = 15 * 60_000;

/** What a change set removes from AD. */
export interface GuardCost {
  deletions: number;
  memberRemovals: number;
}

/** Released in one bucket (`at` = the bucket's start). */
export interface GuardRelease extends GuardCost {
  at: string;
}

/** What the guard released in the window, oldest first. */
export interface GuardWindow {
  released: GuardRelease[];
}

export type GuardThresholds = Pick<TenantSettings, 'deletionThreshold' | 'memberRemovalThreshold'>;

export type HeldKind = 'deletion' | 'memberRemoval';

/** A held change set: it stays pending (nothing sent, planned state not advanced) until an admin approves it
 *  or the cloud changes so that it removes nothing any more. An admin may reject it instead: it is then neither
 *  sent nor held while the planner plans the same change set (same fingerprint); once the cloud changes so that
 *  the change set differs, the guard decides on it anew. */
export interface HeldChange {
  groupId: string;
  kind: HeldKind;
  /** What the held change set does: 1 deletion, or this many member removals. */
  deletions: number;
  memberRemovals: number;
  reason: string;
  /** What the round saw. A permanent deletion is kept as the evidence a later round sends the delete on:
   *  the delta that reported it is consumed. */
  lifecycle: GroupLifecycle;
  /** Messages up to this seq may have been sent for the group (crash recovery): a release starts after it. */
  afterSeq: number;
  /** Of the change set's effect (guard-cost.ts, ChangeSetEffect): the same however it is sent. */
  fingerprint: string;
  heldAt: string;
  approvedAt: string | null;
  /** When and by whom (UPN or object id) it was rejected; null while it is held. */
  rejectedAt: string | null;
  rejectedBy: string | null;
}

export const emptyWindow = (): GuardWindow => ({ released: [] });

export function removesNothing(cost: GuardCost): boolean {
  return cost.deletions === 0 && cost.memberRemovals === 0;
}

function bucketStart(now: Date): number {
  return Math.floor(now.getTime() / GUARD_BUCKET_MS) * GUARD_BUCKET_MS;
}

/** The releases still inside the window ending at `now`. */
export function pruneWindow(window: GuardWindow, now: Date): GuardWindow {
  const from = now.getTime() - GUARD_WINDOW_MS;
  return { released: window.released.filter((r) => Date.parse(r.at) + GUARD_BUCKET_MS > from) };
}

/** Deletions and member removals released within the window ending at `now`. */
export function usedInWindow(window: GuardWindow, now: Date): GuardCost {
  const used = { deletions: 0, memberRemovals: 0 };
  for (const r of pruneWindow(window, now).released) {
    used.deletions += r.deletions;
    used.memberRemovals += r.memberRemovals;
  }
  return used;
}

/** The window after releasing `cost` at `now` (an approved change counts like any other). */
export function recordRelease(window: GuardWindow, cost: GuardCost, now: Date): GuardWindow {
  const released = pruneWindow(window, now).released.map((r) => ({ ...r }));
  const at = new Date(bucketStart(now)).toISOString();
  const last = released[released.length - 1];
  if (last !== undefined && last.at === at) {
    last.deletions += cost.deletions;
    last.memberRemovals += cost.memberRemovals;
  } else {
    released.push({ at, ...cost });
  }
  return { released };
}

/** A delete message comes alone: a change set that deletes is a deletion, any other removes members. */
export function heldKindOf(cost: GuardCost): HeldKind {
  return cost.deletions > 0 ? 'deletion' : 'memberRemoval';
}

/** Whether a change set removing `cost` may go now; one over a threshold is held whole, never half-applied. */
export function mayRelease(window: GuardWindow, thresholds: GuardThresholds, cost: GuardCost, now: Date): boolean {
  const used = usedInWindow(window, now);
  const deletionsFit = cost.deletions === 0 || used.deletions + cost.deletions <= thresholds.deletionThreshold;
  const removalsFit = cost.memberRemovals === 0 || used.memberRemovals + cost.memberRemovals <= thresholds.memberRemovalThreshold;
  return deletionsFit && removalsFit;
}

/** The status reason of a held change set, with the counts an admin decides on. */
export function heldReason(cost: GuardCost, used: GuardCost, thresholds: GuardThresholds): string {
  const approve = 'an admin must approve it (POST /api/held/{groupId}/approve)';
  if (heldKindOf(cost) === 'deletion') {
    return `deletion held: ${used.deletions} group deletion(s) in the last 24 h, the deletion threshold is ${thresholds.deletionThreshold}; ${approve}`;
  }
  return (
    `member removals held: this change removes ${cost.memberRemovals} member(s), ${used.memberRemovals} were removed in the last 24 h, ` +
    `the member removal threshold is ${thresholds.memberRemovalThreshold}; ${approve}`
  );
}
