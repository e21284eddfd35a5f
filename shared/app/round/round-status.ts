// What the planner tells the group status table (shared/app/status/group-status.ts) after planning a group: a
// change set planned (state 'pending' until the relay's results arrive), a decision not to write, or, when
// nothing is sent, what changed in the members it does not send (a cloud-only member added or gone) or in
// the group's facts (name, kind, AD type, member count). Every update carries the group's facts.
import { MEMBER_SKIP_TEXT, type MemberSkipReason } from '../../domain/members.js';
import type { MemberError } from '../../contracts/result-message.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import type { PlanResult } from '../../domain/planner.js';
import { groupFactsOf } from '../status/group-facts.js';
import type { StatusUpdate } from '../status/group-status.js';

export function memberNotes(result: PlanResult): string[] {
  return Object.entries(result.status.skipped.counts).map(([reason, n]) => `${n} member(s) not written: ${MEMBER_SKIP_TEXT[reason as MemberSkipReason]}`);
}

/** The skipped members the planned state names, as member errors (code = the reason). */
export function skippedMemberErrors(result: PlanResult): MemberError[] {
  return result.status.skipped.sample.map((s) => ({ member: s.member, code: s.reason, message: MEMBER_SKIP_TEXT[s.reason] }));
}

function skippedTotal(counts: Partial<Record<MemberSkipReason, number>>): number {
  return Object.values(counts).reduce((a, n) => a + (n ?? 0), 0);
}

/** null: nothing worth recording (nothing sent, nothing decided differently). `rechecked`: the group was on the
 *  recheck list (its status says pending while it could not be found). */
export function statusUpdateOf(tenantId: string, previous: PlannedGroup | null, result: PlanResult, at: string, rechecked: boolean): StatusUpdate | null {
  const { status, messages } = result;
  const cloudOnlyMembers = skippedTotal(status.skipped.counts);
  const facts = groupFactsOf(result.next);
  if (messages.length > 0) {
    const last = messages[messages.length - 1]!;
    const intent = last.kind === 'delete' ? 'delete' : status.state === 'softDeleted' ? 'softDelete' : 'write';
    return {
      kind: 'planned',
      tenantId,
      groupId: status.groupId,
      firstSeq: messages[0]!.seq,
      lastSeq: last.seq,
      intent,
      fullState: messages.every((m) => m.kind !== 'upsert'),
      cloudOnlyMembers,
      memberErrors: skippedMemberErrors(result),
      notes: memberNotes(result),
      facts,
      at,
    };
  }
  if (rechecked) return { kind: 'settled', tenantId, groupId: status.groupId, state: status.state, reason: status.detail, facts, at };
  const decidedAgain = previous !== null && JSON.stringify(previous.decision) === JSON.stringify(result.next.decision);
  // Held back by the member limit: the decision stands, but the count in the reason may have moved.
  const limited = status.reason === 'memberLimitExceeded';
  if (status.state === 'skipped' && status.detail !== null && (!decidedAgain || limited)) {
    return { kind: 'decision', tenantId, groupId: status.groupId, state: 'skipped', reason: status.detail, cloudOnlyMembers: 0, notes: [], facts, at };
  }
  const seenBefore = previous === null ? null : { facts: groupFactsOf(previous), skipped: previous.skipped };
  if (seenBefore !== null && JSON.stringify(seenBefore) !== JSON.stringify({ facts, skipped: result.next.skipped })) {
    return {
      kind: 'observed',
      tenantId,
      groupId: status.groupId,
      state: status.state,
      reason: status.detail,
      cloudOnlyMembers,
      memberErrors: skippedMemberErrors(result),
      notes: memberNotes(result),
      facts,
      at,
    };
  }
  return null;
}
