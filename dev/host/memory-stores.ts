// In-memory state stores with the same contract as the table-backed ones (conditional writes by etag), for
// unit tests and a local host started without Azurite.
import type { GroupStatus, GroupStatusStore } from '../../shared/app/group-status.js';
import type { SubscriptionRecord, SubscriptionRecordStore } from '../../shared/app/subscription-keeper.js';

export class MemorySubscriptionStore implements SubscriptionRecordStore {
  readonly records = new Map<string, SubscriptionRecord>();

  async load(tenantId: string): Promise<SubscriptionRecord | null> {
    const r = this.records.get(tenantId);
    return r === undefined ? null : structuredClone(r);
  }

  async save(tenantId: string, record: SubscriptionRecord): Promise<void> {
    this.records.set(tenantId, structuredClone(record));
  }
}

export class MemoryGroupStatusStore implements GroupStatusStore {
  private readonly rows = new Map<string, { status: GroupStatus; etag: string }>();
  private version = 0;

  async read(tenantId: string, groupId: string): Promise<{ status: GroupStatus; etag: string } | null> {
    const row = this.rows.get(`${tenantId}/${groupId}`);
    return row === undefined ? null : { status: structuredClone(row.status), etag: row.etag };
  }

  async write(status: GroupStatus, etag: string | null): Promise<boolean> {
    const key = `${status.tenantId}/${status.groupId}`;
    const row = this.rows.get(key);
    if ((row?.etag ?? null) !== etag) return false;
    this.rows.set(key, { status: structuredClone(status), etag: `W/"${++this.version}"` });
    return true;
  }

  async list(tenantId?: string): Promise<GroupStatus[]> {
    return [...this.rows.values()].map((r) => structuredClone(r.status)).filter((s) => tenantId === undefined || s.tenantId === tenantId);
  }
}
