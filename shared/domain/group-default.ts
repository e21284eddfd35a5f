// NewUnifiedGroupWritebackDefault decides for a Microsoft 365 group whose writebackConfiguration.isEnabled is
// null, but only as it stood when the group was new: Microsoft documents it as the default for newly created
// groups, and changing it does not change existing ones (docs/ad-connect.md). Graph shows null either way, so
// the product remembers, per group, the default in force when it first saw the group, and decides with that.
import type { PlannedGroup } from './planned-state.js';
import type { TenantSettings } from './settings.js';

/** The default a group keeps: the one remembered in its planned state, or the current one for a group seen first now. */
export function groupDefaultOf(previous: Pick<PlannedGroup, 'newGroupDefault' | 'decision'> | null, settings: TenantSettings): boolean {
  if (previous === null) return settings.newUnifiedGroupWritebackDefault;
  if (previous.newGroupDefault !== undefined) return previous.newGroupDefault;
  // Planned before the default was remembered: keep what the product did with the group then.
  if (previous.decision?.write === true) return true;
  if (previous.decision?.write === false && previous.decision.reason === 'tenantDefaultOff') return false;
  return settings.newUnifiedGroupWritebackDefault;
}

/** The settings to decide one group with: the tenant's, with the default the group keeps. */
export function settingsForGroup(settings: TenantSettings, previous: Pick<PlannedGroup, 'newGroupDefault' | 'decision'> | null): TenantSettings {
  const keeps = groupDefaultOf(previous, settings);
  return keeps === settings.newUnifiedGroupWritebackDefault ? settings : { ...settings, newUnifiedGroupWritebackDefault: keeps };
}
