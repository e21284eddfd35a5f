// Held change sets (shared/domain/deletion-guard.ts): table `heldChanges`, one row per tenant and group, the
// record as validated JSON plus `kind`, `approved` and `rejected` columns for the portal's table view. Two writers:
// the planner (holds, keeps, forgets) and an admin's approval or rejection; both write conditionally on the
// version they read.
import { z } from 'zod';
import type { HeldChange } from '../domain/deletion-guard.js';
import { normaliseId } from '../domain/ids.js';
import { ConflictError, type StoredEntity, type TableStore } from '../ports/table-store.js';
import { TABLES } from './tables.js';

const count = z.number().int().nonnegative();
const heldChangeSchema = z
  .object({
    groupId: z.string(),
    kind: z.enum(['deletion', 'memberRemoval']),
    deletions: count,
    memberRemovals: count,
    reason: z.string(),
    lifecycle: z.enum(['present', 'softDeleted', 'hardDeleted']),
    afterSeq: count,
    /** Records written before fingerprints: '' (matches no change set, so the guard decides anew). */
    fingerprint: z.string().default(''),
    heldAt: z.string().datetime(),
    approvedAt: z.string().datetime().nullable(),
    rejectedAt: z.string().datetime().nullable().default(null),
    rejectedBy: z.string().nullable().default(null),
  })
  .strict();

export interface StoredHeldChange {
  held: HeldChange;
  etag: string;
}

function fromEntity(e: StoredEntity): StoredHeldChange {
  const json = e.properties['json'];
  if (typeof json !== 'string') throw new Error(`held change ${e.rowKey}: row without a record`);
  return { held: heldChangeSchema.parse(JSON.parse(json)), etag: e.etag };
}

export class HeldChangeRepository {
  constructor(private readonly tables: TableStore) {}

  private get table() {
    return this.tables.table(TABLES.heldChanges);
  }

  async list(tenantId: string): Promise<StoredHeldChange[]> {
    return (await this.table.listPartition(tenantId)).map(fromEntity);
  }

  async get(tenantId: string, groupId: string): Promise<StoredHeldChange | null> {
    const e = await this.table.get(tenantId, normaliseId(groupId));
    return e === null ? null : fromEntity(e);
  }

  /** etag null = insert only. False when the row changed (or appeared) since it was read. */
  async save(tenantId: string, held: HeldChange, etag: string | null): Promise<boolean> {
    const record = heldChangeSchema.parse(held);
    const entity = {
      partitionKey: tenantId,
      rowKey: normaliseId(held.groupId),
      properties: { kind: record.kind, approved: record.approvedAt !== null, rejected: record.rejectedAt !== null, json: JSON.stringify(record) },
    };
    if (etag === null) return (await this.table.insertIfAbsent(entity)).inserted;
    try {
      await this.table.update(entity, etag, 'replace');
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  async forget(tenantId: string, groupId: string): Promise<void> {
    await this.table.delete(tenantId, normaliseId(groupId));
  }
}
