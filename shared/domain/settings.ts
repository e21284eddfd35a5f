// Tenant settings the planner decides with. Most are the product's own (kept in the state store, written by
// the admin API or a scenario's setSettings); NewUnifiedGroupWritebackDefault is a Graph directory setting
// (Group.Unified template) that the product may override.

export type CnFormat = 'objectId' | 'displayName';

export interface TenantSettings {
  /** Tenant-wide switch. false: every group this product wrote is deleted (like disabling AADC writeback). */
  writebackEnabled: boolean;
  /** false = AD Connect's v1 behaviour: Microsoft 365 groups as universal distribution groups, nothing else. */
  groupWritebackV2: boolean;
  cnFormat: CnFormat;
  /** Effective default for Microsoft 365 groups whose writebackConfiguration.isEnabled is null, as it applies
   *  to groups first seen now (each group keeps the one it was first seen with: group-default.ts). */
  newUnifiedGroupWritebackDefault: boolean;
  /** Devices are present in AD (device writeback); device members are written only then. */
  deviceWriteback: boolean;
  /** AD schema prepared for Exchange: mail attributes are written only then. */
  exchangeSchema: boolean;
  /** Deletion guard (./deletion-guard.ts): group deletions released per window before the rest wait for an admin. */
  deletionThreshold: number;
  /** Deletion guard: member removals (soft-delete emptying included) released per window before the rest wait. */
  memberRemovalThreshold: number;
  /** Longest a change may go unnoticed when notifications are lost (the safety-net round's period). */
  safetyNetSeconds: number;
  /** Most members a group may have to be written; a group over it is left as it is in AD (null: no limit). */
  memberLimit: number | null;
}

/** The settings the product stores itself. newUnifiedGroupWritebackDefault null = follow Graph. */
export interface StoredTenantSettings {
  writebackEnabled: boolean;
  groupWritebackV2: boolean;
  cnFormat: CnFormat;
  newUnifiedGroupWritebackDefault: boolean | null;
  deviceWriteback: boolean;
  exchangeSchema: boolean;
  deletionThreshold: number;
  memberRemovalThreshold: number;
  /** The safety net's bound: a delta round runs when none started for this long, whether or not a
   *  notification came (shared/app/round/safety-net.ts). Decides nothing about groups: not in the fingerprint. */
  safetyNetSeconds: number;
  /** Groups with more members are not written (their AD group is left as it is) until they have fewer or the
   *  limit is raised; null: no limit. Part of the fingerprint: raising it writes the groups it held back. */
  memberLimit: number | null;
}

/** Defaults of the deletion guard, per GUARD_WINDOW_MS (24 h); why these numbers: docs/planner.md, "Deletion guard". */
export const DEFAULT_DELETION_THRESHOLD = 20;
export const DEFAULT_MEMBER_REMOVAL_THRESHOLD = 1000;

export const DEFAULT_STORED_SETTINGS: StoredTenantSettings = {
  writebackEnabled: true,
  groupWritebackV2: true,
  cnFormat: 'objectId',
  newUnifiedGroupWritebackDefault: null,
  deviceWriteback: false,
  exchangeSchema: false,
  deletionThreshold: DEFAULT_DELETION_THRESHOLD,
  memberRemovalThreshold: DEFAULT_MEMBER_REMOVAL_THRESHOLD,
  safetyNetSeconds: 300,
  memberLimit: null,
};

/**
 * The product's override wins over the Graph directory setting; with neither, Microsoft 365 groups are
 * written back by default (Graph's documented default for NewUnifiedGroupWritebackDefault is true).
 *
 * The result is the default for groups seen from now on: a group keeps the default that stood when the
 * product first saw it, so changing the setting never writes or deletes a group already seen (group-default.ts).
 */
export function effectiveSettings(stored: StoredTenantSettings, graphUnifiedDefault: boolean | null): TenantSettings {
  return {
    writebackEnabled: stored.writebackEnabled,
    groupWritebackV2: stored.groupWritebackV2,
    cnFormat: stored.cnFormat,
    newUnifiedGroupWritebackDefault: stored.newUnifiedGroupWritebackDefault ?? graphUnifiedDefault ?? true,
    deviceWriteback: stored.deviceWriteback,
    exchangeSchema: stored.exchangeSchema,
    deletionThreshold: stored.deletionThreshold,
    memberRemovalThreshold: stored.memberRemovalThreshold,
    safetyNetSeconds: stored.safetyNetSeconds,
    memberLimit: stored.memberLimit,
  };
}

/** Whether a change of the stored settings can change a decision or a header (then every group is evaluated
 *  again). The guard's thresholds and the safety-net period change no decision. */
export function decisionsMayChange(before: StoredTenantSettings, after: StoredTenantSettings): boolean {
  const decisive = ({ deletionThreshold: _d, memberRemovalThreshold: _m, safetyNetSeconds: _s, ...rest }: StoredTenantSettings) => JSON.stringify(rest);
  return decisive(before) !== decisive(after);
}

/** A stable string of everything that changes decisions or headers: when it differs from the one the last
 *  round used, every group must be re-evaluated (a full round), not just the groups in the delta. */
export function settingsFingerprint(s: TenantSettings): string {
  return [
    s.writebackEnabled ? 'on' : 'off',
    s.groupWritebackV2 ? 'v2' : 'v1',
    s.cnFormat,
    s.newUnifiedGroupWritebackDefault ? 'm365default-on' : 'm365default-off',
    s.deviceWriteback ? 'devices' : 'no-devices',
    s.exchangeSchema ? 'exchange' : 'no-exchange',
    // Only when set, so the fingerprints of tenants without a limit stay as they were (no needless full round).
    ...(s.memberLimit === null ? [] : [`member-limit-${s.memberLimit}`]),
  ].join('|');
}
