// An admin's side of the deletion guard (rules: shared/domain/deletion-guard.ts): list the held change sets
// with what the window has released, approve one or reject one. Approval only marks the record and pokes a round
// naming the group; that round sends the change set, counts it and forgets the record
// (shared/app/round/round-guard.ts), so the planner stays the only writer of planned state and the status follows
// the relay's result. Rejection marks the record too: AD is left as it is, the status says `skipped` (rejected by
// whom), and rounds neither send nor hold that change set until the cloud changes it (its fingerprint differs).
import { GUARD_WINDOW_MS, usedInWindow, type GuardCost, type HeldChange } from '../../domain/deletion-guard.js';
import { normaliseId } from '../../domain/ids.js';
import type { QueueSender } from '../../ports/queue.js';
import type { GroupStatusStore } from '../../state/group-status-record.js';
import type { PlannerStore } from '../../state/planner-store.js';
import { sendPoke } from '../intake/pokes.js';
import { applyStatusUpdate } from '../status/group-status.js';

export interface HeldAdminDeps {
  store: PlannerStore;
  /** The graph-changes queue. */
  changes: () => QueueSender;
  now: () => Date;
}

export interface HeldOverview {
  /** Released within the window, and the thresholds in force. */
  window: GuardCost & { windowHours: number; deletionThreshold: number; memberRemovalThreshold: number };
  held: HeldChange[];
}

const MAX_ATTEMPTS = 8;

export async function listHeld(deps: HeldAdminDeps, tenantId: string): Promise<HeldOverview> {
  const [settings, { window }, held] = await Promise.all([deps.store.settings.load(tenantId), deps.store.guardWindow.load(tenantId), deps.store.held.list(tenantId)]);
  return {
    window: {
      ...usedInWindow(window, deps.now()),
      windowHours: GUARD_WINDOW_MS / 3600_000,
      deletionThreshold: settings.deletionThreshold,
      memberRemovalThreshold: settings.memberRemovalThreshold,
    },
    held: held
      .map((h) => h.held)
      .filter((h) => h.rejectedAt === null)
      .sort((a, b) => a.heldAt.localeCompare(b.heldAt) || a.groupId.localeCompare(b.groupId)),
  };
}

/** Rewrites the group's held record with `change`, conditionally on the version read; null when nothing is held. */
async function mark(deps: HeldAdminDeps, tenantId: string, groupId: string, change: (held: HeldChange) => HeldChange): Promise<HeldChange | null> {
  const id = normaliseId(groupId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await deps.store.held.get(tenantId, id);
    if (stored === null) return null;
    const next = change(stored.held);
    if (next === stored.held || (await deps.store.held.save(tenantId, next, stored.etag))) return next;
  }
  throw new Error(`held change set ${id}: still conflicting after ${MAX_ATTEMPTS} attempts`);
}

/** Marks the group's held change set approved (also one rejected before) and asks for a round; null when nothing
 *  is held for it. */
export async function approveHeld(deps: HeldAdminDeps, tenantId: string, groupId: string): Promise<HeldChange | null> {
  const approved = await mark(deps, tenantId, groupId, (held) =>
    held.approvedAt !== null && held.rejectedAt === null ? held : { ...held, approvedAt: deps.now().toISOString(), rejectedAt: null, rejectedBy: null },
  );
  // Approving again re-sends the poke: harmless, and it helps when the first poke was not enqueued.
  if (approved !== null) await sendPoke(deps.changes(), tenantId, 'notification', deps.now(), [approved.groupId]);
  return approved;
}

/** Rejects the group's held change set: nothing is sent, AD stays as it is, the status says `skipped` with who
 *  rejected it. Null when nothing is held for the group. Rejecting again changes nothing. */
export async function rejectHeld(deps: HeldAdminDeps & { statuses: GroupStatusStore }, tenantId: string, groupId: string, by: string): Promise<HeldChange | null> {
  const rejected = await mark(deps, tenantId, groupId, (held) =>
    held.rejectedAt !== null ? held : { ...held, approvedAt: null, rejectedAt: deps.now().toISOString(), rejectedBy: by },
  );
  if (rejected === null) return null;
  const reason = `held change rejected by ${rejected.rejectedBy ?? by}`;
  await applyStatusUpdate(deps.statuses, { kind: 'decision', tenantId, groupId: rejected.groupId, state: 'skipped', reason, at: rejected.rejectedAt ?? deps.now().toISOString() });
  return rejected;
}
