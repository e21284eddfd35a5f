// The subscription record on the TableStore port: table `subscriptions`, one row per tenant
// (PartitionKey = tenant id, RowKey = the subscribed resource).
import type { TableStore } from '../ports/table-store.js';
import { subscriptionRecordSchema, SUBSCRIPTION_RESOURCE, type SubscriptionRecord, type SubscriptionRecordStore } from './subscription-keeper.js';

export const SUBSCRIPTIONS_TABLE = 'subscriptions';

export function tableSubscriptionStore(tables: TableStore): SubscriptionRecordStore {
  const table = (): ReturnType<TableStore['table']> => tables.table(SUBSCRIPTIONS_TABLE);
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
