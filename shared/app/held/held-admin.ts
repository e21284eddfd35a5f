// An admin's side of the deletion guard (rules: shared/domain/deletion-guard.ts): list the held change sets
// with what the window has released, and approve one. Approval only marks the record and pokes a round naming
// the group; that round sends the change set, counts it and forgets the record (shared/app/round/round-guard.ts),
// so the planner stays the only writer of planned state and the status follows the relay's result.
import { GUARD_WINDOW_MS, usedInWindow, type GuardCost, type HeldChange } from '../../domain/deletion-guard.js';
import { normaliseId } from '../../domain/ids.js';
import type { QueueSender } from '../../ports/queue.js';
import type { PlannerStore } from '../../state/planner-store.js';
import { sendPoke } from '../intake/pokes.js';

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
    held: held.map((h) => h.held).sort((a, b) => a.heldAt.localeCompare(b.heldAt) || a.groupId.localeCompare(b.groupId)),
  };
}

/** Marks the group's held change set approved and asks for a round; null when nothing is held for it. */
export async function approveHeld(deps: HeldAdminDeps, tenantId: string, groupId: string): Promise<HeldChange | null> {
  const id = normaliseId(groupId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await deps.store.held.get(tenantId, id);
    if (stored === null) return null;
    const approved = stored.held.approvedAt !== null ? stored.held : { ...stored.held, approvedAt: deps.now().toISOString() };
    if (approved === stored.held || (await deps.store.held.save(tenantId, approved, stored.etag))) {
      // Approving again re-sends the poke: harmless, and it helps when the first poke was not enqueued.
      await sendPoke(deps.changes(), tenantId, 'notification', deps.now(), [id]);
      return approved;
    }
  }
  throw new Error(`held change set ${id}: still conflicting after ${MAX_ATTEMPTS} attempts`);
}
