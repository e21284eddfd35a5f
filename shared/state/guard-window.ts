// The deletion guard's window (shared/domain/deletion-guard.ts) per tenant: table `guardWindow`, row `window`,
// the releases as validated JSON. Only the planner writes it (one round at a time per tenant); the write is
// conditional anyway, so a second writer fails loudly instead of losing counts.
import { z } from 'zod';
import type { GuardWindow } from '../domain/deletion-guard.js';
import { emptyWindow } from '../domain/deletion-guard.js';
import { ConflictError, type TableStore } from '../ports/table-store.js';
import { TABLES } from './tables.js';

const count = z.number().int().nonnegative();
const windowSchema = z
  .object({ released: z.array(z.object({ at: z.string().datetime(), deletions: count, memberRemovals: count }).strict()) })
  .strict();

const ROW = 'window';

export interface StoredGuardWindow {
  window: GuardWindow;
  /** null: no row yet. */
  etag: string | null;
}

export class GuardWindowRepository {
  constructor(private readonly tables: TableStore) {}

  private get table() {
    return this.tables.table(TABLES.guardWindow);
  }

  async load(tenantId: string): Promise<StoredGuardWindow> {
    const e = await this.table.get(tenantId, ROW);
    const json = e?.properties['json'];
    if (e === null || typeof json !== 'string') return { window: emptyWindow(), etag: null };
    return { window: windowSchema.parse(JSON.parse(json)), etag: e.etag };
  }

  /** Writes only over the version loaded (`etag`); ConflictError when another writer came first. */
  async save(tenantId: string, window: GuardWindow, etag: string | null): Promise<string> {
    const entity = { partitionKey: tenantId, rowKey: ROW, properties: { json: JSON.stringify(windowSchema.parse(window)) } };
    if (etag !== null) return this.table.update(entity, etag, 'replace');
    const inserted = await this.table.insertIfAbsent(entity);
    if (!inserted.inserted) throw new ConflictError('exists', TABLES.guardWindow, tenantId, ROW);
    return inserted.etag;
  }
}
