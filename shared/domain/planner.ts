// The planner: from the last planned state of a group and its current cloud view to the change set that
// brings AD there, plus the next planned state. Pure and deterministic: the same input (with the same seq
// floor) gives the same messages with the same seqs, and replanning an input that was already applied
// produces nothing. Seqs never go back, even when the planned state is lost (see seqFloorAt).
import { MESSAGE_BODY_BUDGET_BYTES } from './limits.js';
import { resolveMember, sameEntry, type MemberEntry, type NestedGroupWritten } from './members.js';
import { updateSkipped } from './skipped-members.js';
import type { MemberIdentityList } from './member-list.js';
import type { CloudGroup, GroupLifecycle, MemberIdentity, MemberRef, WritebackMessage } from './model.js';
import { desiredHeader, sameHeader } from './header.js';
import { memberLimitText, membersAfterChanges, overMemberLimit } from './member-limit.js';
import { settingsForGroup } from './group-default.js';
import { groupAnchor } from './naming.js';
import { emptySkipped, memberEntryList, type MemberEntryChanges, type PlannedDecision, type PlannedGroup, type SkippedMembers } from './planned-state.js';
import { decideWriteback, SKIP_REASON_TEXT, type SkipReason, type WritebackDecision } from './policy.js';
import type { TenantSettings } from './settings.js';
import { PlannedMembers } from './planned-members.js';
import { refsOf, splitSnapshot, splitUpserts } from './split.js';

/** delta: apply what changed; full: resync after a lost delta token; reconcile: drift repair. full and
 *  reconcile both send every written group's complete desired state as a snapshot. */
export type PlanMode = 'delta' | 'full' | 'reconcile';

export type Membership =
  /** Ids that are members now (added, or to be resolved again) and ids that are no longer members.
   *  `resend`: nested groups whose AD group landed after this group referenced them (./nested-creation.ts):
   *  their stored reference is added again, since the relay may have found no group for it then. */
  | { kind: 'changes'; added: readonly string[]; removed: readonly string[]; resend?: readonly string[] }
  /** The complete current member list, with each member's identity (`identities` is not read for it). */
  | { kind: 'complete'; members: MemberIdentityList }
  | { kind: 'none' };

export interface PlanInput {
  tenantId: string;
  groupId: string;
  mode: PlanMode;
  previous: PlannedGroup | null;
  /** Stored member entries of the previous plan: at least those of every id in `membership`. */
  previousMembers: ReadonlyMap<string, MemberEntry>;
  lifecycle: GroupLifecycle;
  /** Current cloud properties; null when unknown (deleted): the previous ones are used. */
  cloud: CloudGroup | null;
  membership: Membership;
  /** Identities of the members in `changes` (looked up). */
  identities: ReadonlyMap<string, MemberIdentity>;
  nestedWritten: NestedGroupWritten;
  settings: TenantSettings;
  /** The round's seqFloorAt(now): no new message gets a lower seq. */
  seqFloor: number;
  /** Crash recovery: messages up to this seq may have been sent while the state was not saved. New messages
   *  start after it, and the group's whole state is sent again (snapshot, or delete: the relay treats a
   *  delete of a missing group as done). */
  repairAfterSeq?: number;
  budgetBytes?: number;
}

export type GroupPlanState = 'written' | 'softDeleted' | 'skipped' | 'deleted';

export interface GroupPlanStatus {
  groupId: string;
  state: GroupPlanState;
  reason: SkipReason | 'hardDeleted' | 'memberLimitExceeded' | null;
  detail: string | null;
  memberCount: number;
  skipped: SkippedMembers;
  seq: number;
}

export interface PlanResult {
  messages: WritebackMessage[];
  next: PlannedGroup;
  /** null: the stored member entries stay as they are. */
  members: MemberEntryChanges | null;
  status: GroupPlanStatus;
}

export class PlanInputError extends Error {
  constructor(readonly groupId: string, message: string) {
    super(`group ${groupId}: ${message}`);
    this.name = 'PlanInputError';
  }
}

/** What member information the planner needs for a group, so the caller reads only that:
 *  complete = the full member list (and identities of all members); changes = delta member changes and the
 *  stored entries of those ids; none = no member information. */
export function membershipNeed(
  previous: PlannedGroup | null,
  lifecycle: GroupLifecycle,
  decision: WritebackDecision | null,
  mode: PlanMode,
  repair = false,
): 'complete' | 'changes' | 'none' {
  if (lifecycle !== 'present' || decision === null || !decision.write) return 'none';
  // A group held back by the member limit missed member changes: only its complete list tells where it stands.
  if (mode !== 'delta' || repair || previous?.overMemberLimit !== undefined) return 'complete';
  return previous?.written === true && previous.lifecycle === 'present' ? 'changes' : 'complete';
}

/** The decision the planner will take for a group (exposed so a round can tell nested groups' fate and
 *  what to read before planning). `previous`: the group's planned state (the tenant default it keeps). */
export function decisionFor(
  cloud: CloudGroup | null,
  lifecycle: GroupLifecycle,
  settings: TenantSettings,
  previous: PlannedGroup | null,
): WritebackDecision | null {
  if (lifecycle === 'hardDeleted' || cloud === null) return null;
  return decideWriteback(cloud, settingsForGroup(settings, previous));
}

/**
 * The lowest seq a round planned at `epochMs` may use: the time in microseconds (about 1.8e15 today, far
 * inside Number.MAX_SAFE_INTEGER until the year 2255). Every new seq is at least this and above the group's
 * last one, so seqs grow with time: a planner whose state was lost or restored from a backup still plans
 * above every seq it ever sent, its messageIds (`groupId:seq`) never meet old ones in duplicate detection,
 * and the relay does not take them for stale.
 */
export function seqFloorAt(epochMs: number): number {
  return Math.floor(epochMs) * 1000;
}

export function plan(input: PlanInput): PlanResult {
  const { previous: prev, groupId, tenantId, settings, lifecycle } = input;
  const budget = input.budgetBytes ?? MESSAGE_BODY_BUDGET_BYTES;
  const repair = input.repairAfterSeq !== undefined;
  const startSeq = Math.max(prev?.seq ?? 0, input.repairAfterSeq ?? 0);
  const firstSeq = Math.max(startSeq + 1, input.seqFloor);
  // After a possible lost save we cannot know whether AD holds the group: assume it may.
  const wasWritten = (prev?.written ?? false) || repair;
  const hadEntries = prev !== null && (prev.memberCount > 0 || Object.keys(prev.skipped.counts).length > 0);
  const clearEntries: MemberEntryChanges | null = hadEntries ? { kind: 'replace', entries: memberEntryList([]) } : null;
  const cloud = input.cloud ?? prev?.cloud ?? null;
  const anchor = groupAnchor(groupId);
  // NewUnifiedGroupWritebackDefault applies as it stood when the group was first seen (group-default.ts).
  const groupSettings = settingsForGroup(settings, prev);

  const finish = (
    messages: WritebackMessage[],
    state: Omit<PlannedGroup, 'groupId' | 'seq' | 'lifecycle' | 'cloud'>,
    members: MemberEntryChanges | null,
    status: Pick<GroupPlanStatus, 'state' | 'reason'> & { detail?: string },
  ): PlanResult => {
    const seq = messages.length > 0 ? messages[messages.length - 1]!.seq : startSeq;
    const next: PlannedGroup = { groupId, seq, lifecycle, cloud, ...state, newGroupDefault: groupSettings.newUnifiedGroupWritebackDefault };
    const reason = status.reason === 'memberLimitExceeded' ? null : status.reason; // its detail names the count
    const detail = status.detail ?? (reason === null ? null : reason === 'hardDeleted' ? 'permanently deleted in the cloud' : SKIP_REASON_TEXT[reason]);
    return {
      messages,
      next,
      members,
      status: { groupId, state: status.state, reason: status.reason, detail, memberCount: next.memberCount, skipped: next.skipped, seq },
    };
  };
  const notWritten = (decision: PlannedDecision | null) => ({ decision, written: false, header: null, memberCount: 0, skipped: emptySkipped() });
  const deleteMessage = (reason: 'hardDeleted' | 'writebackDisabled' | 'tenantDisabled' | 'outOfScope'): WritebackMessage[] =>
    wasWritten ? [{ v: 1, tenantId, groupId, seq: firstSeq, kind: 'delete', anchor, reason }] : [];

  // Over the member limit: nothing sent, entries kept, AD stays as it is; the next plan reads the complete list.
  const heldBack = (members: number, planned: PlannedDecision): PlanResult => {
    const { written, header, memberCount, skipped } = prev ?? notWritten(planned);
    const state = { decision: planned, written, header, memberCount, skipped, overMemberLimit: members };
    return finish([], state, null, { state: 'skipped', reason: 'memberLimitExceeded', detail: memberLimitText(members, settings.memberLimit ?? 0) });
  };

  if (lifecycle === 'hardDeleted') {
    return finish(deleteMessage('hardDeleted'), notWritten({ write: false, reason: 'hardDeleted' }), clearEntries, {
      state: 'deleted',
      reason: 'hardDeleted',
    });
  }

  if (cloud === null) {
    // Soft-deleted before this product ever saw it: nothing exists in AD and nothing is known to decide with.
    if (lifecycle === 'softDeleted') return finish([], notWritten(null), clearEntries, { state: 'softDeleted', reason: null });
    throw new PlanInputError(groupId, 'the cloud properties of a present group are required');
  }

  const decision = decideWriteback(cloud, groupSettings);
  if (!decision.write) {
    return finish(deleteMessage(decision.deleteReason), notWritten({ write: false, reason: decision.reason }), clearEntries, {
      state: 'skipped',
      reason: decision.reason,
    });
  }

  const header = desiredHeader(cloud, decision.adGroupType, settings);
  const planned = { write: true as const, adGroupType: decision.adGroupType };
  const env = { tenantId, groupId, header };

  if (lifecycle === 'softDeleted') {
    // The AD object (and its SID) stays, without members, until the group is restored or purged. A group
    // never written is not created for a deleted cloud group.
    if (!wasWritten) return finish([], notWritten(planned), clearEntries, { state: 'softDeleted', reason: null });
    const resend = repair || input.mode !== 'delta' || prev?.lifecycle !== 'softDeleted' || !sameHeader(prev.header, header);
    const messages = resend ? splitSnapshot(env, firstSeq, refsOf([]), budget) : [];
    return finish(messages, { decision: planned, written: true, header, memberCount: 0, skipped: emptySkipped() }, clearEntries, {
      state: 'softDeleted',
      reason: null,
    });
  }

  const resolve = (id: string): MemberEntry => resolveMember(id, input.identities.get(id), input.nestedWritten, settings);
  const need = membershipNeed(prev, lifecycle, decision, input.mode, repair);

  if (need === 'complete' || input.membership.kind === 'complete') {
    if (input.membership.kind !== 'complete') {
      throw new PlanInputError(groupId, 'the complete member list is required (new, restored or re-enabled group, or a resync)');
    }
    const members = PlannedMembers.plan(input.membership.members, input.nestedWritten, settings);
    if (overMemberLimit(members.size, settings)) return heldBack(members.size, planned);
    return finish(
      splitSnapshot(env, firstSeq, members, budget),
      { decision: planned, written: true, header, memberCount: members.length, skipped: members.skipped },
      { kind: 'replace', entries: members },
      { state: 'written', reason: null },
    );
  }

  // An active written group: send what changed.
  const remove: MemberRef[] = [];
  const add: MemberRef[] = [];
  const upsert: MemberEntry[] = [];
  const removeIds: string[] = [];
  const gone: MemberEntry[] = [];
  let memberCount = prev!.memberCount;
  if (input.membership.kind === 'changes') {
    const total = membersAfterChanges(prev!, input.membership, input.previousMembers);
    if (overMemberLimit(total, settings)) return heldBack(total, planned);
    for (const id of new Set(input.membership.removed)) {
      const old = input.previousMembers.get(id);
      if (!old) continue;
      if (old.ref) {
        remove.push(old.ref);
        memberCount--;
      }
      gone.push(old);
      removeIds.push(id);
    }
    for (const id of new Set(input.membership.added)) {
      const entry = resolve(id);
      const old = input.previousMembers.get(id);
      if (sameEntry(old, entry)) continue;
      if (old) gone.push(old);
      if (old?.ref) {
        remove.push(old.ref);
        memberCount--;
      }
      if (entry.ref) {
        add.push(entry.ref);
        memberCount++;
      }
      upsert.push(entry);
    }
    add.push(...resendRefs(input.membership, input.previousMembers));
  }
  const headerChanged = !sameHeader(prev!.header, header);
  const messages = headerChanged || remove.length > 0 || add.length > 0 ? splitUpserts(env, firstSeq, remove, add, budget) : [];
  const memberChanges: MemberEntryChanges | null = upsert.length > 0 || removeIds.length > 0 ? { kind: 'patch', upsert, remove: removeIds } : null;
  return finish(
    messages,
    { decision: planned, written: true, header, memberCount, skipped: updateSkipped(prev!.skipped, gone, upsert) },
    memberChanges,
    { state: 'written', reason: null },
  );
}

/** The stored references of nested groups to send again (an idempotent add), unless this change set
 *  already adds or removes them. */
function resendRefs(m: Extract<Membership, { kind: 'changes' }>, previousMembers: ReadonlyMap<string, MemberEntry>): MemberRef[] {
  const touched = new Set([...m.added, ...m.removed]);
  const refs: MemberRef[] = [];
  for (const id of new Set(m.resend ?? [])) {
    const ref = touched.has(id) ? null : (previousMembers.get(id)?.ref ?? null);
    if (ref?.kind === 'group') refs.push(ref);
  }
  return refs;
}
