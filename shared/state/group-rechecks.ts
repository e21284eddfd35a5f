// The recheck list (shared/domain/recheck.ts): planned groups the planner could not find without a deletion
// notice. Every round reads the tenant's list and looks at those groups again, so they converge without a new
// notification. Table `groupRechecks`, PartitionKey = tenant id, RowKey = group id; one small row per group.
import { z } from 'zod';
import type { RecheckEntry } from '../domain/recheck.js';
import type { StoredEntity, TableStore } from '../ports/table-store.js';
import { TABLES } from './tables.js';

const rowSchema = z.object({
  since: z.string(),
  checks: z.number().int().positive(),
  nextAt: z.string(),
  repairAfterSeq: z.number().int().nonnegative(),
});

function entryOf(e: StoredEntity): RecheckEntry {
  const row = rowSchema.safeParse(e.properties);
  if (!row.success) throw new Error(`recheck entry ${e.rowKey}: ${row.error.message}`);
  return { groupId: e.rowKey, ...row.data };
}

export class GroupRecheckRepository {
  constructor(private readonly tables: TableStore) {}

  private get table() {
    return this.tables.table(TABLES.groupRechecks);
  }

  async list(tenantId: string): Promise<Map<string, RecheckEntry>> {
    return new Map((await this.table.listPartition(tenantId)).map((e) => [e.rowKey, entryOf(e)]));
  }

  async save(tenantId: string, entry: RecheckEntry): Promise<void> {
    const { groupId, ...properties } = entry;
    await this.table.upsert({ partitionKey: tenantId, rowKey: groupId, properties }, 'replace');
  }

  async remove(tenantId: string, groupId: string): Promise<void> {
    await this.table.delete(tenantId, groupId);
  }
}
