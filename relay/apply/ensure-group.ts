// Brings the AD group for a header into the wanted state, idempotently: found by anchor (never by name);
// created in the writeback OU when missing; otherwise renamed (modifyDN) when the cn differs and moved
// into the OU when elsewhere -- both keep objectGUID and objectSid -- and differing attributes replaced.
import { Attribute, Change } from 'ldapts';
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';
import { attributeChanges, attributesForCreate, desiredAttributes } from './header-attributes.js';
import type { ApplyEnv } from './apply-result.js';
import { cnRdn, groupDn, parentDn, sameDn } from '../ldap/dn.js';
import { isNoSuchObject, writeRefusal } from '../ldap/errors.js';
import { findGroupByAnchor, type AdGroup } from './lookup.js';

export interface EnsuredGroup {
  /** Null only in staging mode, when the group does not exist yet. */
  group: AdGroup | null;
  created: boolean;
  renamed: boolean;
  /** Attribute names that were (or, in staging mode, would be) replaced. */
  changed: string[];
}

/** Whether the writeback OU exists (asked when a write failed because an object is missing). */
function writebackOuExists(env: ApplyEnv): Promise<boolean> {
  return env.directory
    .use((c) => c.search(env.ctx.writebackOu, { scope: 'base', attributes: ['1.1'] }), { retry: true })
    .then(
      () => true,
      (e: unknown) => (isNoSuchObject(e) ? false : Promise.reject(e)),
    );
}

/** The refusal a failed write into the OU stands for (no rights, OU missing, name taken), else the failure. */
async function refusalFor(env: ApplyEnv, error: unknown, doing: string): Promise<unknown> {
  const refusal = await writeRefusal(error, { doing, writebackOu: env.ctx.writebackOu, ouExists: () => writebackOuExists(env) });
  return refusal ?? error;
}

export async function ensureGroup(env: ApplyEnv, header: GroupHeader): Promise<EnsuredGroup> {
  const { directory, ctx } = env;
  const desired = desiredAttributes(header, ctx.optionalAttributes);
  const found = await directory.use((c) => findGroupByAnchor(c, ctx, header.anchor), { retry: true });

  if (!found) {
    if (env.staging) return { group: null, created: true, renamed: false, changed: [...desired.keys()] };
    const dn = groupDn(header.cn, ctx.writebackOu);
    try {
      await directory.use((c) => c.add(dn, attributesForCreate(desired, header.cn)));
    } catch (error) {
      throw await refusalFor(env, error, `creating ${dn}`);
    }
    const created = await directory.use((c) => findGroupByAnchor(c, ctx, header.anchor), { retry: true });
    if (!created) throw new Error(`group ${dn} was created but cannot be found by its anchor ${header.anchor}`);
    env.log.info({ dn, objectGUID: created.objectGUID }, 'group created');
    return { group: created, created: true, renamed: false, changed: [] };
  }

  let group = found;
  let renamed = false;
  const inOu = sameDn(parentDn(found.dn), ctx.writebackOu);
  if (found.cn !== header.cn || !inOu) {
    const newDn = groupDn(header.cn, ctx.writebackOu);
    if (!env.staging) {
      try {
        await directory.use((c) => c.modifyDN(found.dn, newDn));
      } catch (error) {
        throw await refusalFor(env, error, `renaming ${found.dn} to ${cnRdn(header.cn)}`);
      }
      env.log.info({ from: found.dn, to: newDn }, inOu ? 'group renamed' : 'group moved into the writeback OU');
      group = { ...found, dn: newDn, cn: header.cn };
    }
    renamed = true;
  }

  const changes = attributeChanges(desired, found.attributes);
  if (changes.length > 0 && !env.staging) {
    try {
      await directory.use((c) =>
        c.modify(
          group.dn,
          changes.map((ch) => new Change({ operation: 'replace', modification: new Attribute({ type: ch.type, values: ch.values }) })),
        ),
      );
    } catch (error) {
      throw await refusalFor(env, error, `updating ${group.dn}`);
    }
    env.log.info({ dn: group.dn, attributes: changes.map((c) => c.type) }, 'group attributes updated');
    const groupType = changes.find((c) => c.type === 'groupType')?.values[0];
    group = { ...group, ...(groupType === undefined ? {} : { groupType: Number(groupType) }) };
  }
  return { group, created: false, renamed, changed: changes.map((c) => c.type) };
}
