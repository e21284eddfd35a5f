// The product's own tenant settings (admin API, a scenario's setSettings). Missing values take the defaults;
// the stored JSON is validated on read, so a hand-edited row cannot smuggle in a wrong type.
import { z } from 'zod';
import { DEFAULT_STORED_SETTINGS, type StoredTenantSettings } from '../domain/settings.js';
import { TABLES } from './tables.js';
import type { TableStore } from '../ports/table-store.js';

export const storedTenantSettingsSchema = z
  .object({
    writebackEnabled: z.boolean(),
    groupWritebackV2: z.boolean(),
    cnFormat: z.enum(['objectId', 'displayName']),
    newUnifiedGroupWritebackDefault: z.boolean().nullable(),
    deviceWriteback: z.boolean(),
    exchangeSchema: z.boolean(),
    /** 0: every deletion waits for an admin. */
    deletionThreshold: z.number().int().min(0).max(1_000_000),
    memberRemovalThreshold: z.number().int().min(0).max(100_000_000),
    /** At least the safety-net timer's tick (15 s); at most an hour, so a lost notification is never left for long. */
    safetyNetSeconds: z.number().int().min(15).max(3600),
    /** null: no limit. */
    memberLimit: z.number().int().min(1).max(100_000_000).nullable(),
  })
  .strict();

export const tenantSettingsPatchSchema = storedTenantSettingsSchema.partial();
export type TenantSettingsPatch = z.infer<typeof tenantSettingsPatchSchema>;

const ROW = 'settings';

export class TenantSettingsRepository {
  constructor(private readonly tables: TableStore) {}

  async load(tenantId: string): Promise<StoredTenantSettings> {
    const e = await this.tables.table(TABLES.tenantSettings).get(tenantId, ROW);
    const json = e?.properties['json'];
    if (typeof json !== 'string') return { ...DEFAULT_STORED_SETTINGS };
    const stored = tenantSettingsPatchSchema.parse(JSON.parse(json));
    return { ...DEFAULT_STORED_SETTINGS, ...stored };
  }

  /** Applies a partial change; returns the settings now in force. */
  async update(tenantId: string, patch: TenantSettingsPatch): Promise<StoredTenantSettings> {
    const next = storedTenantSettingsSchema.parse({ ...(await this.load(tenantId)), ...tenantSettingsPatchSchema.parse(patch) });
    await this.tables.table(TABLES.tenantSettings).upsert({ partitionKey: tenantId, rowKey: ROW, properties: { json: JSON.stringify(next) } }, 'replace');
    return next;
  }
}
