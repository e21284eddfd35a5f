// The product's tenant settings as the admin API, the CLI and a scenario's setSettings change them. A change
// asks for a full round (resync poke): every group is evaluated again under the new settings (a rename for
// a cnFormat change, deletes for groups leaving scope...). The round would notice the change by itself (the
// settings fingerprint saved with the delta token), but only when something else triggers it. A change of
// settings no plan depends on (the safety net's bound) queues nothing.
import type { StoredTenantSettings } from '../../domain/settings.js';
import type { QueueSender } from '../../ports/queue.js';
import type { TenantSettingsPatch, TenantSettingsRepository } from '../../state/tenant-settings.js';
import { sendPoke } from '../intake/pokes.js';

export interface TenantSettingsService {
  load(tenantId: string): Promise<StoredTenantSettings>;
  /** Applies a partial change; returns the settings now in force. */
  save(tenantId: string, patch: TenantSettingsPatch): Promise<StoredTenantSettings>;
}

/** Settings no group's plan depends on. */
const NOT_PLANNED: ReadonlySet<string> = new Set<keyof StoredTenantSettings>(['safetyNetSeconds']);

function plannedPart(settings: StoredTenantSettings): string {
  return JSON.stringify(Object.entries(settings).filter(([key]) => !NOT_PLANNED.has(key)));
}

export function tenantSettingsService(repo: TenantSettingsRepository, changes: () => QueueSender, now: () => Date): TenantSettingsService {
  return {
    load: (tenantId) => repo.load(tenantId),
    async save(tenantId, patch) {
      const before = await repo.load(tenantId);
      const after = await repo.update(tenantId, patch);
      if (plannedPart(before) !== plannedPart(after)) await sendPoke(changes(), tenantId, 'resync', now());
      return after;
    },
  };
}
