// Asking the planner for a group's full state after a change set did not land (repair.ts decides when): a
// targeted resync poke on graph-changes, i.e. a full round for just those groups (snapshot parts, or a delete).
// Each request is recorded in the status (`repair.requests`), so a result delivered twice asks once. The poke goes
// out before the request is recorded: a crash in between asks again (a second targeted round is harmless), never
// not at all.
import { mapLimit } from '../../concurrency.js';
import type { Logger } from '../../logging.js';
import type { QueueSender } from '../../ports/queue.js';
import type { GroupStatus, GroupStatusStore } from '../../state/group-status-record.js';
import { MAX_POKE_GROUP_IDS, sendPoke } from '../intake/pokes.js';
import { applyStatusUpdate } from './group-status.js';
import { repairDue } from './repair.js';

export interface RepairRequestDeps {
  statuses: GroupStatusStore;
  /** The graph-changes queue. */
  changes: QueueSender;
  log: Logger;
  now: () => Date;
}

/** recordResults, after merging a result: a repair nobody asked for yet is asked for now. */
export async function requestRepairOnce(deps: RepairRequestDeps, status: GroupStatus): Promise<boolean> {
  if (status.repair === null || status.repair.requests > 0) return false;
  await request(deps, status.tenantId, [status]);
  deps.log.warn({ groupId: status.groupId, repair: status.repair }, 'change set did not land; the group\'s full state is requested');
  return true;
}

/** The repair timer: every group of the tenant due for a request (pending without progress, or a repair to retry). */
export async function requestDueRepairs(deps: RepairRequestDeps, tenantId: string, pendingLimitMs: number): Promise<string[]> {
  const now = deps.now();
  const idle = await deps.statuses.listIdle(tenantId, ['pending', 'failed'], new Date(now.getTime() - pendingLimitMs).toISOString());
  const due = idle.filter((s) => repairDue(s, now, pendingLimitMs));
  await request(deps, tenantId, due);
  if (due.length > 0) deps.log.warn({ groups: due.length, sample: due.slice(0, 10).map((s) => s.groupId) }, 'change sets did not land; full states requested');
  return due.map((s) => s.groupId);
}

async function request(deps: RepairRequestDeps, tenantId: string, statuses: readonly GroupStatus[]): Promise<void> {
  for (let i = 0; i < statuses.length; i += MAX_POKE_GROUP_IDS) {
    const batch = statuses.slice(i, i + MAX_POKE_GROUP_IDS);
    await sendPoke(deps.changes, tenantId, 'resync', deps.now(), batch.map((s) => s.groupId));
    const at = deps.now().toISOString();
    await mapLimit(batch, 8, (s) =>
      applyStatusUpdate(deps.statuses, {
        kind: 'repairRequested',
        tenantId,
        groupId: s.groupId,
        seen: { requests: s.repair?.requests ?? 0, plannedSeq: s.plannedSeq },
        at,
      }),
    );
  }
}
