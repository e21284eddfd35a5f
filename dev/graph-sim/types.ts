// The simulator's model of the directory: the few object kinds and properties group writeback reads.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ApiVersion = 'v1.0' | 'beta';
export type ObjectKind = 'user' | 'group' | 'device';

/** Graph's @odata.type per kind (lower-case namespace, as in delta and directoryObjects responses). */
export const ODATA_TYPE: Record<ObjectKind, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  device: '#microsoft.graph.device',
};

export interface WritebackConfiguration {
  isEnabled: boolean | null;
  onPremisesGroupType: 'universalDistributionGroup' | 'universalSecurityGroup' | 'universalMailEnabledSecurityGroup' | null;
}

export interface UserRecord {
  kind: 'user';
  id: string;
  props: JsonObject;
}

export interface GroupRecord {
  kind: 'group';
  id: string;
  props: JsonObject;
  /** Direct member ids in insertion order (the order Graph pages them in). */
  members: Set<string>;
  writebackConfiguration: WritebackConfiguration;
}

export interface DeviceRecord {
  kind: 'device';
  id: string;
  props: JsonObject;
}

export type DirectoryRecord = UserRecord | GroupRecord | DeviceRecord;

/** One entry of the change log that delta rounds and notifications are computed from. */
export type ChangeEntry =
  | { seq: number; at: number; type: 'group'; groupId: string; properties: string[] }
  | { seq: number; at: number; type: 'member'; groupId: string; memberId: string; memberKind: ObjectKind; op: 'add' | 'remove' }
  | { seq: number; at: number; type: 'groupRemoved'; groupId: string; reason: 'changed' | 'deleted' };
