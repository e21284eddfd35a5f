// The admin API's side of the tenant settings: read them with the effective Microsoft 365 default, and change
// them, but a change that would remove written-back groups from AD (writeback off, v2 off, the default turned off)
// first says how many and which, and is made only once confirmed. "Would remove" is the policy over the planner's
// state: every group planned as written, decided with its last read cloud properties (writebackConfiguration as
// the last round that read the group saw it) under the settings before and after. Cost: one read of the planned
// groups' table partition and one Graph call (the tenant's Group.Unified setting); no per-group Graph reads. A
// cloud change not yet seen by a round is seen by the full round the change causes; its removals still pass the
// deletion guard (docs/planner.md, "Deletion guard").
import { normaliseId } from '../../domain/ids.js';
import { decideWriteback } from '../../domain/policy.js';
import { decisionsMayChange, effectiveSettings, type StoredTenantSettings } from '../../domain/settings.js';
import type { DirectoryReader } from '../../ports/directory.js';
import type { PlannerStore } from '../../state/planner-store.js';
import { storedTenantSettingsSchema, tenantSettingsPatchSchema } from '../../state/tenant-settings.js';
import type { TenantSettingsService } from './tenant-settings.js';

export interface SettingsAdminDeps {
  tenantId: string;
  store: Pick<PlannerStore, 'groups' | 'settings'>;
  directory: Pick<DirectoryReader, 'unifiedGroupWritebackDefault'>;
  service: TenantSettingsService;
}

export const MAX_LISTED_REMOVALS = 50;

export interface SettingsView {
  settings: StoredTenantSettings;
  effective: { newUnifiedGroupWritebackDefault: boolean };
}

export type SettingsChange =
  | { kind: 'invalid'; reason: string }
  /** Nothing changed: the change removes these groups from AD and needs confirmation. */
  | { kind: 'confirm'; wouldRemove: number; groups: { groupId: string; displayName: string | null }[] }
  | { kind: 'saved'; settings: StoredTenantSettings };

export async function readSettings(deps: SettingsAdminDeps): Promise<SettingsView> {
  const [settings, graphDefault] = await Promise.all([deps.service.load(deps.tenantId), deps.directory.unifiedGroupWritebackDefault()]);
  return { settings, effective: { newUnifiedGroupWritebackDefault: effectiveSettings(settings, graphDefault).newUnifiedGroupWritebackDefault } };
}

/** Written-back groups the policy writes under `before` and not under `after`, by display name. */
async function wouldRemove(deps: SettingsAdminDeps, before: StoredTenantSettings, after: StoredTenantSettings): Promise<{ groupId: string; displayName: string | null }[]> {
  const graphDefault = await deps.directory.unifiedGroupWritebackDefault();
  const [was, will] = [effectiveSettings(before, graphDefault), effectiveSettings(after, graphDefault)];
  const planned = await deps.store.groups.list(deps.tenantId);
  return planned
    .filter((g) => g.written && g.lifecycle !== 'hardDeleted' && g.cloud !== null && decideWriteback(g.cloud, was).write && !decideWriteback(g.cloud, will).write)
    .map((g) => ({ groupId: normaliseId(g.groupId), displayName: g.cloud!.displayName }))
    .sort((a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? '') || a.groupId.localeCompare(b.groupId));
}

/** Applies a partial change (`patch` as the caller sent it); one that removes groups waits for `confirm`. */
export async function changeSettings(deps: SettingsAdminDeps, patch: unknown, confirm: boolean): Promise<SettingsChange> {
  const parsed = tenantSettingsPatchSchema.safeParse(patch);
  if (!parsed.success) return { kind: 'invalid', reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
  const before = await deps.service.load(deps.tenantId);
  const after = storedTenantSettingsSchema.parse({ ...before, ...parsed.data });
  if (!confirm && decisionsMayChange(before, after)) {
    const removed = await wouldRemove(deps, before, after);
    if (removed.length > 0) return { kind: 'confirm', wouldRemove: removed.length, groups: removed.slice(0, MAX_LISTED_REMOVALS) };
  }
  return { kind: 'saved', settings: await deps.service.save(deps.tenantId, parsed.data) };
}
