// Tenant directory settings: the Group.Unified setting object (NewUnifiedGroupWritebackDefault), served as
// /groupSettings (v1.0 name) and /settings (beta name) on both versions.
import { z } from 'zod';
import { badRequest, notFound } from '../errors.js';
import type { GraphRouter } from '../graph-router.js';
import { json, noContent, type SimRequest } from '../http-types.js';
import { newId } from '../ids.js';
import { NEEDS } from '../permissions.js';
import { GROUP_UNIFIED_TEMPLATE_ID } from '../store.js';
import type { SimContext } from '../context.js';
import type { JsonObject } from '../types.js';

/** Template defaults of Group.Unified (values are strings, as in Graph). */
export const GROUP_UNIFIED_DEFAULTS: Record<string, string> = {
  EnableMIPLabels: 'false',
  CustomBlockedWordsList: '',
  EnableMSStandardBlockedWords: 'false',
  ClassificationDescriptions: '',
  DefaultClassification: '',
  PrefixSuffixNamingRequirement: '',
  AllowGuestsToBeGroupOwner: 'false',
  AllowGuestsToAccessGroups: 'true',
  GuestUsageGuidelinesUrl: '',
  GroupCreationAllowedGroupId: '',
  AllowToAddGuests: 'true',
  UsageGuidelinesUrl: '',
  ClassificationList: '',
  EnableGroupCreation: 'true',
  NewUnifiedGroupWritebackDefault: 'true',
};

const valuesSchema = z.array(z.object({ name: z.string(), value: z.string() }));
const createSchema = z.object({ templateId: z.string(), values: valuesSchema.optional(), displayName: z.string().optional() });
const patchSchema = z.object({ values: valuesSchema });

function settingJson(ctx: SimContext): JsonObject | null {
  const s = ctx.store.unifiedGroupSettings;
  if (!s) return null;
  return {
    id: s.id,
    displayName: 'Group.Unified',
    templateId: GROUP_UNIFIED_TEMPLATE_ID,
    values: Object.keys(GROUP_UNIFIED_DEFAULTS).map((name) => ({ name, value: s.values.get(name) ?? GROUP_UNIFIED_DEFAULTS[name] ?? '' })),
  };
}

export function ensureUnifiedSetting(ctx: SimContext): string {
  if (!ctx.store.unifiedGroupSettings) ctx.store.unifiedGroupSettings = { id: newId(), values: new Map() };
  return ctx.store.unifiedGroupSettings.id;
}

export function settingsRoutes(router: GraphRouter, ctx: SimContext): void {
  for (const set of ['groupSettings', 'settings']) {
    const context = (req: SimRequest) => `${ctx.baseUrl()}/${req.version}/$metadata#${set}`;
    router
      .add('GET', `/${set}`, NEEDS.groupSettingsRead, (req) => {
        const s = settingJson(ctx);
        return json(200, { '@odata.context': context(req), value: s ? [s] : [] });
      })
      .add('GET', `/${set}/:id`, NEEDS.groupSettingsRead, (req, p) => {
        const s = settingJson(ctx);
        if (!s || s['id'] !== p['id']) throw notFound(p['id'] ?? '');
        return json(200, { '@odata.context': `${context(req)}/$entity`, ...s });
      })
      .add('POST', `/${set}`, NEEDS.groupSettingsWrite, (req) => {
        const parsed = createSchema.safeParse(req.body);
        if (!parsed.success) throw badRequest('Invalid directory setting.');
        if (parsed.data.templateId !== GROUP_UNIFIED_TEMPLATE_ID) throw badRequest(`Template '${parsed.data.templateId}' is not supported by the simulator.`);
        if (ctx.store.unifiedGroupSettings) throw badRequest('A conflicting object with one or more of the specified property values is present in the directory.');
        const id = ensureUnifiedSetting(ctx);
        for (const v of parsed.data.values ?? []) ctx.store.setUnifiedGroupSetting(id, v.name, v.value);
        return json(201, { '@odata.context': `${context(req)}/$entity`, ...(settingJson(ctx) ?? {}) });
      })
      .add('PATCH', `/${set}/:id`, NEEDS.groupSettingsWrite, (req, p) => {
        const s = ctx.store.unifiedGroupSettings;
        if (!s || s.id !== p['id']) throw notFound(p['id'] ?? '');
        const parsed = patchSchema.safeParse(req.body);
        if (!parsed.success) throw badRequest('Invalid directory setting values.');
        for (const v of parsed.data.values) {
          if (!(v.name in GROUP_UNIFIED_DEFAULTS)) throw badRequest(`Unknown setting '${v.name}'.`);
          s.values.set(v.name, v.value);
        }
        return noContent();
      });
  }
}
