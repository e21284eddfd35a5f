// Coalescing pokes, so 1,000 notifications in a second need a round or two, not 1,000. Clocks of instances
// differ: "after" below means more than clockSkewMs after.
//  - what a poke asks for: a delta poke (notification, recheck, safety net) asks for the changes delta carries,
//    and for each group it names, a read of the group by id (v1.0 delta does not list a change of
//    writebackConfiguration alone, so a named group may be why the poke exists). A resync poke asks for a full
//    round, a reconcile poke for a reconcile.
//  - served: a round over the whole tenant that started after the poke was received (delta, full or reconcile
//    for a delta poke; full or reconcile for resync; reconcile for reconcile) and, for each group a delta poke
//    names, a read of the group that started after the poke (recording-reader.ts), or a full or reconcile
//    round that did. Rounds for named groups only (admin resync of a list) serve nothing. The poke completes.
//  - deferred: a notification poke that is not served waits for one follow-up poke, queued behind every poke
//    already on the queue; the waiting list keeps per group the latest receivedAt of the pokes naming it.
//    Session order makes the follow-up's round, and so its delta, start after each of them whatever the
//    clocks; it reads by id only the waiting groups whose last read did not start after their latest poke. It
//    runs its delta even when that leaves no group to read: the pokes' changes may be in it. It is served
//    (runs no round) only when a round over the whole tenant and a read of each waiting group started after
//    the latest poke naming that group; a waiting group whose receivedAt is not known is never served so.
//  - every delta round reads the waiting groups the same way and empties the waiting list.
import { randomUUID } from 'node:crypto';
import { POKE_SCHEMA_VERSION, pokeMessageSchema, type PokeMessage } from '../../contracts/poke-message.js';
import { isGuid, normaliseId } from '../../domain/ids.js';
import type { PlanMode } from '../../domain/planner.js';
import type { OutgoingMessage } from '../../ports/queue.js';
import { MAX_WAITING_GROUPS, type RoundMarks } from '../../state/round-marks.js';

export interface ServingRound {
  mode: PlanMode;
  startedAt: Date;
}

type Asked = ReadonlyMap<string, Date | null>;

function receivedAtOf(poke: PokeMessage): Date | null {
  const at = new Date(poke.receivedAt);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The groups a poke names (GUIDs only: a round drops the rest), each with when the poke was received. */
function pokeGroups(poke: PokeMessage): Asked {
  const at = receivedAtOf(poke);
  return new Map((poke.groupIds ?? []).filter(isGuid).map((id) => [normaliseId(id), at]));
}

/** Both lists of asked groups; a group in both keeps the later time (unknown stays unknown). */
function joinAsked(a: Asked, b: Asked): Map<string, Date | null> {
  const out = new Map(a);
  for (const [id, at] of b) {
    if (!out.has(id)) {
      out.set(id, at);
      continue;
    }
    const had = out.get(id) ?? null;
    out.set(id, had === null || at === null ? null : new Date(Math.max(had.getTime(), at.getTime())));
  }
  return out;
}

/** The groups the poke asks to have read: its own; the follow-up stands for the pokes waiting for it. */
function askedGroups(marks: RoundMarks, poke: PokeMessage): Asked {
  return poke.followUp ? marks.waiting : pokeGroups(poke);
}

/** Whether the group's last read started after the latest poke asking for it was received. */
function readAfter(marks: RoundMarks, id: string, receivedAt: Date | null, clockSkewMs: number): boolean {
  const read = marks.groupsRead.get(id);
  return read !== undefined && receivedAt !== null && read.getTime() - clockSkewMs > receivedAt.getTime();
}

/** The round that already served this poke, or null when it needs one. */
export function servingRound(marks: RoundMarks, poke: PokeMessage, clockSkewMs: number): ServingRound | null {
  const asked = askedGroups(marks, poke);
  // The latest trigger the poke stands for (a follow-up: every waiting poke as well).
  let receivedAt = receivedAtOf(poke)?.getTime() ?? Number.NaN;
  for (const at of asked.values()) receivedAt = at === null ? Number.NaN : Math.max(receivedAt, at.getTime());
  if (Number.isNaN(receivedAt)) return null;
  const later = (startedAt: Date | null): startedAt is Date => startedAt !== null && startedAt.getTime() - clockSkewMs > receivedAt;
  if (later(marks.reconcile)) return { mode: 'reconcile', startedAt: marks.reconcile };
  if (poke.reason === 'reconcile') return null;
  if (later(marks.full)) return { mode: 'full', startedAt: marks.full };
  if (poke.reason === 'resync') return null;
  if (!later(marks.delta)) return null;
  for (const [id, at] of asked) if (!readAfter(marks, id, at, clockSkewMs)) return null;
  return { mode: 'delta', startedAt: marks.delta };
}

/** Whether the poke may wait for the follow-up round instead of running one now. */
export function mayDefer(marks: RoundMarks, poke: PokeMessage): boolean {
  return poke.reason === 'notification' && !poke.followUp && marks.waiting.size + pokeGroups(poke).size <= MAX_WAITING_GROUPS;
}

/** The marks once the poke waits: its groups join the waiting ones; a follow-up is queued. */
export function deferPoke(marks: RoundMarks, poke: PokeMessage): RoundMarks {
  return { ...marks, waiting: joinAsked(marks.waiting, pokeGroups(poke)), followUpQueued: true };
}

/** The follow-up poke: a delta round for the pokes deferred to it. */
export function followUpPoke(tenantId: string, now: Date): OutgoingMessage {
  const body = pokeMessageSchema.parse({ v: POKE_SCHEMA_VERSION, tenantId, reason: 'notification', receivedAt: now.toISOString(), followUp: true });
  return { messageId: randomUUID(), sessionId: tenantId, body, subject: 'poke:followUp' };
}

/** The groups a round reads by id besides those its delta lists. Resync and reconcile: the poke's list (a
 *  targeted round; none: every group). Delta: the groups the poke names and the waiting ones (any delta round
 *  empties the waiting list, markRound), except those whose last read started after the latest poke asking
 *  for them: the round's own delta starts after those pokes too, so they are served. */
export function roundGroups(marks: RoundMarks, poke: PokeMessage, clockSkewMs: number): string[] {
  if (poke.reason === 'resync' || poke.reason === 'reconcile') return poke.groupIds ?? [];
  const asked = joinAsked(pokeGroups(poke), marks.waiting);
  return [...asked].filter(([id, at]) => !readAfter(marks, id, at, clockSkewMs)).map(([id]) => id);
}

export interface FinishedRound {
  /** The mode the round ran in (a delta poke may have run a full round). */
  mode: PlanMode;
  /** Started for named groups only. */
  targeted: boolean;
  startedAt: Date;
  /** Lower-case group id -> when the round's read of it started (recording-reader.ts). */
  groupsRead: ReadonlyMap<string, Date>;
}

/** The marks after the poke was handled: a successful round (or none, when it was served); a follow-up
 *  poke's handling means it is no longer queued. */
export function markRound(marks: RoundMarks, poke: PokeMessage, round: FinishedRound | null): RoundMarks {
  const handled = poke.followUp ? { ...marks, followUpQueued: false } : marks;
  if (round === null || round.targeted) return handled;
  switch (round.mode) {
    case 'delta':
      return { ...handled, delta: round.startedAt, groupsRead: new Map([...handled.groupsRead, ...round.groupsRead]), waiting: new Map() };
    // Every group was read: the per-group entries say nothing more.
    case 'full':
      return { ...handled, full: round.startedAt, groupsRead: new Map(), waiting: new Map() };
    case 'reconcile':
      return { ...handled, reconcile: round.startedAt, groupsRead: new Map(), waiting: new Map() };
  }
}
