// The subscription record (which Graph subscription is ours) and its store on the TableStore port: table `subscriptions`, one row per tenant
// (PartitionKey = tenant id, RowKey = the subscribed resource).
import { TABLES } from './tables.js';
import type { TableStore } from '../ports/table-store.js';
import { z } from 'zod';


/** The one subscribed resource: every group in the tenant. */
export const SUBSCRIPTION_RESOURCE = 'groups';

export const subscriptionRecordSchema = z
  .object({
    subscriptionId: z.string().min(1),
    resource: z.string(),
    notificationUrl: z.string(),
    lifecycleNotificationUrl: z.string(),
    expirationDateTime: z.string(),
    /** Which clientState secret it was created with (fingerprint, never the secret). */
    clientStateFingerprint: z.string(),
    createdAt: z.string(),
    renewedAt: z.string().nullable(),
  })
  .strict();
export type SubscriptionRecord = z.infer<typeof subscriptionRecordSchema>;

/** Where the keeper remembers which subscription is ours (one per tenant). */
export interface SubscriptionRecordStore {
  load(tenantId: string): Promise<SubscriptionRecord | null>;
  save(tenantId: string, record: SubscriptionRecord): Promise<void>;
}

export function tableSubscriptionStore(tables: TableStore): SubscriptionRecordStore {
  const table = (): ReturnType<TableStore['table']> => tables.table(TABLES.subscriptions);
  return {
    async load(tenantId) {
      const row = await table().get(tenantId, SUBSCRIPTION_RESOURCE);
      if (row === null) return null;
      const { renewedAt, ...rest } = row.properties;
      // A row that does not parse is treated as absent: the keeper then starts over cleanly.
      const parsed = subscriptionRecordSchema.safeParse({ ...rest, renewedAt: renewedAt ?? null });
      return parsed.success ? parsed.data : null;
    },
    async save(tenantId, record: SubscriptionRecord) {
      const { renewedAt, ...rest } = record;
      await table().upsert(
        { partitionKey: tenantId, rowKey: SUBSCRIPTION_RESOURCE, properties: { ...rest, ...(renewedAt !== null ? { renewedAt } : {}) } },
        'replace',
      );
    },
  };
}
