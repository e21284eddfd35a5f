// When the safety net last sent a poke, per tenant: while Graph fails or a long round runs no round start
// is recorded, and this keeps the safety net to one poke per safetyNetSeconds. Its own row in the roundMarks
// table, written only by the safety-net timer (planChanges owns the `rounds` row and replaces it whole).
import { TABLES } from './tables.js';
import type { TableStore } from '../ports/table-store.js';

const ROW = 'safetyNet';

export class SafetyNetMarkRepository {
  constructor(private readonly tables: TableStore) {}

  /** When the safety net last sent a poke, or null. */
  async lastPoke(tenantId: string): Promise<Date | null> {
    const e = await this.tables.table(TABLES.roundMarks).get(tenantId, ROW);
    const at = e?.properties['pokedAt'];
    return at instanceof Date && !Number.isNaN(at.getTime()) ? at : null;
  }

  async savePoke(tenantId: string, at: Date): Promise<void> {
    await this.tables.table(TABLES.roundMarks).upsert({ partitionKey: tenantId, rowKey: ROW, properties: { pokedAt: at } }, 'replace');
  }
}
