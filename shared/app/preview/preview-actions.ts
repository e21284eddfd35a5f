// A planned change set in an admin's words: create / rename / update attributes / add and remove members /
// soft delete / delete, each with a one-line detail, relative to what the planner last planned for the group (what
// AD holds as far as the product knows). Members are listed by cloud id here; preview-view.ts names them.
// "move" (a group found outside the writeback OU) is the relay's finding: the cloud side does not know the OU.
import { sameRef } from '../../domain/members.js';
import type { MemberEntry } from '../../domain/members.js';
import type { GroupHeader, MemberRef, WritebackMessage } from '../../domain/model.js';
import type { PlannedGroup } from '../../domain/planned-state.js';
import type { PlanResult } from '../../domain/planner.js';

export type ActionKind = 'create' | 'rename' | 'move' | 'updateAttributes' | 'addMembers' | 'removeMembers' | 'delete' | 'softDelete' | 'none';

export interface ActionDraft {
  kind: ActionKind;
  detail: string;
  /** Every member the action adds or removes (cloud ids, sorted). */
  memberIds?: string[];
}

const DELETE_TEXT: Record<Extract<WritebackMessage, { kind: 'delete' }>['reason'], string> = {
  hardDeleted: 'the group was permanently deleted in the cloud',
  writebackDisabled: 'writeback is turned off for the group',
  tenantDisabled: 'group writeback is turned off for the tenant',
  outOfScope: 'the group left the writeback scope',
};

/** Whether `previous` says the group has an AD object with these member references. */
const inAd = (previous: PlannedGroup | null): previous is PlannedGroup => previous !== null && previous.written && previous.lifecycle !== 'hardDeleted';

function refsOf(entries: Iterable<MemberEntry>): Map<string, MemberRef> {
  const refs = new Map<string, MemberRef>();
  for (const e of entries) if (e.ref !== null) refs.set(e.cloudId, e.ref);
  return refs;
}

function headerChanges(before: GroupHeader, after: GroupHeader): ActionDraft[] {
  const out: ActionDraft[] = [];
  if (before.cn !== after.cn) out.push({ kind: 'rename', detail: `rename cn "${before.cn}" to "${after.cn}"` });
  const fields: string[] = [];
  if (before.displayName !== after.displayName) fields.push(`displayName "${before.displayName}" -> "${after.displayName}"`);
  if (before.description !== after.description) fields.push('description');
  if (before.adGroupType !== after.adGroupType) fields.push(`group type ${before.adGroupType} -> ${after.adGroupType}`);
  if (JSON.stringify(before.mail) !== JSON.stringify(after.mail)) fields.push('mail attributes');
  if (before.samAccountName !== after.samAccountName) fields.push('sAMAccountName');
  if (fields.length > 0) out.push({ kind: 'updateAttributes', detail: `update ${fields.join(', ')}` });
  return out;
}

function memberChanges(before: ReadonlyMap<string, MemberRef>, after: ReadonlyMap<string, MemberRef>): ActionDraft[] {
  const added = [...after].filter(([id, ref]) => !sameRef(before.get(id) ?? null, ref)).map(([id]) => id).sort();
  const removed = [...before.keys()].filter((id) => !after.has(id)).sort();
  const out: ActionDraft[] = [];
  if (added.length > 0) out.push({ kind: 'addMembers', detail: `add ${added.length} member(s)`, memberIds: added });
  if (removed.length > 0) out.push({ kind: 'removeMembers', detail: `remove ${removed.length} member(s)`, memberIds: removed });
  return out;
}

/** `previousMembers`: every stored member entry of the group (used when `previous` is written). */
export function actionsOf(previous: PlannedGroup | null, result: PlanResult, previousMembers: ReadonlyMap<string, MemberEntry>): ActionDraft[] {
  const { messages, next, status } = result;
  const last = messages[messages.length - 1];
  if (last?.kind === 'delete') return [{ kind: 'delete', detail: `delete the AD group: ${status.detail ?? DELETE_TEXT[last.reason]}` }];
  if (last === undefined) {
    const why = status.state === 'skipped' || status.state === 'deleted' ? `not written: ${status.detail ?? status.reason ?? 'nothing to write'}` : 'AD already holds the planned state';
    return [{ kind: 'none', detail: why }];
  }
  const before = inAd(previous) ? refsOf(previousMembers.values()) : new Map<string, MemberRef>();
  const after = result.members?.kind === 'replace' ? refsOf(result.members.entries.inIdOrder()) : before;
  const header = next.header!;
  const out: ActionDraft[] = [];
  if (!inAd(previous) || previous.header === null) out.push({ kind: 'create', detail: `create "${header.cn}" as ${header.adGroupType} (sAMAccountName ${header.samAccountName})` });
  else out.push(...headerChanges(previous.header, header));
  if (next.lifecycle === 'softDeleted') out.push({ kind: 'softDelete', detail: 'soft-deleted in the cloud: the AD group stays (same SID) without members until it is restored or purged' });
  out.push(...memberChanges(before, after));
  if (out.length === 0) out.push({ kind: 'none', detail: `AD already holds the planned state; a sync sends it whole again (${next.memberCount} member(s))` });
  return out;
}
