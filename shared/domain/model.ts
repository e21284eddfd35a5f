// The domain's vocabulary. These types mirror the wire contracts in shared/contracts (which may import the
// domain, never the reverse); test/unit/domain/contract-compat.test.ts keeps both identical.

export type AdGroupType = 'universalDistributionGroup' | 'universalSecurityGroup' | 'universalMailEnabledSecurityGroup';

export const AD_GROUP_TYPES: readonly AdGroupType[] = [
  'universalDistributionGroup',
  'universalSecurityGroup',
  'universalMailEnabledSecurityGroup',
];

/** How the relay finds a member in AD without a name. Cloud-only members are never sent. A `sid` ref says
 *  whether the member is a user or a group (the relay checks nesting rules only for groups; absent: unknown). */
export type MemberRef =
  | { kind: 'sid'; cloudId: string; sid: string; objectType?: 'user' | 'group' }
  | { kind: 'group'; cloudId: string; anchor: string }
  | { kind: 'device'; cloudId: string; deviceId: string };

/** The attributes the product manages on the AD group object. */
export interface GroupHeader {
  anchor: string;
  cn: string;
  samAccountName: string;
  displayName: string;
  description: string | null;
  adGroupType: AdGroupType;
  groupType: number;
  mail: { mail: string | null; mailNickname: string | null; proxyAddresses: string[] } | null;
}

export type DeleteReason = 'hardDeleted' | 'writebackDisabled' | 'tenantDisabled' | 'outOfScope';

interface MessageBase {
  v: 1;
  tenantId: string;
  groupId: string;
  seq: number;
}

export interface UpsertMessage extends MessageBase {
  kind: 'upsert';
  header: GroupHeader;
  add: MemberRef[];
  remove: MemberRef[];
}

export interface DeleteMessage extends MessageBase {
  kind: 'delete';
  anchor: string;
  reason: DeleteReason;
}

export interface SnapshotMessage extends MessageBase {
  kind: 'snapshot';
  header: GroupHeader;
  snapshotId: string;
  part: number;
  parts: number;
  members: MemberRef[];
}

export type WritebackMessage = UpsertMessage | DeleteMessage | SnapshotMessage;

/** The writeback setting of a cloud group (Graph beta `writebackConfiguration`). */
export interface WritebackConfiguration {
  isEnabled: boolean | null;
  onPremisesGroupType: AdGroupType | null;
}

/** The cloud group properties writeback depends on (docs/graph.md, group properties). */
export interface CloudGroup {
  id: string;
  displayName: string | null;
  description: string | null;
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  mail: string | null;
  mailNickname: string | null;
  proxyAddresses: string[];
  /** true: synced from AD; false: no longer synced; null: never synced. */
  onPremisesSyncEnabled: boolean | null;
  writebackConfiguration: WritebackConfiguration;
}

/** present; softDeleted (in deleted items, restorable); hardDeleted (gone for good). */
export type GroupLifecycle = 'present' | 'softDeleted' | 'hardDeleted';

/** What Graph tells about a member object (read from /users, /groups or /devices by id). */
export interface MemberIdentity {
  id: string;
  type: 'user' | 'group' | 'device' | 'other';
  onPremisesSecurityIdentifier: string | null;
  onPremisesSyncEnabled: boolean | null;
  deviceId: string | null;
}
