// Reconcile: the cloud is the source of authority. A reconcile round enumerates every group (a delta round
// without token), re-evaluates the policy, and sends every written-back group's complete desired state as
// snapshot parts: the relay upserts the header by anchor (recreating a group deleted by hand in AD), adds
// what is missing and removes what is not in the snapshot; groups that left scope are deleted, soft-deleted
// ones are emptied. It runs as a poke on the graph-changes queue so it serialises with delta rounds.
import type { QueueSender } from '../../ports/queue.js';
import { sendPoke } from '../intake/pokes.js';

/** The timer's part: ask for a reconcile round (it runs in planChanges, one round at a time per tenant). */
export async function requestReconcile(changes: QueueSender, tenantId: string, now: Date): Promise<void> {
  await sendPoke(changes, tenantId, 'reconcile', now);
}
