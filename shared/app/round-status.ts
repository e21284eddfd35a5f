// What the planner tells the group status table (shared/app/group-status.ts) after planning a group: a
// change set planned (state 'pending' until the relay's results arrive), or a decision not to write.
import { MEMBER_SKIP_TEXT, type MemberSkipReason } from '../domain/members.js';
import type { PlannedGroup } from '../domain/planned-state.js';
import type { PlanResult } from '../domain/planner.js';
import type { StatusUpdate } from './group-status.js';

/** Member lines kept in a status' notes (the counts cover all). */
export const STATUS_MEMBER_NOTES = 20;

function skippedTotal(counts: Partial<Record<MemberSkipReason, number>>): number {
  return Object.values(counts).reduce((a, n) => a + (n ?? 0), 0);
}

export function memberNotes(result: PlanResult): string[] {
  const { counts, sample } = result.status.skipped;
  const notes = Object.entries(counts).map(([reason, n]) => `${n} member(s) not written: ${MEMBER_SKIP_TEXT[reason as MemberSkipReason]}`);
  for (const s of sample.slice(0, STATUS_MEMBER_NOTES)) notes.push(`member ${s.member} not written: ${MEMBER_SKIP_TEXT[s.reason]}`);
  return notes;
}

/** null: nothing worth recording (nothing sent, nothing decided differently). */
export function statusUpdateOf(tenantId: string, previous: PlannedGroup | null, result: PlanResult, at: string): StatusUpdate | null {
  const { status, messages } = result;
  const cloudOnlyMembers = skippedTotal(status.skipped.counts);
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
      cloudOnlyMembers,
      notes: memberNotes(result),
      at,
    };
  }
  const decidedAgain = previous !== null && JSON.stringify(previous.decision) === JSON.stringify(result.next.decision);
  if (status.state === 'skipped' && status.detail !== null && !decidedAgain) {
    return { kind: 'decision', tenantId, groupId: status.groupId, state: 'skipped', reason: status.detail, cloudOnlyMembers: 0, notes: [], at };
  }
  return null;
}
