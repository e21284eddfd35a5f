// What a group's change set removes from AD, for the deletion guard (./deletion-guard.ts): a delete is one
// group deletion; upserts remove the members they list (a member only re-referenced, removed and added again,
// stays); a snapshot removes every member the previous plan wrote that it no longer names (an empty one, the
// soft-delete emptying, removes them all).
import type { MemberEntry } from './members.js';
import type { WritebackMessage } from './model.js';
import type { PlannedGroup } from './planned-state.js';
import type { GuardCost } from './deletion-guard.js';

function snapshotMemberIds(messages: readonly WritebackMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) if (m.kind === 'snapshot') for (const ref of m.members) ids.add(ref.cloudId);
  return ids;
}

/** Whether the cost needs the previous plan's member entries: a snapshot naming members replaces the members
 *  of a group that has some in AD. */
export function needsPreviousMembers(previous: PlannedGroup | null, messages: readonly WritebackMessage[]): boolean {
  return previous !== null && previous.written && previous.memberCount > 0 && snapshotMemberIds(messages).size > 0;
}

/** `previousMembers`: every member entry of the previous plan when needsPreviousMembers says so (else unused). */
export function changeSetCost(
  previous: PlannedGroup | null,
  messages: readonly WritebackMessage[],
  previousMembers: ReadonlyMap<string, MemberEntry>,
): GuardCost {
  if (messages.some((m) => m.kind === 'delete')) return { deletions: 1, memberRemovals: 0 };
  const removed = new Set<string>();
  const added = new Set<string>();
  for (const m of messages) {
    if (m.kind !== 'upsert') continue;
    for (const ref of m.remove) removed.add(ref.cloudId);
    for (const ref of m.add) added.add(ref.cloudId);
  }
  let memberRemovals = [...removed].filter((id) => !added.has(id)).length;
  if (messages.some((m) => m.kind === 'snapshot') && previous !== null && previous.written && previous.memberCount > 0) {
    const kept = snapshotMemberIds(messages);
    if (kept.size === 0) memberRemovals += previous.memberCount;
    else for (const e of previousMembers.values()) if (e.ref !== null && !kept.has(e.cloudId)) memberRemovals++;
  }
  return { deletions: 0, memberRemovals };
}
