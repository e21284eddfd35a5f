// What a group's change set does to AD, for the deletion guard (./deletion-guard.ts): a delete is one group
// deletion; upserts remove the members they list (a member only re-referenced, removed and added again, stays);
// a snapshot removes every member the previous plan wrote that it no longer names (an empty one, the soft-delete
// emptying, removes them all). The effect is the same whichever way the change set is sent (a delta round's
// upserts, or a later round's snapshot of the complete list): a rejected change set is recognised by it.
import type { DeleteReason, GroupHeader, WritebackMessage } from './model.js';
import type { PlannedGroup } from './planned-state.js';
import type { GuardCost } from './deletion-guard.js';

/** What a change set does relative to the previous plan: delete the group, or write this header and remove and
 *  add these members (cloud ids, sorted; `every`: all members the previous plan wrote). */
export type ChangeSetEffect =
  | { kind: 'delete'; reason: DeleteReason }
  | { kind: 'write'; header: GroupHeader | null; removed: string[] | 'every'; added: string[] };

function snapshotMemberIds(messages: readonly WritebackMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) if (m.kind === 'snapshot') for (const ref of m.members) ids.add(ref.cloudId);
  return ids;
}

const hadMembers = (previous: PlannedGroup | null): boolean => previous !== null && previous.written && previous.memberCount > 0;

/** Whether the effect needs the members the previous plan wrote: a snapshot naming members replaces the members
 *  of a group that has some in AD. */
export function needsPreviousMembers(previous: PlannedGroup | null, messages: readonly WritebackMessage[]): boolean {
  return hadMembers(previous) && snapshotMemberIds(messages).size > 0;
}

const without = (ids: Iterable<string>, drop: ReadonlySet<string>): string[] => [...new Set(ids)].filter((id) => !drop.has(id)).sort();

/** `previousWritten`: the cloud ids of the members the previous plan wrote (its entries with a reference) when
 *  needsPreviousMembers says so (else unused). */
export function changeSetEffect(
  previous: PlannedGroup | null,
  messages: readonly WritebackMessage[],
  previousWritten: ReadonlySet<string>,
): ChangeSetEffect {
  let header: GroupHeader | null = null;
  const removed = new Set<string>();
  const added = new Set<string>();
  for (const m of messages) {
    if (m.kind === 'delete') return { kind: 'delete', reason: m.reason };
    header = m.header;
    if (m.kind === 'upsert') {
      for (const ref of m.remove) removed.add(ref.cloudId);
      for (const ref of m.add) added.add(ref.cloudId);
    }
  }
  if (!messages.some((m) => m.kind === 'snapshot')) return { kind: 'write', header, removed: without(removed, added), added: without(added, removed) };
  const kept = snapshotMemberIds(messages);
  if (!hadMembers(previous)) return { kind: 'write', header, removed: [], added: [...kept].sort() };
  if (kept.size === 0) return { kind: 'write', header, removed: 'every', added: [] };
  return { kind: 'write', header, removed: without(previousWritten, kept), added: without(kept, previousWritten) };
}

export function costOf(previous: PlannedGroup | null, effect: ChangeSetEffect): GuardCost {
  if (effect.kind === 'delete') return { deletions: 1, memberRemovals: 0 };
  return { deletions: 0, memberRemovals: effect.removed === 'every' ? (previous?.memberCount ?? 0) : effect.removed.length };
}
