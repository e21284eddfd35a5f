// delete: remove the group this product wrote back -- found by its anchor, and only inside the writeback
// OU or a former one (ldap.previousWritebackOus: after an OU change, a group not moved yet); anything else
// is refused. Big groups lose their members in chunks first (one huge link removal strains the DC and
// replication). A group already gone counts as done; a delete older than the group's applied watermark
// (the group was written again since) is skipped, untouched (watermark.ts).
import type { WritebackMessage } from '../../shared/contracts/writeback-message.js';
import { isNoSuchObject, RefusedError } from '../ldap/errors.js';
import { sameId } from '../../shared/domain/ids.js';
import { groupAnchor } from '../../shared/domain/naming.js';
import type { ApplyEnv, ApplyResult } from './apply-result.js';
import { isWithin } from '../ldap/dn.js';
import { findGroupByAnchor } from './lookup.js';
import { readMembers } from '../ldap/ranged-members.js';
import { writeMembers } from './member-writer.js';
import { appliedAfter, staleResult } from './watermark.js';

type Delete = Extract<WritebackMessage, { kind: 'delete' }>;

export async function applyDelete(env: ApplyEnv, message: Delete): Promise<ApplyResult> {
  const done = (outcome: ApplyResult['outcome'], ad: ApplyResult['ad'], membersRemoved = 0): ApplyResult => ({
    outcome,
    ad,
    memberErrors: [],
    error: null,
    membersAdded: 0,
    membersRemoved,
  });
  // The anchor must be the group's own: never delete by a value another group (or anything else) carries.
  if (!sameId(message.anchor, groupAnchor(message.groupId))) {
    throw new RefusedError('AnchorMismatch', `delete anchor ${JSON.stringify(message.anchor)} is not Group_${message.groupId}`);
  }
  const group = await env.directory.use((c) => findGroupByAnchor(c, env.ctx, message.anchor), { retry: true });
  if (!group) {
    env.log.info({ anchor: message.anchor }, 'group to delete is already gone');
    return done(env.staging ? 'skipped' : 'applied', null);
  }
  const ad = { objectGUID: group.objectGUID, objectSid: group.objectSid, dn: group.dn };
  const appliedSeq = appliedAfter(group.watermark, message.seq);
  if (appliedSeq !== null) return staleResult(ad, message.seq, appliedSeq);
  if (![env.ctx.writebackOu, ...env.ctx.previousWritebackOus].some((ou) => isWithin(group.dn, ou))) {
    const previous = env.ctx.previousWritebackOus.length > 0 ? ` and the previous ones (${env.ctx.previousWritebackOus.join('; ')})` : '';
    throw new RefusedError(
      'OutsideWritebackOu',
      `the group carrying ${message.anchor} is ${group.dn}, outside the writeback OU ${env.ctx.writebackOu}${previous}: not deleted`,
    );
  }
  if (env.staging) return done('skipped', ad);

  let removed = 0;
  try {
    const members = await readMembers(env.directory, group.dn, env.memberReadPageSize);
    if (members.length > env.memberChunkSize) {
      const values = members.map((m) => ({ cloudId: m.guid, value: `<GUID=${m.guid}>` }));
      removed = (await writeMembers(env.directory, group.dn, 'delete', values, env.memberChunkSize)).written;
    }
    await env.directory.use((c) => c.del(group.dn));
  } catch (error) {
    if (isNoSuchObject(error)) return done('applied', ad, removed);
    throw error;
  }
  env.log.info({ dn: group.dn, reason: message.reason }, 'group deleted');
  return done('applied', ad, removed);
}
