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

/** The snapshot's member ids sorted, without a set of them (a new big group's snapshot names every member). */
function sortedSnapshotIds(messages: readonly WritebackMessage[]): string[] {
  const ids: string[] = [];
  for (const m of messages) if (m.kind === 'snapshot') for (const ref of m.members) ids.push(ref.cloudId);
  ids.sort();
  return ids.filter((id, i) => i === 0 || id !== ids[i - 1]);
}

const hadMembers = (previous: PlannedGroup | null): boolean => previous !== null && previous.written && previous.memberCount > 0;

/** Whether the effect needs the members the previous plan wrote: a snapshot naming members replaces the members
 *  of a group that has some in AD. */
export function needsPreviousMembers(previous: PlannedGroup | null, messages: readonly WritebackMessage[]): boolean {
  return hadMembers(previous) && messages.some((m) => m.kind === 'snapshot' && m.members.length > 0);
}

/** The ids of `ids` not in `drop`, sorted (no copy of `ids`: a big group's sets hold 250,000 ids and more). */
function without(ids: ReadonlySet<string>, drop: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const id of ids) if (!drop.has(id)) out.push(id);
  return out.sort();
}

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
  if (!hadMembers(previous)) return { kind: 'write', header, removed: [], added: sortedSnapshotIds(messages) };
  const kept = snapshotMemberIds(messages);
  if (kept.size === 0) return { kind: 'write', header, removed: 'every', added: [] };
  return { kind: 'write', header, removed: without(previousWritten, kept), added: without(kept, previousWritten) };
}

/** The JSON text of an effect (exactly `JSON.stringify(effect)`) in pieces of a few thousand ids, so a big
 *  group's effect can be digested without its whole text in memory (the digest names rejected change sets). */
export function* effectJsonPieces(effect: ChangeSetEffect, idsPerPiece = 2000): Generator<string> {
  if (effect.kind === 'delete') {
    yield JSON.stringify(effect);
    return;
  }
  function* list(ids: readonly string[]): Generator<string> {
    if (ids.length === 0) {
      yield '[]';
      return;
    }
    for (let i = 0; i < ids.length; i += idsPerPiece) {
      const piece = ids.slice(i, i + idsPerPiece).map((id) => JSON.stringify(id)).join(',');
      yield `${i === 0 ? '[' : ','}${piece}${i + idsPerPiece >= ids.length ? ']' : ''}`;
    }
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
