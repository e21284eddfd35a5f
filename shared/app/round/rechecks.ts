// The end of a round for the recheck list (shared/domain/recheck.ts): groups still unknown are remembered
// (status pending, with the reason), groups found again or confirmed deleted are forgotten, and the round
// that looks again is scheduled (a poke on graph-changes at the earliest due check), so unknown groups
// converge without another notification.
import { unknownReason, type RecheckEntry } from '../../domain/recheck.js';
import type { Logger } from '../../logging.js';
import type { QueueSender } from '../../ports/queue.js';
import { mapLimit } from '../../concurrency.js';
import type { GroupStatusStore } from '../../state/group-status-record.js';
import type { PlannerStore } from '../../state/planner-store.js';
import { buildPoke } from '../intake/pokes.js';
import { applyStatusUpdate } from '../status/group-status.js';
import type { UnknownGroup } from './round-groups.js';

export interface RecheckDeps {
  tenantId: string;
  store: PlannerStore;
  statuses: GroupStatusStore;
  /** The graph-changes queue. */
  pokes: QueueSender;
  log: Logger;
  now: () => Date;
}

const IO_CONCURRENCY = 8;

/** `listed`: the recheck list the round started with; `unknown`: the groups this round left unknown. */
export async function settleRechecks(deps: RecheckDeps, listed: ReadonlyMap<string, RecheckEntry>, unknown: readonly UnknownGroup[]): Promise<void> {
  const { tenantId, store, log } = deps;
  const now = deps.now();
  const unknownIds = new Set(unknown.map((u) => u.id));
  const counted = unknown.filter((u) => u.verdict.counted);

  // The poke before the entries: an entry saved with a future check but without its poke would wait for an
  // unrelated round. A check that was not due leaves the poke already scheduled for it in place.
  if (counted.length > 0) {
    const next = Math.min(...unknown.map((u) => Date.parse(u.verdict.entry.nextAt)));
    // received "at" the due time: a round in between (which is before the check is due) does not serve it.
    await deps.pokes.send([{ ...buildPoke(tenantId, 'recheck', new Date(next)), scheduledEnqueueTimeUtc: new Date(next) }]);
  }
  await mapLimit(
    unknown.filter((u) => u.verdict.changed),
    IO_CONCURRENCY,
    (u) => store.rechecks.save(tenantId, u.verdict.entry),
  );
  await mapLimit(counted, IO_CONCURRENCY, async (u) => {
    const reason = unknownReason(u.verdict.entry);
    await applyStatusUpdate(deps.statuses, { kind: 'decision', tenantId, groupId: u.id, state: 'pending', reason, at: now.toISOString() });
  });
  const resolved = [...listed.keys()].filter((id) => !unknownIds.has(id));
  await mapLimit(resolved, IO_CONCURRENCY, (id) => store.rechecks.remove(tenantId, id));

  for (const u of counted) {
    log.warn({ groupId: u.id, checks: u.verdict.entry.checks, since: u.verdict.entry.since, nextAt: u.verdict.entry.nextAt }, 'group not found without a deletion notice: nothing sent, checked again later');
  }
  if (resolved.length > 0) log.info({ groupIds: resolved }, 'groups on the recheck list resolved');
}
