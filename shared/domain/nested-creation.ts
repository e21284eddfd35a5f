// A nested group's reference can reach AD before the nested group does. Sessions are per group (FIFO per
// group, not across groups), so the relay may apply a parent's change set naming a group whose creating change
// set it has not applied yet; it reports that reference as MemberNotFound. The planner sends references as
// usual (a snapshot must name every member, or the relay would remove one that exists), remembers each group
// whose AD group it asked to create (a pending creation), and once a result shows that the group landed in
// AD sends its reference to every parent again. Pure: the caller passes the time and the group's status
// (docs/planner.md, "Nested groups in one round").

export interface PendingCreation {
  groupId: string;
  /** First seq of the change set that creates the AD group: a result at or after it says whether it landed. */
  createdSeq: number;
  /** When the creating change set was sent (ISO 8601). */
  since: string;
  /** Looks at the group's status so far. */
  checks: number;
  /** When to look next (ISO 8601); a scheduled poke starts a round then. */
  nextAt: string;
}

/** What the group status says about the group's last results (shared/state/group-status-record.ts). */
export interface ResultsSeen {
  lastResultSeq: number | null;
  outcome: string | null;
}

/** The relay applies a change set within seconds when it is not busy; a backlog can take much longer. */
export const CREATION_FIRST_CHECK_MS = 2_000;
export const CREATION_MAX_CHECK_MS = 5 * 60_000;
/** Past this the creation is forgotten: its own status asks for a repair, and a reconcile sends the parents'
 *  complete member lists. */
export const CREATION_GIVE_UP_MS = 24 * 60 * 60_000;
/** A scheduled poke may run on an instance whose clock is a little behind. */
const DUE_SLACK_MS = 1_000;

function checkAfter(checks: number, at: number): string {
  return new Date(at + Math.min(CREATION_FIRST_CHECK_MS * 2 ** checks, CREATION_MAX_CHECK_MS)).toISOString();
}

export function pendingCreation(groupId: string, createdSeq: number, now: Date): PendingCreation {
  return { groupId, createdSeq, since: now.toISOString(), checks: 0, nextAt: checkAfter(0, now.getTime()) };
}

export function creationDue(p: PendingCreation, now: Date): boolean {
  return Date.parse(p.nextAt) <= now.getTime() + DUE_SLACK_MS;
}

/** The entry after a look that did not settle it. */
export function lookAgain(p: PendingCreation, now: Date): PendingCreation {
  return { ...p, checks: p.checks + 1, nextAt: checkAfter(p.checks + 1, now.getTime()) };
}

export type CreationVerdict =
  /** A result at or after the creating change set applied it (fully or with member errors): the AD group exists. */
  | { kind: 'landed' }
  | { kind: 'waiting'; next: PendingCreation }
  | { kind: 'givenUp' };

/** The verdict on a due pending creation, given the group's status (null: no status yet). */
export function judgeCreation(p: PendingCreation, seen: ResultsSeen | null, now: Date): CreationVerdict {
  const landed = seen !== null && seen.lastResultSeq !== null && seen.lastResultSeq >= p.createdSeq && (seen.outcome === 'applied' || seen.outcome === 'partial');
  if (landed) return { kind: 'landed' };
  if (now.getTime() - Date.parse(p.since) >= CREATION_GIVE_UP_MS) return { kind: 'givenUp' };
  return { kind: 'waiting', next: lookAgain(p, now) };
}
