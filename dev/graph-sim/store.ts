// The directory: users, groups, devices, deleted items and tenant settings, plus the change log that
// delta rounds and change notifications are computed from. Every mutation goes through here.
import { badRequest, GraphError, notFound } from './errors.js';
import { cloudSid } from './ids.js';
import type { SimClock } from './clock.js';
import type {
  ChangeEntry,
  DeviceRecord,
  DirectoryRecord,
  GroupRecord,
  Json,
  JsonObject,
  ObjectKind,
  UserRecord,
  WritebackConfiguration,
} from './types.js';

/** What a group change means for subscribers: Graph's changeType. */
export interface GroupEvent {
  groupId: string;
  changeType: 'updated' | 'deleted';
  at: Date;
}

export interface StoreOptions {
  /** Real Entra permanently deletes security and distribution groups; only Microsoft 365 groups go to deleted items. */
  softDeleteSecurityGroups?: boolean;
}

export const GROUP_UNIFIED_TEMPLATE_ID = '62375ab9-6b52-47ed-826b-58e47e0e304b';

export class DirectoryStore {
  readonly users = new Map<string, UserRecord>();
  /** Lower-case userPrincipalName -> user id, so a million users are created without a scan each. An entry may
   *  be stale (user deleted or renamed): findUser checks it against the user. */
  private readonly upnIndex = new Map<string, string>();
  readonly groups = new Map<string, GroupRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  /** Soft-deleted objects (directory/deletedItems), with the memberships to restore. */
  readonly deleted = new Map<string, { record: UserRecord | GroupRecord; memberOf: string[] }>();
  /** Tenant directory settings (Group.Unified) as name -> value strings; null until one is created. */
  unifiedGroupSettings: { id: string; values: Map<string, string> } | null = null;
  readonly log: ChangeEntry[] = [];
  private seq = 0;
  private readonly listeners: ((e: GroupEvent) => void)[] = [];

  constructor(
    private readonly clock: SimClock,
    private readonly options: StoreOptions = {},
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  onGroupEvent(listener: (e: GroupEvent) => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    this.users.clear();
    this.upnIndex.clear();
    this.groups.clear();
    this.devices.clear();
    this.deleted.clear();
    this.unifiedGroupSettings = null;
    this.log.length = 0;
    // seq keeps counting so tokens issued before a reset can never match a later state by accident.
  }

  find(id: string): DirectoryRecord | undefined {
    return this.users.get(id) ?? this.groups.get(id) ?? this.devices.get(id);
  }

  findUser(idOrUpn: string): UserRecord | undefined {
    const byId = this.users.get(idOrUpn);
    if (byId) return byId;
    const upn = idOrUpn.toLowerCase();
    const u = this.users.get(this.upnIndex.get(upn) ?? '');
    return u !== undefined && String(u.props['userPrincipalName']).toLowerCase() === upn ? u : undefined;
  }

  private indexUpn(u: UserRecord): void {
    const upn = u.props['userPrincipalName'];
    if (typeof upn === 'string' && upn !== '') this.upnIndex.set(upn.toLowerCase(), u.id);
  }

  group(id: string): GroupRecord {
    const g = this.groups.get(id);
    if (!g) throw notFound(id);
    return g;
  }

  // ---- users and devices ----

  addUser(id: string, props: JsonObject): UserRecord {
    this.assertNewId(id);
    const upn = String(props['userPrincipalName'] ?? '');
    if (upn && this.findUser(upn)) {
      throw badRequest('Another object with the same value for property userPrincipalName already exists.');
    }
    const rec: UserRecord = { kind: 'user', id, props: { securityIdentifier: cloudSid(id), createdDateTime: this.clock.now().toISOString(), deletedDateTime: null, ...props, id } };
    this.users.set(id, rec);
    this.indexUpn(rec);
    return rec;
  }

  updateUser(id: string, patch: JsonObject): void {
    const u = this.users.get(id);
    if (!u) throw notFound(id);
    Object.assign(u.props, patch, { id });
    this.indexUpn(u);
  }

  addDevice(id: string, props: JsonObject): DeviceRecord {
    this.assertNewId(id);
    const rec: DeviceRecord = { kind: 'device', id, props: { createdDateTime: this.clock.now().toISOString(), deletedDateTime: null, ...props, id } };
    this.devices.set(id, rec);
    return rec;
  }

  /** Users go to deleted items; their memberships are removed (delta reports them) and come back on restore. */
  deleteUser(id: string): void {
    const u = this.users.get(id);
    if (!u) throw notFound(id);
    const memberOf = this.removeFromAllGroups(id, 'user');
    this.users.delete(id);
    u.props['deletedDateTime'] = this.clock.now().toISOString();
    this.deleted.set(id, { record: u, memberOf });
  }

  deleteDevice(id: string): void {
    if (!this.devices.has(id)) throw notFound(id);
    this.removeFromAllGroups(id, 'device');
    this.devices.delete(id);
  }

  // ---- groups ----

  addGroup(id: string, props: JsonObject, writeback: Partial<WritebackConfiguration> = {}, members: string[] = []): GroupRecord {
    this.assertNewId(id);
    const now = this.clock.now().toISOString();
    const rec: GroupRecord = {
      kind: 'group',
      id,
      props: { securityIdentifier: cloudSid(id), createdDateTime: now, renewedDateTime: now, deletedDateTime: null, ...props, id },
      members: new Set(),
      writebackConfiguration: { isEnabled: writeback.isEnabled ?? null, onPremisesGroupType: writeback.onPremisesGroupType ?? null },
    };
    this.groups.set(id, rec);
    this.record({ type: 'group', groupId: id, properties: Object.keys(rec.props) });
    for (const m of members) this.addMember(id, m, { quiet: true });
    this.emit(id, 'updated');
    return rec;
  }

  updateGroup(id: string, patch: JsonObject, writeback?: Partial<WritebackConfiguration>): string[] {
    const g = this.group(id);
    const changed: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'id') continue;
      if (JSON.stringify(g.props[k] ?? null) !== JSON.stringify(v)) {
        g.props[k] = v;
        changed.push(k);
      }
    }
    if (writeback) {
      const next = { ...g.writebackConfiguration, ...writeback };
      if (JSON.stringify(next) !== JSON.stringify(g.writebackConfiguration)) {
        g.writebackConfiguration = next;
        changed.push('writebackConfiguration');
      }
    }
    if (changed.length > 0) {
      this.record({ type: 'group', groupId: id, properties: changed });
      this.emit(id, 'updated');
    }
    return changed;
  }

  addMember(groupId: string, memberId: string, opts: { quiet?: boolean } = {}): void {
    const g = this.group(groupId);
    const member = this.find(memberId);
    if (!member) throw notFound(memberId);
    if (member.id === groupId) throw badRequest('A group cannot be a member of itself.');
    if (isUnified(g) && member.kind !== 'user') {
      throw badRequest('Microsoft 365 groups accept users only as members.');
    }
    if (g.members.has(memberId)) {
      throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
    }
    g.members.add(memberId);
    this.record({ type: 'member', groupId, memberId, memberKind: member.kind, op: 'add' });
    if (!opts.quiet) this.emit(groupId, 'updated');
  }

  removeMember(groupId: string, memberId: string): void {
    const g = this.group(groupId);
    if (!g.members.has(memberId)) throw notFound(memberId);
    g.members.delete(memberId);
    this.record({ type: 'member', groupId, memberId, memberKind: this.find(memberId)?.kind ?? this.deletedKind(memberId), op: 'remove' });
    this.emit(groupId, 'updated');
  }

  /** DELETE /groups/{id}: soft for Microsoft 365 groups (and security groups when configured), permanent otherwise. */
  deleteGroup(id: string): 'soft' | 'permanent' {
    const g = this.group(id);
    const soft = isUnified(g) || this.options.softDeleteSecurityGroups === true;
    const memberOf = this.removeFromAllGroups(id, 'group');
    this.groups.delete(id);
    if (soft) {
      g.props['deletedDateTime'] = this.clock.now().toISOString();
      this.deleted.set(id, { record: g, memberOf });
      this.record({ type: 'groupRemoved', groupId: id, reason: 'changed' });
      this.emit(id, 'updated');
      return 'soft';
    }
    this.record({ type: 'groupRemoved', groupId: id, reason: 'deleted' });
    this.emit(id, 'deleted');
    return 'permanent';
  }

  /** DELETE /directory/deletedItems/{id}. */
  purge(id: string): void {
    const item = this.deleted.get(id);
    if (!item) throw notFound(id);
    this.deleted.delete(id);
    if (item.record.kind === 'group') {
      this.record({ type: 'groupRemoved', groupId: id, reason: 'deleted' });
      this.emit(id, 'deleted');
    }
  }

  /** POST /directory/deletedItems/{id}/restore: the object and its memberships come back. */
  restore(id: string): UserRecord | GroupRecord {
    const item = this.deleted.get(id);
    if (!item) throw notFound(id);
    this.deleted.delete(id);
    const rec = item.record;
    rec.props['deletedDateTime'] = null;
    if (rec.kind === 'group') {
      this.groups.set(id, rec);
      this.record({ type: 'group', groupId: id, properties: Object.keys(rec.props) });
      for (const m of rec.members) {
        const kind = this.find(m)?.kind;
        if (kind) this.record({ type: 'member', groupId: id, memberId: m, memberKind: kind, op: 'add' });
        else rec.members.delete(m);
      }
      this.emit(id, 'updated');
    } else {
      this.users.set(id, rec);
      this.indexUpn(rec);
    }
    for (const gid of item.memberOf) {
      const g = this.groups.get(gid);
      if (g && !g.members.has(id)) {
        g.members.add(id);
        this.record({ type: 'member', groupId: gid, memberId: id, memberKind: rec.kind, op: 'add' });
        this.emit(gid, 'updated');
      }
    }
    return rec;
  }

  // ---- tenant settings ----

  setUnifiedGroupSetting(id: string, name: string, value: string): void {
    if (!this.unifiedGroupSettings) this.unifiedGroupSettings = { id, values: new Map() };
    this.unifiedGroupSettings.values.set(name, value);
  }

  // ---- internals ----

  private removeFromAllGroups(memberId: string, kind: ObjectKind): string[] {
    const memberOf: string[] = [];
    for (const g of this.groups.values()) {
      if (g.members.delete(memberId)) {
        memberOf.push(g.id);
        this.record({ type: 'member', groupId: g.id, memberId, memberKind: kind, op: 'remove' });
        this.emit(g.id, 'updated');
      }
    }
    return memberOf;
  }

  private deletedKind(id: string): ObjectKind {
    return this.deleted.get(id)?.record.kind ?? 'user';
  }

  private assertNewId(id: string): void {
    if (this.find(id) || this.deleted.has(id)) {
      throw new GraphError(400, 'Request_BadRequest', `An object with id '${id}' already exists.`);
    }
  }

  private record(entry: DistributiveOmit<ChangeEntry, 'seq' | 'at'>): void {
    this.seq += 1;
    this.log.push({ ...entry, seq: this.seq, at: this.clock.nowMs() } as ChangeEntry);
  }

  private emit(groupId: string, changeType: GroupEvent['changeType']): void {
    const e: GroupEvent = { groupId, changeType, at: this.clock.now() };
    for (const l of this.listeners) l(e);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function isUnified(g: GroupRecord): boolean {
  const types = g.props['groupTypes'];
  return Array.isArray(types) && types.includes('Unified');
}

export function asStringArray(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
