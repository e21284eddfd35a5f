// upsert: make the group match the header, then apply the message's bounded member additions and
// removals. Members that cannot be written are reported one by one; the others are written. A change set
// older than what the group already got is skipped, untouched (watermark.ts).
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { identityOf, memberOutcome, type ApplyEnv, type ApplyResult } from './apply-result.js';
import { ensureGroup } from './ensure-group.js';
import { writeMembers } from './member-writer.js';
import { resolveMembers } from './resolve-members.js';
import { staleResult } from './watermark.js';

type Upsert = Extract<WritebackMessage, { kind: 'upsert' }>;

export async function applyUpsert(env: ApplyEnv, message: Upsert): Promise<ApplyResult> {
  const ensured = await ensureGroup(env, message.header, message.seq);
  if ('appliedSeq' in ensured) return staleResult(identityOf(ensured.group), message.seq, ensured.appliedSeq);
  const { group } = ensured;
  const groupType = group?.groupType ?? message.header.groupType;
  const toAdd = await resolveMembers(env.directory, env.ctx, message.add, 'add', groupType);
  // Only existing objects can be removed; a group that does not exist yet (staging) has nothing to remove.
  const toRemove = group
    ? await resolveMembers(env.directory, env.ctx, message.remove, 'remove', groupType)
    : { members: [], errors: [] };
  const memberErrors = [...toAdd.errors, ...toRemove.errors];
  let membersAdded = toAdd.members.length;
  let membersRemoved = toRemove.members.length;
  if (!env.staging && group) {
    const added = await writeMembers(env.directory, group.dn, 'add', toAdd.members, env.memberChunkSize);
    const removed = await writeMembers(env.directory, group.dn, 'delete', toRemove.members, env.memberChunkSize);
    membersAdded = added.written;
    membersRemoved = removed.written;
    memberErrors.push(...added.errors, ...removed.errors);
  }
  return {
    outcome: memberOutcome(env.staging, memberErrors),
    ad: group ? identityOf(group) : null,
    memberErrors,
    error: null,
    membersAdded,
    membersRemoved,
  };
}
