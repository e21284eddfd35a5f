// What a group's change set does to AD, for the deletion guard (./deletion-guard.ts): a delete is one group
// deletion; upserts remove the members they list (a member only re-referenced, removed and added again, stays);
// a snapshot removes every member the previous plan wrote that it no longer names (an empty one, the soft-delete
// emptying, removes them all). The effect is the same whichever way the change set is sent (a delta round's
// upserts, or a later round's snapshot of the complete list): a rejected change set is recognised by it.
import type { DeleteReason, GroupHeader, WritebackMessage } from './model.js';
import type { PlannedGroup } from './planned-state.js';
import type { GuardCost } from './deletion-guard.js';
import { sortedDifference, sortedIds, type SortedIds } from './sorted-ids.js';

/** What a change set does relative to the previous plan: delete the group, or write this header and remove and
 *  add these members (cloud ids, sorted; `every`: all members the previous plan wrote). `added` may be read
 *  lazily (a new big group's snapshot adds every member): iterate it, do not hold it. */
export type ChangeSetEffect =
  | { kind: 'delete'; reason: DeleteReason }
  | { kind: 'write'; header: GroupHeader | null; removed: string[] | 'every'; added: Iterable<string> };

/** The cloud ids of the snapshot's members, read from its parts (the planner has them compact for a big group:
 *  PlannedMembers.refIds, ./planned-members.ts). */
export function snapshotMemberIds(messages: readonly WritebackMessage[]): SortedIds {
  const ids: string[] = [];
  for (const m of messages) if (m.kind === 'snapshot') for (const ref of m.members) ids.push(ref.cloudId);
  return sortedIds(ids);
}

const hadMembers = (previous: PlannedGroup | null): boolean => previous !== null && previous.written && previous.memberCount > 0;

/** Whether the effect needs the members the previous plan wrote: a snapshot naming members replaces the members
 *  of a group that has some in AD. */
export function needsPreviousMembers(previous: PlannedGroup | null, messages: readonly WritebackMessage[]): boolean {
  return hadMembers(previous) && messages.some((m) => m.kind === 'snapshot' && m.members.length > 0);
}

/** The ids of `ids` not in `drop`, sorted. */
function without(ids: ReadonlySet<string>, drop: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const id of ids) if (!drop.has(id)) out.push(id);
  return out.sort();
}

/** `previousWritten`: the cloud ids of the members the previous plan wrote (its entries with a reference) when
 *  needsPreviousMembers says so (else unused). `snapshotIds`: the snapshot's member ids, when known without
 *  reading the parts. */
export function changeSetEffect(
  previous: PlannedGroup | null,
  messages: readonly WritebackMessage[],
  previousWritten: SortedIds,
  snapshotIds: SortedIds = snapshotMemberIds(messages),
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
  if (!hadMembers(previous)) return { kind: 'write', header, removed: [], added: snapshotIds };
  if (snapshotIds.size === 0) return { kind: 'write', header, removed: 'every', added: [] };
  const { onlyA, onlyB } = sortedDifference(previousWritten, snapshotIds);
  return { kind: 'write', header, removed: onlyA, added: onlyB };
}

/** The JSON text of an effect (exactly `JSON.stringify(effect)`) in pieces of a few thousand ids, so a big
 *  group's effect can be digested without its whole text in memory (the digest names rejected change sets). */
export function* effectJsonPieces(effect: ChangeSetEffect, idsPerPiece = 2000): Generator<string> {
  if (effect.kind === 'delete') {
    yield JSON.stringify(effect);
    return;
  }
  function* list(ids: Iterable<string>): Generator<string> {
    let piece: string[] = [];
    let first = true;
    for (const id of ids) {
      piece.push(JSON.stringify(id));
      if (piece.length < idsPerPiece) continue;
      yield `${first ? '[' : ','}${piece.join(',')}`;
      piece = [];
      first = false;
    }
    yield first ? `[${piece.join(',')}]` : piece.length > 0 ? `,${piece.join(',')}]` : ']';
  }
  yield `{"kind":"write","header":${JSON.stringify(effect.header)},"removed":`;
  if (effect.removed === 'every') yield '"every"';
  else yield* list(effect.removed);
  yield ',"added":';
  yield* list(effect.added);
  yield '}';
}

export function costOf(previous: PlannedGroup | null, effect: ChangeSetEffect): GuardCost {
  if (effect.kind === 'delete') return { deletions: 1, memberRemovals: 0 };
  return { deletions: 0, memberRemovals: effect.removed === 'every' ? (previous?.memberCount ?? 0) : effect.removed.length };
}
