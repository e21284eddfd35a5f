// How a group's status changes (the record and its store: shared/state/group-status-record.ts). The planner
// records what it decided (change set planned, skipped with a reason, held); recordResults records what the
// relay reported. `mergeStatus` is the only way a status changes, so both writers agree on ordering rules:
//  - a change set spans seqs [firstSeq, lastSeq]; results inside it accumulate (member errors, counts, worst
//    outcome); the state is final once the result for lastSeq arrived, 'pending' before;
//  - a result older than the last recorded one (seq < lastResultSeq) or a replay of it (seq ==) is ignored, and
//    so is the relay's refusal of a stale change set (it applied a newer one);
//  - a change set that did not land opens a repair (repair.ts): never `written` until a full state planned
//    after it is applied;
//  - `held` (deletion guard) stays until the planner plans the released change set;
//  - the members the planner did not send follow every plan of the group, also one that sends nothing.
import type { MemberError, ProgressMessage, ResultMessage, ResultOutcome } from '../../contracts/result-message.js';
import { emptyStatus, type GroupFacts, type GroupState, type GroupStatus, type GroupStatusStore, type PlanIntent } from '../../state/group-status-record.js';
import { failureOf, isStaleRefusal, markRequested, noteFailure, notePlanned, repairedBy, showRepair, type RepairSeen } from './repair.js';
import { clip } from './status-text.js';

/** Status keeps at most this many member errors (Azure Table string properties hold 32 K characters). */
export const MAX_STATUS_MEMBER_ERRORS = 50;
export const MAX_STATUS_NOTES = 20;

export type StatusUpdate =
  /** Planner: change set [firstSeq, lastSeq] sent (or about to be) for this group. */
  | {
      kind: 'planned';
      tenantId: string;
      groupId: string;
      firstSeq: number;
      lastSeq: number;
      intent: PlanIntent;
      /** The group's whole state (snapshot parts, or a delete), not only what changed: it can repair the group. */
      fullState?: boolean;
      cloudOnlyMembers?: number;
      /** Members not sent and why (replaces the previous list; absent keeps it). */
      memberErrors?: MemberError[];
      notes?: string[];
      facts?: GroupFacts;
      at: string;
    }
  /** Planner: decided not to write (skipped: out of scope, unsupported type...; held: deletion guard;
   *  pending: the group could not be found and nothing is sent until it is, shared/domain/recheck.ts). */
  | {
      kind: 'decision';
      tenantId: string;
      groupId: string;
      state: 'skipped' | 'held' | 'pending';
      reason: string;
      cloudOnlyMembers?: number;
      notes?: string[];
      facts?: GroupFacts;
      at: string;
    }
  /** Planner: a group that could not be found is found again and needs no change set: the status shows what
   *  the last change set's results say again, or, when none was ever planned, the planner's verdict. */
  | { kind: 'settled'; tenantId: string; groupId: string; state: GroupState; reason: string | null; facts?: GroupFacts; at: string }
  /** Planner: nothing to send, but the group's members not sent (a cloud-only member added or gone, a device...)
   *  or its facts changed. `state` and `reason` are the planner's verdict, used only when the group has no
   *  status yet. */
  | {
      kind: 'observed';
      tenantId: string;
      groupId: string;
      state: GroupState;
      reason: string | null;
      cloudOnlyMembers: number;
      memberErrors: MemberError[];
      notes: string[];
      facts: GroupFacts;
      at: string;
    }
  /** recordResults: the relay's result for one writeback message. */
  | { kind: 'result'; result: ResultMessage; at: string }
  /** recordResults: how far the relay has come with a big change set (the state stays as it is). */
  | { kind: 'progress'; message: ProgressMessage; at: string }
  /** The planner was asked for the group's full state (repair-requests.ts), having seen the status as `seen`. */
  | { kind: 'repairRequested'; tenantId: string; groupId: string; seen: RepairSeen; at: string };

const RANK: Record<ResultOutcome, number> = { applied: 0, skipped: 1, partial: 2, failed: 3 };

/** Worst outcome of a change set; a failed part next to applied parts makes the whole partial. */
export function combineOutcomes(a: ResultOutcome | null, b: ResultOutcome): ResultOutcome {
  if (a === null || a === b) return b;
  const pair = new Set([a, b]);
  if (pair.has('failed') && (pair.has('applied') || pair.has('partial'))) return 'partial';
  return RANK[a] >= RANK[b] ? a : b;
}

export function stateOf(outcome: ResultOutcome, intent: PlanIntent | null, kind: ResultMessage['kind']): GroupState {
  switch (outcome) {
    case 'applied':
      if (kind === 'delete' || intent === 'delete') return 'deleted';
      return intent === 'softDelete' ? 'softDeleted' : 'written';
    case 'partial':
      return 'partial';
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
  }
}

function mergeErrors(
  kept: MemberError[],
  omitted: number,
  incoming: readonly MemberError[],
): { memberErrors: MemberError[]; memberErrorsOmitted: number } {
  const seen = new Set(kept.map((e) => `${e.member}\0${e.code}`));
  const out = [...kept];
  let more = omitted;
  for (const e of incoming) {
    const member = clip(e.member);
    const code = clip(e.code);
    const key = `${member}\0${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length < MAX_STATUS_MEMBER_ERRORS) out.push({ member, code, message: clip(e.message) });
    else more++;
  }
  return { memberErrors: out, memberErrorsOmitted: more };
}

/** Returns the new status, or `existing` itself (same reference) when the update changes nothing. */
export function mergeStatus(existing: GroupStatus | null, update: StatusUpdate): GroupStatus {
  const merged = mergeUpdate(existing, update);
  return merged === existing ? existing : showRepair(merged);
}

function mergeUpdate(existing: GroupStatus | null, update: StatusUpdate): GroupStatus {
  if (update.kind === 'result') return mergeResult(existing, update.result, update.at);
  if (update.kind === 'progress') return mergeProgress(existing, update.message, update.at);
  if (update.kind === 'repairRequested') return markRequested(existing ?? emptyStatus(update.tenantId, update.groupId, update.at), update.seen, update.at);
  const base = existing ?? emptyStatus(update.tenantId, update.groupId, update.at);
  if (update.kind === 'settled') return settled(existing, base, update);
  if (update.kind === 'observed') return observed(existing, base, update);
  const planner = {
    ...update.facts,
    ...(update.cloudOnlyMembers !== undefined ? { cloudOnlyMembers: update.cloudOnlyMembers } : {}),
    ...(update.notes !== undefined ? { notes: update.notes.slice(0, MAX_STATUS_NOTES).map(clip) } : {}),
    ...(update.kind === 'planned' && update.memberErrors !== undefined
      ? { plannedMemberErrors: plannedErrors(update.memberErrors) }
      : {}),
    updatedAt: update.at,
  };
  if (update.kind === 'decision') {
    const same =
      existing !== null &&
      existing.state === update.state &&
      existing.reason === clip(update.reason) &&
      (planner.notes === undefined || JSON.stringify(planner.notes) === JSON.stringify(existing.notes)) &&
      (update.facts === undefined || sameFacts(update.facts, existing)) &&
      (planner.cloudOnlyMembers === undefined || planner.cloudOnlyMembers === existing.cloudOnlyMembers);
    if (same) return existing;
    // A group the product no longer writes has nothing left to repair.
    return { ...base, ...planner, state: update.state, reason: clip(update.reason), ...(update.state === 'skipped' ? { repair: null } : {}) };
  }
  // planned
  if (base.plannedSeq !== null && update.lastSeq < base.plannedSeq) return existing ?? base;
  const resultsAlreadyIn = base.lastResultSeq !== null && base.lastResultSeq >= update.firstSeq;
  const fresh = resultsAlreadyIn
    ? {}
    : { outcome: null, memberErrors: planner.plannedMemberErrors ?? base.plannedMemberErrors, memberErrorsOmitted: 0, error: null, counts: { membersAdded: 0, membersRemoved: 0 } };
  const done = base.lastResultSeq !== null && base.lastResultSeq >= update.lastSeq;
  const repair = base.repair === null ? null : notePlanned(base.repair, { firstSeq: update.firstSeq, lastSeq: update.lastSeq, fullState: update.fullState === true });
  return {
    ...base,
    ...fresh,
    ...planner,
    repair,
    intent: update.intent,
    batchFirstSeq: update.firstSeq,
    plannedSeq: update.lastSeq,
    reason: done ? base.reason : null,
    state: done && base.outcome !== null ? stateOf(base.outcome, update.intent, 'upsert') : 'pending',
  };
}

function plannedErrors(errors: readonly MemberError[]): MemberError[] {
  return errors.slice(0, MAX_STATUS_MEMBER_ERRORS).map((e) => ({ ...e, message: clip(e.message) }));
}

function sameFacts(facts: GroupFacts, status: GroupStatus): boolean {
  return (Object.keys(facts) as (keyof GroupFacts)[]).every((k) => facts[k] === status[k]);
}

function settled(existing: GroupStatus | null, base: GroupStatus, update: Extract<StatusUpdate, { kind: 'settled' }>): GroupStatus {
  // Only the planner's own "pending" is undone: a result may have decided the state meanwhile.
  if (existing !== null && existing.state !== 'pending') return existing;
  const at = { updatedAt: update.at, ...update.facts };
  if (base.plannedSeq === null) return { ...base, ...at, state: update.state, reason: update.reason === null ? null : clip(update.reason) };
  const outcome = base.lastResultSeq !== null && base.lastResultSeq >= base.plannedSeq ? base.outcome : null;
  if (outcome === null) return { ...base, ...at, reason: null }; // its change set is still on the way
  return { ...base, ...at, state: stateOf(outcome, base.intent, 'upsert'), reason: base.error?.message ?? null };
}

/** The members not sent are replaced, in plannedMemberErrors and at the head of memberErrors, where the relay's
 *  errors of the current change set stay. The time stays: nothing was sent, and the repair timer measures how
 *  long a change set waits for its result from it. */
function observed(existing: GroupStatus | null, base: GroupStatus, update: Extract<StatusUpdate, { kind: 'observed' }>): GroupStatus {
  const plannedMemberErrors = plannedErrors(update.memberErrors);
  const members = { ...update.facts, cloudOnlyMembers: update.cloudOnlyMembers, plannedMemberErrors, notes: update.notes.slice(0, MAX_STATUS_NOTES).map(clip) };
  if (existing === null) {
    const reason = update.reason === null ? null : clip(update.reason);
    return { ...base, ...members, state: update.state, reason, memberErrors: plannedMemberErrors };
  }
  const key = (e: MemberError): string => `${e.member}\0${e.code}`;
  const notSent = new Set(existing.plannedMemberErrors.map(key));
  const reported = existing.memberErrors.filter((e) => !notSent.has(key(e)));
  const next = { ...existing, ...members, ...mergeErrors(plannedMemberErrors, existing.memberErrorsOmitted, reported) };
  return JSON.stringify(next) === JSON.stringify(existing) ? existing : next;
}

/** Shown until results up to its seq arrive; a report older than the shown one (queues do not keep order) is
 *  ignored. Neither the state nor the time of the status changes: progress is not a result. */
function mergeProgress(existing: GroupStatus | null, m: ProgressMessage, at: string): GroupStatus {
  const base = existing ?? emptyStatus(m.tenantId, m.groupId, at);
  const p = m.progress;
  if (base.lastResultSeq !== null && p.seq <= base.lastResultSeq) return existing ?? base;
  const shown = base.progress;
  if (shown !== null && (shown.seq > p.seq || (shown.seq === p.seq && shown.at >= p.at))) return existing ?? base;
  return { ...base, progress: { ...p, stage: clip(p.stage) }, relayId: m.relayId };
}

function mergeResult(existing: GroupStatus | null, r: ResultMessage, at: string): GroupStatus {
  if (existing !== null && existing.lastResultSeq !== null && r.seq <= existing.lastResultSeq) return existing;
  const base = existing ?? emptyStatus(r.tenantId, r.groupId, at);
  if (isStaleRefusal(r)) return existing ?? base;
  // Same change set as the results already recorded? Then accumulate; otherwise start over.
  const sameSet =
    base.lastResultSeq !== null &&
    base.batchFirstSeq !== null &&
    base.plannedSeq !== null &&
    base.batchFirstSeq <= base.lastResultSeq &&
    r.seq >= base.batchFirstSeq &&
    r.seq <= base.plannedSeq;
  const errors = mergeErrors(sameSet ? base.memberErrors : base.plannedMemberErrors, sameSet ? base.memberErrorsOmitted : 0, r.memberErrors);
  const outcome = combineOutcomes(sameSet ? base.outcome : null, r.outcome);
  const counts = {
    membersAdded: (sameSet ? base.counts.membersAdded : 0) + r.membersAdded,
    membersRemoved: (sameSet ? base.counts.membersRemoved : 0) + r.membersRemoved,
  };
  const complete = base.plannedSeq === null || r.seq >= base.plannedSeq;
  // A result past the planned range means the planner's record lags: this result starts its own set.
  const lagging = base.plannedSeq === null || r.seq > base.plannedSeq;
  const completed = !complete ? null : lagging ? { firstSeq: r.seq, lastSeq: r.seq, outcome } : { firstSeq: base.batchFirstSeq ?? r.seq, lastSeq: r.seq, outcome };
  const failure = failureOf(r);
  let repair = failure === null ? base.repair : noteFailure(base.repair, r.seq, failure, at);
  if (repair !== null && failure === null && repairedBy(repair, r, completed)) repair = null;
  // A hold is decided after every change set in flight was sent: their late results leave it held.
  const held = base.state === 'held';
  return {
    ...base,
    ...(lagging ? { batchFirstSeq: r.seq, plannedSeq: r.seq } : {}),
    repair,
    state: held ? 'held' : complete ? stateOf(outcome, base.intent, r.kind) : 'pending',
    reason: held ? base.reason : r.error !== null ? clip(r.error.message) : outcome === 'applied' ? null : base.reason,
    lastResultSeq: r.seq,
    outcome,
    ad: r.ad ?? base.ad,
    ...errors,
    error: r.error !== null ? { code: r.error.code, message: clip(r.error.message) } : sameSet ? base.error : null,
    counts,
    relayId: r.relayId,
    progress: base.progress !== null && r.seq < base.progress.seq ? base.progress : null,
    resultAt: r.at,
    updatedAt: at,
  };
}

const MAX_ATTEMPTS = 8;

/** Read, merge, conditional write; retried on a concurrent writer (planner and recordResults). */
export async function applyStatusUpdate(store: GroupStatusStore, update: StatusUpdate): Promise<{ status: GroupStatus; changed: boolean }> {
  const key = update.kind === 'result' ? update.result : update.kind === 'progress' ? update.message : update;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await store.read(key.tenantId, key.groupId);
    const merged = mergeStatus(current?.status ?? null, update);
    if (current !== null && merged === current.status) return { status: merged, changed: false };
    if (await store.write(merged, current?.etag ?? null)) return { status: merged, changed: true };
  }
  throw new Error(`group status ${key.groupId}: still conflicting after ${MAX_ATTEMPTS} attempts`);
}

