// Pending creations (shared/domain/nested-creation.ts): groups whose AD group the planner asked to create and
// no result has shown in AD yet. Every round looks at those that are due; when one has landed, its parents
// get its reference again. Table `groupCreations`, PartitionKey = tenant id, RowKey = group id; one small row.
import { z } from 'zod';
import { normaliseId } from '../domain/ids.js';
import type { PendingCreation } from '../domain/nested-creation.js';
import type { StoredEntity, TableStore } from '../ports/table-store.js';
import { TABLES } from './tables.js';

const rowSchema = z.object({
  createdSeq: z.number().int().nonnegative(),
  since: z.string(),
  checks: z.number().int().nonnegative(),
  nextAt: z.string(),
});

function entryOf(e: StoredEntity): PendingCreation {
  const row = rowSchema.safeParse(e.properties);
  if (!row.success) throw new Error(`pending creation ${e.rowKey}: ${row.error.message}`);
  return { groupId: e.rowKey, ...row.data };
}

export class GroupCreationRepository {
  constructor(private readonly tables: TableStore) {}

  private get table() {
    return this.tables.table(TABLES.groupCreations);
  }

  async list(tenantId: string): Promise<PendingCreation[]> {
    return (await this.table.listPartition(tenantId)).map(entryOf);
  }

  async save(tenantId: string, entry: PendingCreation): Promise<void> {
    const { groupId, ...properties } = entry;
    await this.table.upsert({ partitionKey: tenantId, rowKey: normaliseId(groupId), properties }, 'replace');
  }

  async remove(tenantId: string, groupId: string): Promise<void> {
    await this.table.delete(tenantId, normaliseId(groupId));
  }
}
