// Graph's wire shapes for groups (delta items and beta reads), validated with zod and turned into the
// domain's types. Tolerant where Graph varies: properties may be absent (delta may send only what changed)
// or null; unknown properties are ignored.
import { z } from 'zod';
import type { CloudGroupPatch, DeltaGroupItem, DeltaMemberChange } from '../../domain/delta-merge.js';
import { AD_GROUP_TYPES, type AdGroupType, type CloudGroup } from '../../domain/model.js';

/** Properties the delta round selects (docs/graph.md: delta query, group properties). */
export const DELTA_SELECT = [
  'displayName',
  'description',
  'groupTypes',
  'mailEnabled',
  'securityEnabled',
  'mail',
  'mailNickname',
  'proxyAddresses',
  'onPremisesSyncEnabled',
  'onPremisesSecurityIdentifier',
  'members',
].join(',');

/** The same properties read per group from beta, where writebackConfiguration exists. */
export const GROUP_READ_SELECT = ['id', ...DELTA_SELECT.split(',').filter((p) => p !== 'members'), 'writebackConfiguration'].join(',');

const removedSchema = z.union([z.looseObject({ reason: z.string().nullish() }), z.string()]);

const memberSchema = z.looseObject({
  id: z.string().min(1),
  '@odata.type': z.string().nullish(),
  '@removed': removedSchema.nullish(),
});

const adGroupType = z.string().nullish().transform((v): AdGroupType | null => (AD_GROUP_TYPES as readonly string[]).includes(v ?? '') ? (v as AdGroupType) : null);

const writebackSchema = z
  .looseObject({ isEnabled: z.boolean().nullish(), onPremisesGroupType: adGroupType })
  .transform((w) => ({ isEnabled: w.isEnabled ?? null, onPremisesGroupType: w.onPremisesGroupType }));

const groupPropsShape = {
  displayName: z.string().nullish(),
  description: z.string().nullish(),
  groupTypes: z.array(z.string()).nullish(),
  mailEnabled: z.boolean().nullish(),
  securityEnabled: z.boolean().nullish(),
  mail: z.string().nullish(),
  mailNickname: z.string().nullish(),
  proxyAddresses: z.array(z.string()).nullish(),
  onPremisesSyncEnabled: z.boolean().nullish(),
  deletedDateTime: z.string().nullish(),
  writebackConfiguration: writebackSchema.nullish(),
};

const deltaGroupSchema = z.looseObject({
  id: z.string().min(1),
  '@removed': removedSchema.nullish(),
  'members@delta': z.array(memberSchema).nullish(),
  ...groupPropsShape,
});

export const deltaPageSchema = z.looseObject({
  value: z.array(deltaGroupSchema),
  '@odata.nextLink': z.string().nullish(),
  '@odata.deltaLink': z.string().nullish(),
});
export type DeltaPage = z.infer<typeof deltaPageSchema>;

/** '#microsoft.graph.user' -> 'user'. */
export function odataTypeName(t: string | null | undefined): string | null {
  if (!t) return null;
  return t.replace(/^#?microsoft\.graph\./i, '');
}

function removedReason(r: z.infer<typeof removedSchema> | null | undefined): 'changed' | 'deleted' | null {
  if (r === null || r === undefined) return null;
  const reason = typeof r === 'string' ? r : (r.reason ?? '');
  // Graph documents 'changed' (soft delete) and 'deleted' (permanent). Anything else is read as the
  // cautious one: the AD object is kept (emptied) rather than deleted.
  return reason === 'deleted' ? 'deleted' : 'changed';
}

type GroupProps = { [K in keyof typeof groupPropsShape]?: z.infer<(typeof groupPropsShape)[K]> };

/** Only properties present in the JSON; nulls of lists and flags become their empty value. */
function patchOf(raw: Record<string, unknown>, p: GroupProps): CloudGroupPatch {
  const out: CloudGroupPatch = {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(raw, k);
  if (has('displayName')) out.displayName = p.displayName ?? null;
  if (has('description')) out.description = p.description ?? null;
  if (has('groupTypes')) out.groupTypes = p.groupTypes ?? [];
  if (has('mailEnabled')) out.mailEnabled = p.mailEnabled ?? false;
  if (has('securityEnabled')) out.securityEnabled = p.securityEnabled ?? false;
  if (has('mail')) out.mail = p.mail ?? null;
  if (has('mailNickname')) out.mailNickname = p.mailNickname ?? null;
  if (has('proxyAddresses')) out.proxyAddresses = p.proxyAddresses ?? [];
  if (has('onPremisesSyncEnabled')) out.onPremisesSyncEnabled = p.onPremisesSyncEnabled ?? null;
  if (has('deletedDateTime')) out.deletedDateTime = p.deletedDateTime ?? null;
  if (has('writebackConfiguration')) out.writebackConfiguration = p.writebackConfiguration ?? { isEnabled: null, onPremisesGroupType: null };
  return out;
}

export function deltaItemsOf(raw: unknown): { items: DeltaGroupItem[]; nextLink: string | null; deltaLink: string | null } {
  const page = deltaPageSchema.parse(raw);
  const rawValues = (raw as { value: Record<string, unknown>[] }).value;
  const items = page.value.map((g, i): DeltaGroupItem => {
    const members: DeltaMemberChange[] = (g['members@delta'] ?? []).map((m) => ({
      id: m.id,
      type: odataTypeName(m['@odata.type']),
      removed: m['@removed'] !== null && m['@removed'] !== undefined,
    }));
    return { id: g.id, props: patchOf(rawValues[i]!, g), removed: removedReason(g['@removed']), members };
  });
  return { items, nextLink: page['@odata.nextLink'] ?? null, deltaLink: page['@odata.deltaLink'] ?? null };
}

const groupReadSchema = z.looseObject({ id: z.string().min(1), ...groupPropsShape });

/** A beta group read with writebackConfiguration; null when an essential property is missing. */
export function cloudGroupOf(raw: unknown): CloudGroup | null {
  const g = groupReadSchema.parse(raw);
  if (g.writebackConfiguration === undefined || g.writebackConfiguration === null) return null;
  return {
    id: g.id,
    displayName: g.displayName ?? null,
    description: g.description ?? null,
    groupTypes: g.groupTypes ?? [],
    mailEnabled: g.mailEnabled ?? false,
    securityEnabled: g.securityEnabled ?? false,
    mail: g.mail ?? null,
    mailNickname: g.mailNickname ?? null,
    proxyAddresses: g.proxyAddresses ?? [],
    onPremisesSyncEnabled: g.onPremisesSyncEnabled ?? null,
    writebackConfiguration: g.writebackConfiguration,
  };
}
