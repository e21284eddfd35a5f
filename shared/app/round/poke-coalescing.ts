// Coalescing pokes, so 1,000 notifications in a second need a round or two, not 1,000:
//  - served: a round that started after the poke arrived already did its work. A delta poke is served by a
//    later round over the whole tenant (delta, full or reconcile); when it names groups, by a later full or
//    reconcile round or by later delta rounds that read every one of them (v1.0 delta does not list a change
//    of writebackConfiguration alone, so a named group may be why the poke exists). A resync poke is served
//    by a later full or reconcile round, a reconcile poke by a later reconcile. Rounds for named groups only
//    (admin resync of a list) serve nothing. Clocks of instances differ: a round serves a poke only when it
//    started clockSkewMs after it.
//  - deferred: a delta poke that is not served waits for one follow-up poke, queued behind every poke already
//    on the queue; that one round reads the named groups of all pokes deferred to it. Session order makes the
//    round start after each of them, whatever the clocks.
import { randomUUID } from 'node:crypto';
import { POKE_SCHEMA_VERSION, pokeMessageSchema, type PokeMessage } from '../../contracts/poke-message.js';
import type { DeltaGroupItem } from '../../domain/delta-merge.js';
import type { PlanMode } from '../../domain/planner.js';
import type { DirectoryReader } from '../../ports/directory.js';
import type { OutgoingMessage } from '../../ports/queue.js';
import { MAX_WAITING_GROUPS, type RoundMarks } from '../../state/round-marks.js';

export interface ServingRound {
  mode: PlanMode;
  startedAt: Date;
}

/** The groups a poke needs read: those it names; for the follow-up, those of the pokes waiting for it. */
function namedGroups(marks: RoundMarks, poke: PokeMessage): string[] {
  return poke.followUp ? [...marks.waiting] : (poke.groupIds ?? []).map((id) => id.toLowerCase());
}

/** The round that already served this poke, or null when it needs one. */
export function servingRound(marks: RoundMarks, poke: PokeMessage, clockSkewMs: number): ServingRound | null {
  const receivedAt = Date.parse(poke.receivedAt);
  if (Number.isNaN(receivedAt)) return null;
  const later = (startedAt: Date | null | undefined): startedAt is Date => startedAt != null && startedAt.getTime() - clockSkewMs > receivedAt;
  if (later(marks.reconcile)) return { mode: 'reconcile', startedAt: marks.reconcile };
  if (poke.reason === 'reconcile') return null;
  if (later(marks.full)) return { mode: 'full', startedAt: marks.full };
  if (poke.reason === 'resync') return null;
  const named = namedGroups(marks, poke);
  if (named.length === 0) return later(marks.delta) ? { mode: 'delta', startedAt: marks.delta } : null;
  const reads = named.map((id) => marks.groupsRead.get(id));
  if (!reads.every(later)) return null;
  return { mode: 'delta', startedAt: new Date(Math.min(...reads.map((d) => d!.getTime()))) };
}

/** Whether the poke may wait for the follow-up round instead of running one now. */
export function mayDefer(marks: RoundMarks, poke: PokeMessage): boolean {
  return poke.reason === 'notification' && !poke.followUp && marks.waiting.size + (poke.groupIds?.length ?? 0) <= MAX_WAITING_GROUPS;
}

/** The marks once the poke waits: its groups join the waiting ones; a follow-up is queued. */
export function deferPoke(marks: RoundMarks, poke: PokeMessage): RoundMarks {
  return { ...marks, waiting: new Set([...marks.waiting, ...namedGroups(marks, poke)]), followUpQueued: true };
}

/** The follow-up poke: a delta round for the pokes deferred to it. */
export function followUpPoke(tenantId: string, now: Date): OutgoingMessage {
  const body = pokeMessageSchema.parse({ v: POKE_SCHEMA_VERSION, tenantId, reason: 'notification', receivedAt: now.toISOString(), followUp: true });
  return { messageId: randomUUID(), sessionId: tenantId, body, subject: 'poke:followUp' };
}

/** The groups a delta round reads besides its delta: the poke's and every waiting one (any delta round
 *  empties the waiting list, markRound). */
export function roundGroups(marks: RoundMarks, poke: PokeMessage): string[] {
  if (poke.reason === 'resync' || poke.reason === 'reconcile') return poke.groupIds ?? [];
  return [...new Set([...(poke.groupIds ?? []).map((id) => id.toLowerCase()), ...marks.waiting])];
}

export interface FinishedRound {
  /** The mode the round ran in (a delta poke may have run a full round). */
  mode: PlanMode;
  /** Started for named groups only. */
  targeted: boolean;
  startedAt: Date;
  groupsRead: Iterable<string>;
}

/** The marks after the poke was handled: a successful round (or none, when it was served); a follow-up
 *  poke's handling means it is no longer queued. */
export function markRound(marks: RoundMarks, poke: PokeMessage, round: FinishedRound | null): RoundMarks {
  const handled = poke.followUp ? { ...marks, followUpQueued: false } : marks;
  if (round === null || round.targeted) return handled;
  switch (round.mode) {
    case 'delta': {
      const groupsRead = new Map(handled.groupsRead);
      for (const id of round.groupsRead) groupsRead.set(id, round.startedAt);
      return { ...handled, delta: round.startedAt, groupsRead, waiting: new Set() };
    }
    // Every group was read: the per-group entries say nothing more.
    case 'full':
      return { ...handled, full: round.startedAt, groupsRead: new Map(), waiting: new Set() };
    case 'reconcile':
      return { ...handled, reconcile: round.startedAt, groupsRead: new Map(), waiting: new Set() };
  }
}

/** The round's directory reader, recording every group it read: listed by delta or read by id. */
export function recordingReader(directory: DirectoryReader): { reader: DirectoryReader; groupsRead: Set<string> } {
  const groupsRead = new Set<string>();
  const reader: DirectoryReader = {
    groupsDelta(deltaLink, onPage) {
      return directory.groupsDelta(deltaLink, (items: DeltaGroupItem[]) => {
        for (const item of items) groupsRead.add(item.id.toLowerCase());
        return onPage(items);
      });
    },
    readGroups(groupIds) {
      for (const id of groupIds) groupsRead.add(id.toLowerCase());
      return directory.readGroups(groupIds);
    },
    deletedGroups: (groupIds) => directory.deletedGroups(groupIds),
    groupMembers: (groupId) => directory.groupMembers(groupId),
    groupMemberIdentities: (groupId, expected) => directory.groupMemberIdentities(groupId, expected),
    memberIdentities: (members) => directory.memberIdentities(members),
    unifiedGroupWritebackDefault: () => directory.unifiedGroupWritebackDefault(),
  };
  return { reader, groupsRead };
}
