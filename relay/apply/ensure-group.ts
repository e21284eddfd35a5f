// Brings the AD group for a header into the wanted state, idempotently: found by anchor (never by name);
// created in the writeback OU when missing; otherwise renamed (modifyDN) when the cn differs and moved
// into the OU when elsewhere -- both keep objectGUID and objectSid -- and differing attributes replaced.
import { Attribute, Change, ResultCodeError } from 'ldapts';
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';
import { attributeChanges, attributesForCreate, desiredAttributes } from './header-attributes.js';
import { RefusedError } from './refused-error.js';
import type { ApplyEnv } from './apply-result.js';
import { cnRdn, groupDn, parentDn, sameDn } from '../ldap/dn.js';
import { classifyLdapError } from '../ldap/errors.js';
import { findGroupByAnchor, type AdGroup } from './lookup.js';

export interface EnsuredGroup {
  /** Null only in staging mode, when the group does not exist yet. */
  group: AdGroup | null;
  created: boolean;
  renamed: boolean;
  /** Attribute names that were (or, in staging mode, would be) replaced. */
  changed: string[];
}

/** Turns "cannot write into the OU" failures into refusals that name the cause. */
async function refusalFor(env: ApplyEnv, error: unknown, doing: string): Promise<unknown> {
  if (!(error instanceof ResultCodeError)) return error;
  const info = classifyLdapError(error);
  if (info.kind === 'transient') return error;
  if (error.code === 50 || info.adCode === 0x5 || info.adCode === 0x2098) {
    return new RefusedError(
      'InsufficientAccessRights',
      `${doing}: the relay's account lacks rights on ${env.ctx.writebackOu} (${info.text}). ` +
        'Grant create/delete group objects and read/write all properties on the OU (docs/relay.md).',
    );
  }
  if (error.code === 32) {
    const ouExists = await env.directory
      .use((c) => c.search(env.ctx.writebackOu, { scope: 'base', attributes: ['1.1'] }), { retry: true })
      .then(
        () => true,
        (e: unknown) => (e instanceof ResultCodeError && e.code === 32 ? false : Promise.reject(e)),
      );
    if (!ouExists) return new RefusedError('WritebackOuMissing', `the writeback OU ${env.ctx.writebackOu} does not exist`);
  }
  if (error.code === 68) {
    return new RefusedError(
      'NameCollision',
      `${doing}: an object with this name already exists and does not carry the group's anchor (${info.text})`,
    );
  }
  return error;
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
