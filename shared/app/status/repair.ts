// A change set that did not land, as the group status sees it (docs/operations.md, "After a change set did not
// land"). The status records it in `repair` and never says `written` while it is set: `failed` when the relay
// reported a failure, `pending` when no result came. Only a full-state change set (snapshot parts, or a delete)
// planned after the last seq that did not land, and applied, clears it; ordinary upserts do not, because they
// carry only what changed since. Pure: the requests to the planner are sent by repair-requests.ts.
import type { ResultMessage } from '../../contracts/result-message.js';
import type { GroupRepair, GroupStatus } from '../../state/group-status-record.js';
import { clip } from './status-text.js';

/** The relay's code for a change set older than one it already applied to the group: refused, nothing written. */
export const STALE_CHANGE_SET = 'StaleChangeSet';

/** The pending limit doubles per request while a repair keeps failing, up to this factor. */
const MAX_BACKOFF_FACTOR = 8;

export function isStaleRefusal(r: ResultMessage): boolean {
  return r.outcome === 'skipped' && r.error?.code === STALE_CHANGE_SET;
}

/**
 * Why a result's message did not land, or null when it did. `failed`: nothing of it was applied. `partial` with
 * an error: the message as a whole did not land (SnapshotIncomplete: a part never arrived, nothing was removed).
 * `partial` with member errors only reports members AD refused for good (transient LDAP failures fail the whole
 * message instead, relay/ldap/errors.ts): sending the state again would not change them.
 */
export function failureOf(r: ResultMessage): { code: string; message: string } | null {
  if (r.outcome === 'failed') return r.error ?? { code: 'Failed', message: 'the relay reported a failure without a reason' };
  if (r.outcome === 'partial' && r.error !== null) return r.error;
  return null;
}

/** The repair after a failed message `seq`; an open repair keeps its first seq and its request count. */
export function noteFailure(open: GroupRepair | null, seq: number, failure: { code: string; message: string }, at: string): GroupRepair {
  return {
    cause: 'failed',
    code: clip(failure.code),
    message: clip(failure.message),
    sinceSeq: open === null ? seq : Math.min(open.sinceSeq, seq),
    lastSeq: open === null ? seq : Math.max(open.lastSeq, seq),
    fullState: open?.fullState ?? null,
    requests: open?.requests ?? 0,
    at: open?.at ?? at,
  };
}

function fullStateValid(repair: GroupRepair): repair is GroupRepair & { fullState: NonNullable<GroupRepair['fullState']> } {
  return repair.fullState !== null && repair.fullState.firstSeq > repair.lastSeq;
}

/** The planner planned change set [firstSeq, lastSeq]: the first full state after what did not land is the repair. */
export function notePlanned(repair: GroupRepair, set: { firstSeq: number; lastSeq: number; fullState: boolean }): GroupRepair {
  if (!set.fullState || set.firstSeq <= repair.lastSeq || fullStateValid(repair)) return repair;
  return { ...repair, fullState: { firstSeq: set.firstSeq, lastSeq: set.lastSeq } };
}

/** The current change set's results, when they are all in. */
export interface CompletedSet {
  firstSeq: number;
  lastSeq: number;
  outcome: ResultMessage['outcome'];
}

/** Whether result `r` (not a failure) closes the repair. `completed`: the current change set it completes, if any. */
export function repairedBy(repair: GroupRepair, r: ResultMessage, completed: CompletedSet | null): boolean {
  const landed = (outcome: ResultMessage['outcome']): boolean => outcome === 'applied' || outcome === 'partial';
  // The last message of the full state planned after what did not land (a failed part would have moved lastSeq).
  if (fullStateValid(repair) && r.seq === repair.fullState.lastSeq && landed(r.outcome)) return true;
  if (completed === null || !landed(completed.outcome)) return false;
  // The current change set is a full state planned after it (planned before the failure was known).
  if ((r.kind === 'snapshot' || r.kind === 'delete') && completed.firstSeq > repair.lastSeq) return true;
  // The change set that never reported back did land after all: its results were only late.
  return repair.cause === 'noResult' && completed.firstSeq === repair.sinceSeq && completed.lastSeq === repair.lastSeq;
}

function repairReason(repair: GroupRepair): string {
  const what = repair.sinceSeq === repair.lastSeq ? `change set ${repair.sinceSeq}` : `change sets ${repair.sinceSeq}..${repair.lastSeq}`;
  const why = repair.cause === 'failed' ? `failed (${repair.code}: ${repair.message})` : 'never reported back';
  return clip(`${what} ${why}; the group's full state is sent again`);
}

/** The state shown while a repair is open: never written; failed or pending say why unless they already do. */
export function showRepair(s: GroupStatus): GroupStatus {
  if (s.repair === null) return s;
  if (s.state === 'written' || s.state === 'partial') {
    return { ...s, state: s.repair.cause === 'failed' ? 'failed' : 'pending', reason: repairReason(s.repair) };
  }
  if ((s.state === 'failed' || s.state === 'pending') && s.reason === null) return { ...s, reason: repairReason(s.repair) };
  return s;
}

/** The change set the status waits for has not reported all its results. */
export function awaitingResults(s: GroupStatus): boolean {
  return s.plannedSeq !== null && (s.lastResultSeq === null || s.lastResultSeq < s.plannedSeq);
}

function backoffMs(requests: number, pendingLimitMs: number): number {
  return pendingLimitMs * Math.min(2 ** Math.max(requests - 1, 0), MAX_BACKOFF_FACTOR);
}

/**
 * Whether the repair timer asks for this group's full state now: a change set pending without progress for the
 * pending limit (its result was lost, dead-lettered or expired), or an open repair whose last request is past its
 * backoff (the limit, doubling per request up to 8x: a DC away for hours, or a permanent refusal, is not asked
 * about every few minutes). recordResults asks at once after a failure; this is the retry and the safety net.
 */
export function repairDue(s: GroupStatus, now: Date, pendingLimitMs: number): boolean {
  const age = (iso: string): number => now.getTime() - Date.parse(iso);
  if (s.state !== 'pending' && s.state !== 'failed') return false;
  if (age(s.updatedAt) < pendingLimitMs) return false;
  if (s.repair !== null) return age(s.repair.at) >= backoffMs(s.repair.requests, pendingLimitMs);
  return s.state === 'pending' && awaitingResults(s);
}

/** What the requester saw when it decided to ask (a request is recorded only if the status still says so). */
export interface RepairSeen {
  requests: number;
  plannedSeq: number | null;
}

/** The status after the planner was asked for the group's full state; `s` itself when the row moved on meanwhile. */
export function markRequested(s: GroupStatus, seen: RepairSeen, at: string): GroupStatus {
  if (s.repair !== null) {
    if (s.repair.requests !== seen.requests) return s;
    return { ...s, repair: { ...s.repair, requests: s.repair.requests + 1, at }, updatedAt: at };
  }
  // No result within the pending limit: still the same change set, still without all its results?
  if (seen.requests !== 0 || s.plannedSeq !== seen.plannedSeq || !awaitingResults(s) || s.batchFirstSeq === null || s.plannedSeq === null) return s;
  const repair: GroupRepair = {
    cause: 'noResult',
    code: 'NoResult',
    message: `no result since ${s.updatedAt}`,
    sinceSeq: s.batchFirstSeq,
    lastSeq: s.plannedSeq,
    fullState: null,
    requests: 1,
    at,
  };
  return { ...s, repair, updatedAt: at };
}
