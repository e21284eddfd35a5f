// Builders for domain tests: cloud groups of each kind, settings, member identities.
import type { CloudGroup, MemberIdentity } from '../../../shared/domain/model.js';
import type { TenantSettings } from '../../../shared/domain/settings.js';

export const TENANT = '11111111-1111-4111-8111-111111111111';

export const settings = (over: Partial<TenantSettings> = {}): TenantSettings => ({
  writebackEnabled: true,
  groupWritebackV2: true,
  cnFormat: 'objectId',
  newUnifiedGroupWritebackDefault: true,
  deviceWriteback: false,
  exchangeSchema: false,
  deletionThreshold: 20,
  memberRemovalThreshold: 1000,
  safetyNetSeconds: 300,
  memberLimit: null,
  ...over,
});

/** A deterministic GUID from a number (distinct last 12 and last 14 hex digits). */
export const gid = (n: number, prefix = 'a'): string => `${prefix.padEnd(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const base = (id: string): CloudGroup => ({
  id,
  displayName: 'Group',
  description: null,
  groupTypes: [],
  mailEnabled: false,
  securityEnabled: true,
  mail: null,
  mailNickname: null,
  proxyAddresses: [],
  onPremisesSyncEnabled: null,
  writebackConfiguration: { isEnabled: null, onPremisesGroupType: null },
});

export const m365 = (id: string, over: Partial<CloudGroup> = {}): CloudGroup => ({
  ...base(id),
  groupTypes: ['Unified'],
  mailEnabled: true,
  securityEnabled: false,
  mail: 'team@contoso.com',
  mailNickname: 'team',
  proxyAddresses: ['smtp:team@contoso.onmicrosoft.com', 'SMTP:team@contoso.com'],
  ...over,
});
export const security = (id: string, over: Partial<CloudGroup> = {}): CloudGroup => ({ ...base(id), ...over });
export const mailSecurity = (id: string, over: Partial<CloudGroup> = {}): CloudGroup => ({
  ...base(id),
  mailEnabled: true,
  mail: 'sec@contoso.com',
  mailNickname: 'sec',
  ...over,
});
export const distribution = (id: string, over: Partial<CloudGroup> = {}): CloudGroup => ({
  ...base(id),
  mailEnabled: true,
  securityEnabled: false,
  mail: 'dl@contoso.com',
  mailNickname: 'dl',
  ...over,
});

export const wb = (isEnabled: boolean | null, onPremisesGroupType: CloudGroup['writebackConfiguration']['onPremisesGroupType'] = null) => ({
  writebackConfiguration: { isEnabled, onPremisesGroupType },
});

export const syncedUser = (id: string, rid: number): MemberIdentity => ({
  id,
  type: 'user',
  onPremisesSecurityIdentifier: `S-1-5-21-1004336348-1177238915-682003330-${rid}`,
  onPremisesSyncEnabled: true,
  deviceId: null,
});
export const cloudUser = (id: string): MemberIdentity => ({ id, type: 'user', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: null });
export const cloudGroupMember = (id: string): MemberIdentity => ({ id, type: 'group', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: null });
export const syncedGroupMember = (id: string, rid: number): MemberIdentity => ({ ...syncedUser(id, rid), type: 'group' });
export const device = (id: string): MemberIdentity => ({ id, type: 'device', onPremisesSecurityIdentifier: null, onPremisesSyncEnabled: null, deviceId: gid(99, 'dddd') });
