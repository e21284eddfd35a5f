// snapshot: the complete member list, in parts. The consumer holds every part until the last one has
// arrived and hands them over together: the group is made to match the header, the current members are
// read (ranged), and the difference is written -- missing members added, members in no part removed
// (drift repair, including members added by hand; an empty snapshot removes everyone).
// An incomplete snapshot (a part never arrived) only adds: without the whole list nothing may be removed.
// The snapshot counts as its last part's seq: older than the group's applied watermark, every part is
// skipped untouched; otherwise the watermark moves to it with the header (watermark.ts).
import type { MemberError } from '../../shared/contracts/result-message.js';
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { memberDrift, type CurrentMember } from './member-identity.js';
import { identityOf, memberOutcome, type ApplyEnv, type ApplyResult } from './apply-result.js';
import { ensureGroup } from './ensure-group.js';
import { writeMembers } from './member-writer.js';
import { readMembers } from '../ldap/ranged-members.js';
import { resolveMembers } from './resolve-members.js';
import { staleResult } from './watermark.js';

export type SnapshotPart = Extract<WritebackMessage, { kind: 'snapshot' }>;

export interface SnapshotApplyResult {
  /** One per part, in the order given. */
  results: ApplyResult[];
}

/**
 * Applies `parts` (sorted by part number). `complete: false` when parts are missing: members are added,
 * nothing is removed, and every part reports 'SnapshotIncomplete'.
 */
export async function applySnapshot(
  env: ApplyEnv,
  parts: readonly SnapshotPart[],
  complete: boolean,
): Promise<SnapshotApplyResult> {
  const last = parts[parts.length - 1];
  if (!last) return { results: [] };
  const seq = Math.max(...parts.map((p) => p.seq));
  const ensured = await ensureGroup(env, last.header, seq);
  if ('appliedSeq' in ensured) return { results: parts.map(() => staleResult(identityOf(ensured.group), seq, ensured.appliedSeq)) };
  const { group } = ensured;
  const groupType = group?.groupType ?? last.header.groupType;

  // Which part each member came from, so errors and counts land in that part's result.
  const partOf = new Map<string, number>();
  parts.forEach((p, i) => p.members.forEach((m) => partOf.has(m.cloudId) || partOf.set(m.cloudId, i)));
  const refs = parts.flatMap((p) => p.members);
  const resolved = await resolveMembers(env.directory, env.ctx, refs, 'add', groupType);
  const current: CurrentMember[] = group ? await readMembers(env.directory, group.dn, env.memberReadPageSize) : [];
  const drift = memberDrift(current, resolved.members);
  const toRemove = complete ? drift.toRemove : [];

  const errors: MemberError[] = [...resolved.errors];
  let added = drift.toAdd.map((m) => m.cloudId);
  let removed = toRemove.length;
  if (!env.staging && group) {
    const adds = await writeMembers(env.directory, group.dn, 'add', drift.toAdd, env.memberChunkSize);
    const failed = new Set(adds.errors.map((e) => e.member));
    added = added.filter((id) => !failed.has(id));
    const removes = await writeMembers(
      env.directory,
      group.dn,
      'delete',
      toRemove.map((m) => ({ cloudId: m.sid ?? m.guid, value: `<GUID=${m.guid}>` })),
      env.memberChunkSize,
    );
    removed = removes.written;
    errors.push(...adds.errors, ...removes.errors);
  }
  if (toRemove.length > 0 || drift.toAdd.length > 0) {
    env.log.info(
      { dn: group?.dn ?? null, add: drift.toAdd.length, remove: toRemove.length, complete, staging: env.staging },
      'snapshot drift',
    );
  }

  const missing = complete ? [] : missingParts(parts);
  const results = parts.map((_, i): ApplyResult => {
    // Errors about AD objects that are not in any part (failed removals) go to the last part.
    const partErrors = errors.filter((e) => (partOf.get(e.member) ?? parts.length - 1) === i);
    const isLast = i === parts.length - 1;
    return {
      outcome: complete ? memberOutcome(env.staging, partErrors) : env.staging ? 'skipped' : 'partial',
      ad: group ? identityOf(group) : null,
      memberErrors: partErrors,
      error: complete
        ? null
        : {
            code: 'SnapshotIncomplete',
            message: `snapshot ${last.snapshotId}: part(s) ${missing.join(', ')} of ${last.parts} never arrived; members were added, none removed`,
          },
      membersAdded: added.filter((id) => partOf.get(id) === i).length,
      membersRemoved: isLast ? removed : 0,
    };
  });
  return { results };
}

function missingParts(parts: readonly SnapshotPart[]): number[] {
  const have = new Set(parts.map((p) => p.part));
  const total = parts[0]?.parts ?? 0;
  const missing: number[] = [];
  for (let p = 1; p <= total; p += 1) if (!have.has(p)) missing.push(p);
  return missing;
}
