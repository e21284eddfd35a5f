// Brings the AD group for a header into the wanted state, idempotently: found by anchor (never by name);
// created in the writeback OU when missing; otherwise differing attributes replaced (sAMAccountName only on
// create, so a group AD Connect wrote keeps its own: header-attributes.ts), then renamed
// (modifyDN) when the cn differs and moved into the OU when elsewhere -- both keep objectGUID and objectSid.
// A change set older than the group's applied watermark (watermark.ts) changes nothing; otherwise the
// watermark moves to its seq in the same write as the header (the add, or the attribute modify).
import { Attribute, Change } from 'ldapts';
import type { GroupHeader } from '../../shared/contracts/writeback-message.js';
import { attributeChanges, attributesForCreate, desiredAttributes } from './header-attributes.js';
import type { ApplyEnv } from './apply-result.js';
import { cnRdn, groupDn, parentDn, sameDn } from '../ldap/dn.js';
import { isNoSuchObject, isWatermarkConflict, writeRefusal } from '../ldap/errors.js';
import { findGroupByAnchor, type AdGroup } from './lookup.js';
import { appliedAfter, watermarkChanges, watermarkValue, WATERMARK_ATTRIBUTE } from './watermark.js';

export interface EnsuredGroup {
  /** Null only in staging mode, when the group does not exist yet. */
  group: AdGroup | null;
  created: boolean;
  renamed: boolean;
  /** Attribute names that were (or, in staging mode, would be) replaced. */
  changed: string[];
}

/** The change set is older than what the group already got: nothing was written. */
export interface StaleGroup {
  group: AdGroup;
  appliedSeq: number;
}

/** Another relay moved the watermark between our read and our write: read again. */
const WATERMARK_ATTEMPTS = 3;

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
async function refusalFor(env: ApplyEnv, error: unknown, doing: string, rightsOn?: string): Promise<unknown> {
  const write = { doing, writebackOu: env.ctx.writebackOu, ouExists: () => writebackOuExists(env), ...(rightsOn === undefined ? {} : { rightsOn }) };
  const refusal = await writeRefusal(error, write);
  return refusal ?? error;
}

function find(env: ApplyEnv, anchor: string): Promise<AdGroup | null> {
  return env.directory.use((c) => findGroupByAnchor(c, env.ctx, anchor), { retry: true });
}

/** `seq` is the change set's (for a snapshot: its last part's). */
export async function ensureGroup(env: ApplyEnv, header: GroupHeader, seq: number): Promise<EnsuredGroup | StaleGroup> {
  const desired = desiredAttributes(header, env.ctx.optionalAttributes);
  for (let attempt = 1; ; attempt += 1) {
    const found = await find(env, header.anchor);
    if (!found) return create(env, header, desired, seq);
    const appliedSeq = appliedAfter(found.watermark, seq);
    if (appliedSeq !== null) return { group: found, appliedSeq };
    const updated = await update(env, header, desired, found, seq, attempt < WATERMARK_ATTEMPTS);
    if (updated !== 'watermark moved') return updated;
  }
}

async function create(env: ApplyEnv, header: GroupHeader, desired: Map<string, string[]>, seq: number): Promise<EnsuredGroup> {
  if (env.staging) return { group: null, created: true, renamed: false, changed: [...desired.keys()] };
  const dn = groupDn(header.cn, env.ctx.writebackOu);
  try {
    await env.directory.use((c) => c.add(dn, { ...attributesForCreate(desired, header.cn), [WATERMARK_ATTRIBUTE]: [watermarkValue(seq)] }));
  } catch (error) {
    throw await refusalFor(env, error, `creating ${dn}`);
  }
  const created = await find(env, header.anchor);
  if (!created) throw new Error(`group ${dn} was created but cannot be found by its anchor ${header.anchor}`);
  env.log.info({ dn, objectGUID: created.objectGUID }, 'group created');
  return { group: created, created: true, renamed: false, changed: [] };
}

async function update(
  env: ApplyEnv,
  header: GroupHeader,
  desired: Map<string, string[]>,
  found: AdGroup,
  seq: number,
  mayReadAgain: boolean,
): Promise<EnsuredGroup | 'watermark moved'> {
  let group = found;
  const inOu = sameDn(parentDn(found.dn), env.ctx.writebackOu);
  const renamed = found.cn !== header.cn || !inOu;
  const move = async (): Promise<void> => {
    const newDn = groupDn(header.cn, env.ctx.writebackOu);
    try {
      await env.directory.use((c) => c.modifyDN(group.dn, newDn));
    } catch (error) {
      // A move out of another OU also needs rights there (delete the group, write its name).
      throw inOu
        ? await refusalFor(env, error, `renaming ${group.dn} to ${cnRdn(header.cn)}`)
        : await refusalFor(env, error, `moving ${group.dn} into the writeback OU`, `${parentDn(group.dn)} (where the group is) or ${env.ctx.writebackOu}`);
    }
    env.log.info({ from: group.dn, to: newDn }, inOu ? 'group renamed' : 'group moved into the writeback OU');
    group = { ...group, dn: newDn, cn: header.cn };
  };
  // A group found elsewhere moves in first (the relay's write rights are on the OU); a rename inside the
  // OU comes after the guarded modify, so a change set that lost the race renames nothing.
  if (!inOu && !env.staging) await move();

  const changes = attributeChanges(desired, found.attributes);
  const guard = watermarkChanges(found.watermark, seq);
  if (env.staging && (renamed || changes.length > 0)) {
    // The preview of a swing migration (docs/migration.md): what this group would become, before anything is written.
    const to = renamed ? groupDn(header.cn, env.ctx.writebackOu) : found.dn;
    env.log.info({ dn: found.dn, to, attributes: changes.map((c) => c.type), adopted: found.watermark.raw === null }, 'group would change (staging)');
  }
  if (changes.length + guard.length > 0 && !env.staging) {
    const replace = changes.map((ch) => new Change({ operation: 'replace', modification: new Attribute({ type: ch.type, values: ch.values }) }));
    try {
      await env.directory.use((c) => c.modify(group.dn, [...replace, ...guard]));
    } catch (error) {
      // Nothing of the modify was written; another relay may have applied a newer change set meanwhile.
      if (mayReadAgain && isWatermarkConflict(error) && (await find(env, header.anchor))?.watermark.raw !== found.watermark.raw) {
        return 'watermark moved';
      }
      throw await refusalFor(env, error, `updating ${group.dn}`);
    }
    if (changes.length > 0) env.log.info({ dn: group.dn, attributes: changes.map((c) => c.type) }, 'group attributes updated');
    const groupType = changes.find((c) => c.type === 'groupType')?.values[0];
    group = { ...group, ...(groupType === undefined ? {} : { groupType: Number(groupType) }) };
  }

  if (inOu && renamed && !env.staging) await move();
  return { group, created: false, renamed, changed: changes.map((c) => c.type) };
}
