// The deltaLink of the last completed round per tenant, with the settings fingerprint that round planned
// with (a different fingerprint means every group must be re-evaluated: a full round).
import { TABLES } from './tables.js';
import type { TableStore } from '../ports/table-store.js';
import { textOf, textProperties } from './text-chunks.js';

export interface DeltaTokenRecord {
  deltaLink: string;
  settingsFingerprint: string;
  savedAt: string;
}

const ROW = 'groups';

export class DeltaTokenRepository {
  constructor(private readonly tables: TableStore) {}

  async load(tenantId: string): Promise<DeltaTokenRecord | null> {
    const e = await this.tables.table(TABLES.deltaTokens).get(tenantId, ROW);
    if (e === null) return null;
    const fingerprint = e.properties['settingsFingerprint'];
    const savedAt = e.properties['savedAt'];
    return {
      deltaLink: textOf(e),
      settingsFingerprint: typeof fingerprint === 'string' ? fingerprint : '',
      savedAt: typeof savedAt === 'string' ? savedAt : '',
    };
  }

  async save(tenantId: string, record: DeltaTokenRecord): Promise<void> {
    await this.tables.table(TABLES.deltaTokens).upsert(
      {
        partitionKey: tenantId,
        rowKey: ROW,
        properties: { settingsFingerprint: record.settingsFingerprint, savedAt: record.savedAt, ...textProperties('deltaLink', record.deltaLink) },
      },
      'replace',
    );
  }

  /** Forget the token: the next round is a full one. */
  async clear(tenantId: string): Promise<void> {
    await this.tables.table(TABLES.deltaTokens).delete(tenantId, ROW);
  }
}
