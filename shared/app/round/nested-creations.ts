// Pending creations in a round (rules: shared/domain/nested-creation.ts). After a chunk's sends, each group whose
// AD group the round asks to create is remembered; at the end of the round those no other group holds are
// forgotten. At the start of a round the due ones are looked up in the group status: the parents of a group that
// landed join the round and get its reference again. A poke is scheduled for the next due look, so parents
// converge without a notification.
import { normaliseId } from '../../domain/ids.js';
import { creationDue, judgeCreation, lookAgain, pendingCreation, type PendingCreation, type ResultsSeen } from '../../domain/nested-creation.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import type { PlanResult } from '../../domain/planner.js';
import { mapLimit } from '../../concurrency.js';
import { buildPoke } from '../intake/pokes.js';
import type { DeltaRoundDeps } from './round-deps.js';

export interface CreationCheck {
  /** Groups whose AD group landed: their parents get the reference again. */
  landed: PendingCreation[];
  /** Looked at, still waiting: with their next look. */
  waiting: PendingCreation[];
  /** Waiting for longer than CREATION_GIVE_UP_MS: forgotten. */
  givenUp: PendingCreation[];
}

const IO_CONCURRENCY = 8;
/** Past this many due looks one read of the tenant's statuses is cheaper than a read per group. */
const BULK_STATUS_READS = 50;

async function resultsSeen(deps: DeltaRoundDeps, groupIds: readonly string[]): Promise<Map<string, ResultsSeen>> {
  const out = new Map<string, ResultsSeen>();
  if (groupIds.length > BULK_STATUS_READS) {
    for (const s of await deps.statuses.list(deps.tenantId)) out.set(normaliseId(s.groupId), s);
    return out;
  }
  await mapLimit(groupIds, IO_CONCURRENCY, async (id) => {
    const read = await deps.statuses.read(deps.tenantId, id);
    if (read !== null) out.set(id, read.status);
  });
  return out;
}

/** The start of a round: the due pending creations and what their groups' statuses say. */
export async function checkCreations(deps: DeltaRoundDeps, now: Date): Promise<CreationCheck> {
  const out: CreationCheck = { landed: [], waiting: [], givenUp: [] };
  const due = (await deps.store.creations.list(deps.tenantId)).filter((p) => creationDue(p, now));
  if (due.length === 0) return out;
  const seen = await resultsSeen(deps, due.map((p) => p.groupId));
  for (const p of due) {
    const verdict = judgeCreation(p, seen.get(p.groupId) ?? null, now);
    if (verdict.kind === 'landed') out.landed.push(p);
    else if (verdict.kind === 'waiting') out.waiting.push(verdict.next);
    else out.givenUp.push(p);
  }
  return out;
}

/** Landed groups one of whose parents this round left unknown (not planned): looked at again later, so that
 *  parent still gets the reference once it is found. */
export function postponeLanded(check: CreationCheck, groupIds: ReadonlySet<string>, now: Date): CreationCheck {
  if (groupIds.size === 0) return check;
  const postponed = check.landed.filter((p) => groupIds.has(p.groupId));
  return { ...check, landed: check.landed.filter((p) => !groupIds.has(p.groupId)), waiting: [...check.waiting, ...postponed.map((p) => lookAgain(p, now))] };
}

/** Whether this change set asks the relay to create the group's AD group (or to adopt one found by anchor). */
function creates(previous: PlannedGroup | null, result: PlanResult): boolean {
  const before = (previous?.written ?? false) && previous?.lifecycle !== 'hardDeleted';
  return !before && result.next.written && result.messages.length > 0;
}

/** After a chunk's sends and before its planned states are saved: the groups it asks to create (added to
 *  `created`). A crash in between is repaired from the round journal: the replan creates the group again and
 *  records it then. */
export async function recordCreations(
  deps: DeltaRoundDeps,
  sent: readonly { view: { id: string; previous: PlannedGroup | null }; result: PlanResult }[],
  created: PendingCreation[],
): Promise<void> {
  const now = deps.now();
  const fresh = sent.filter(({ view, result }) => creates(view.previous, result)).map(({ view, result }) => pendingCreation(view.id, result.messages[0]!.seq, now));
  await mapLimit(fresh, IO_CONCURRENCY, (p) => deps.store.creations.save(deps.tenantId, p));
  created.push(...fresh);
}

/** The created groups some other group holds (nesting index: complete once every chunk of the round is saved). */
async function nestedOnes(deps: DeltaRoundDeps, created: readonly PendingCreation[]): Promise<Set<string>> {
  const nested = new Set<string>();
  await mapLimit(created, IO_CONCURRENCY, async (p) => {
    if ((await deps.store.nesting.parentsOf(deps.tenantId, p.groupId)).length > 0) nested.add(p.groupId);
  });
  return nested;
}

/** The end of a round: a created group no other group holds is forgotten (no parent waits for it); for the
 *  others the next look is scheduled (a poke at the earliest one), looks saved, landed and given-up creations
 *  forgotten. A group created again in this round keeps the entry its new change set recorded. */
export async function settleCreations(deps: DeltaRoundDeps, check: CreationCheck, created: readonly PendingCreation[]): Promise<void> {
  const { tenantId, store, log } = deps;
  const nested = await nestedOnes(deps, created);
  const scheduled = [...check.waiting, ...created.filter((p) => nested.has(p.groupId))];
  if (scheduled.length > 0) {
    const next = new Date(scheduled.reduce((min, p) => Math.min(min, Date.parse(p.nextAt)), Infinity));
    // The poke first: a look saved without its poke waits for an unrelated round. Received "at" the due time,
    // so only a round that starts after it (and looks at what is due) serves it.
    await deps.pokes.send([{ ...buildPoke(tenantId, 'recheck', next), scheduledEnqueueTimeUtc: next }]);
  }
  const recreated = new Set(created.map((p) => p.groupId));
  await mapLimit(
    check.waiting.filter((p) => !recreated.has(p.groupId)),
    IO_CONCURRENCY,
    (p) => store.creations.save(tenantId, p),
  );
  const done = [...check.landed, ...check.givenUp].map((p) => p.groupId).filter((id) => !recreated.has(id));
  const unheld = created.map((p) => p.groupId).filter((id) => !nested.has(id));
  await mapLimit([...done, ...unheld], IO_CONCURRENCY, (id) => store.creations.remove(tenantId, id));
  if (check.landed.length > 0) {
    log.info({ groupIds: check.landed.slice(0, 100).map((p) => p.groupId), count: check.landed.length }, 'nested groups landed in AD: their parents got their references again');
  }
  for (const p of check.givenUp) {
    log.warn({ groupId: p.groupId, since: p.since, createdSeq: p.createdSeq }, 'no result showed the group landed in AD: its parents get its reference with the next reconcile');
  }
}
