// Which planned groups hold a cloud group as a member (child -> parents). When a group starts or stops being
// written back, its parents' entries for it must be resolved again (anchor reference, or skipped because it
// is not written back); Graph's delta does not report that for the parents, so the index finds them.
// Derived data: a lagging index only delays that re-resolution until the next reconcile.
import { normaliseId } from '../domain/ids.js';
import type { TableStore } from '../ports/table-store.js';
import { mapLimit } from '../concurrency.js';
import { nestingPartition } from './keys.js';
import { TABLES } from './tables.js';
import type { NestedGroupChanges } from './member-entries.js';

export class NestingIndexRepository {
  constructor(
    private readonly tables: TableStore,
    private readonly concurrency = 16,
  ) {}

  private get table() {
    return this.tables.table(TABLES.nestedGroups);
  }

  async record(tenantId: string, parentId: string, changes: NestedGroupChanges): Promise<void> {
    const parent = normaliseId(parentId);
    await mapLimit(changes.added, this.concurrency, (child) =>
      this.table.upsert({ partitionKey: nestingPartition(tenantId, child), rowKey: parent, properties: { nested: true } }, 'replace').then(() => undefined),
    );
    await mapLimit(changes.removed, this.concurrency, (child) => this.table.delete(nestingPartition(tenantId, child), parent));
  }

  async parentsOf(tenantId: string, childId: string): Promise<string[]> {
    return (await this.table.listPartition(nestingPartition(tenantId, childId))).map((e) => e.rowKey);
  }
}
