// The product's tenant settings as the admin API, the CLI and a scenario's setSettings change them. A change
// asks for a full round (resync poke): every group is evaluated again under the new settings (a rename for
// a cnFormat change, deletes for groups leaving scope...). The round would notice the change by itself (the
// settings fingerprint saved with the delta token), but only when something else triggers it. The deletion
// guard's thresholds and the safety-net period decide nothing about a group: changing them asks for no round.
// Deletes a change causes pass the deletion guard like any other (docs/planner.md, "Deletion guard").
import { decisionsMayChange, type StoredTenantSettings } from '../../domain/settings.js';
import type { QueueSender } from '../../ports/queue.js';
import type { TenantSettingsPatch, TenantSettingsRepository } from '../../state/tenant-settings.js';
import { sendPoke } from '../intake/pokes.js';

export interface TenantSettingsService {
  load(tenantId: string): Promise<StoredTenantSettings>;
  /** Applies a partial change; returns the settings now in force. */
  save(tenantId: string, patch: TenantSettingsPatch): Promise<StoredTenantSettings>;
}


export function tenantSettingsService(repo: TenantSettingsRepository, changes: () => QueueSender, now: () => Date): TenantSettingsService {
  return {
    load: (tenantId) => repo.load(tenantId),
    async save(tenantId, patch) {
      const before = await repo.load(tenantId);
      const after = await repo.update(tenantId, patch);
      if (decisionsMayChange(before, after)) await sendPoke(changes(), tenantId, 'resync', now());
      return after;
    },
  };
}
