// Group status rows on the TableStore port: table `groupStatus`, PartitionKey = tenant id, RowKey = group id.
// The status is one JSON document (member errors in their own property: each string property holds 32 K
// characters); `state` and `updatedAt` are columns too, so filters and the portal's table view can use them.
import { TABLES } from './tables.js';
import { ConflictError, where, PARTITION_KEY, type StoredEntity, type TableStore } from '../ports/table-store.js';
import { groupStatusSchema, type GroupStatus, type GroupStatusStore } from './group-status-record.js';


function toProperties(status: GroupStatus): Record<string, string> {
  const { memberErrors, ...doc } = status;
  return { state: status.state, updatedAt: status.updatedAt, doc: JSON.stringify(doc), memberErrors: JSON.stringify(memberErrors) };
}

function fromEntity(e: StoredEntity): GroupStatus {
  const doc = e.properties['doc'];
  const errors = e.properties['memberErrors'];
  if (typeof doc !== 'string' || typeof errors !== 'string') throw new Error(`group status ${e.rowKey}: row without a status document`);
  return groupStatusSchema.parse({ ...(JSON.parse(doc) as object), memberErrors: JSON.parse(errors) as unknown });
}

export function tableGroupStatusStore(tables: TableStore): GroupStatusStore {
  const table = (): ReturnType<TableStore['table']> => tables.table(TABLES.groupStatus);
  return {
    async read(tenantId, groupId) {
      const row = await table().get(tenantId, groupId);
      return row === null ? null : { status: fromEntity(row), etag: row.etag };
    },
    async write(status, etag) {
      const entity = { partitionKey: status.tenantId, rowKey: status.groupId, properties: toProperties(status) };
      if (etag === null) return (await table().insertIfAbsent(entity)).inserted;
      try {
        await table().update(entity, etag, 'replace');
        return true;
      } catch (err) {
        if (err instanceof ConflictError) return false;
        throw err;
      }
    },
    async list(tenantId) {
      const rows = tenantId === undefined ? await table().query(where.ge(PARTITION_KEY, '')) : await table().listPartition(tenantId);
      return rows.map(fromEntity);
    },
    async listIdle(tenantId, states, idleSince) {
      if (states.length === 0) return [];
      const inState = where.or(...states.map((state) => where.eq('state', state)));
      const rows = await table().query(where.and(where.eq(PARTITION_KEY, tenantId), inState, where.le('updatedAt', idleSince)));
      return rows.map(fromEntity);
    },
  };
}
