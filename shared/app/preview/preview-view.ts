// POST /api/groups/{groupId}/preview's answer: the planned change set (group-preview.ts) as actions in an admin's
// words (preview-actions.ts), members named by display name and UPN (the first MAX_NAMED_MEMBERS of each action,
// read from Graph in one batch), and a one-line summary with the deletion guard's verdict.
import { normaliseId } from '../../domain/ids.js';
import type { MemberEntry } from '../../domain/members.js';
import type { MemberNameReader } from '../../ports/directory.js';
import { memberNotes } from '../round/round-status.js';
import type { GuardVerdict } from '../round/round-guard.js';
import type { GroupView } from '../round/round-groups.js';
import { actionsOf, type ActionKind } from './preview-actions.js';
import { planPreview, type PlannedPreview, type PreviewDeps } from './group-preview.js';

export const MAX_NAMED_MEMBERS = 100;

export interface PreviewMember {
  memberId: string;
  displayName: string | null;
  userPrincipalName: string | null;
}

export interface PreviewAction {
  kind: ActionKind;
  detail: string;
  /** The first MAX_NAMED_MEMBERS members the action adds or removes; `count` says how many in all. */
  members?: PreviewMember[];
  count?: number;
}

export interface GroupPreview {
  groupId: string;
  displayName: string | null;
  actions: PreviewAction[];
  summary: string;
}

export function guardText(verdict: GuardVerdict, groupId: string): string | null {
  switch (verdict.kind) {
    case 'release':
      return null;
    case 'hold':
      return `the deletion guard would hold it: ${verdict.reason}`;
    case 'held':
      return `held by the deletion guard since ${verdict.held.heldAt}: approve (POST /api/held/${groupId}/approve) or reject it (POST /api/held/${groupId}/reject)`;
    case 'rejected':
      return `rejected by ${verdict.held.rejectedBy ?? 'an admin'} at ${verdict.held.rejectedAt ?? '?'}: not sent until the cloud changes the group`;
  }
}

/** The answer for a planned preview; `previousMembers`: the group's stored member entries. */
export async function previewView(
  names: MemberNameReader,
  groupId: string,
  preview: Extract<PlannedPreview, { kind: 'planned' }>,
  previousMembers: ReadonlyMap<string, MemberEntry>,
): Promise<GroupPreview> {
  const { view, result, verdict } = preview;
  const drafts = actionsOf(view.previous, result, previousMembers);
  const shown = new Set(drafts.flatMap((d) => (d.memberIds ?? []).slice(0, MAX_NAMED_MEMBERS)));
  const named = shown.size > 0 ? await names.memberNames([...shown]) : new Map();
  const actions = drafts.map(({ memberIds, ...action }): PreviewAction => {
    if (memberIds === undefined) return action;
    const members = memberIds.slice(0, MAX_NAMED_MEMBERS).map((memberId) => {
      const name = named.get(memberId);
      return { memberId, displayName: name?.displayName ?? null, userPrincipalName: name?.userPrincipalName ?? null };
    });
    return { ...action, members, count: memberIds.length };
  });
  const summary = [...actions.map((a) => a.detail), ...memberNotes(result), guardText(verdict, groupId)].filter((s) => s !== null).join('; ');
  return { groupId, displayName: view.cloud?.displayName ?? view.previous?.cloud?.displayName ?? null, actions, summary };
}

/** The stored member entries a preview compares with: those of a group written with members. */
export async function previousMembersOf(deps: PreviewDeps, view: GroupView): Promise<Map<string, MemberEntry>> {
  const previous = view.previous;
  return previous?.written && previous.memberCount > 0 ? deps.store.members.load(deps.tenantId, view.id) : new Map<string, MemberEntry>();
}

/** The preview of one group; null when neither Graph nor the planner knows it. */
export async function previewGroup(deps: PreviewDeps & { names: MemberNameReader }, groupId: string): Promise<GroupPreview | null> {
  const id = normaliseId(groupId);
  const preview = await planPreview(deps, id);
  if (preview.kind === 'notFound') return null;
  if (preview.kind === 'unknown') {
    const displayName = preview.previous?.cloud?.displayName ?? null;
    return { groupId: id, displayName, actions: [{ kind: 'none', detail: preview.reason }], summary: preview.reason };
  }
  return previewView(deps.names, id, preview, await previousMembersOf(deps, preview.view));
}
