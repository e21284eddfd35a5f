// Graph subscription calls (POST/GET/PATCH/DELETE /subscriptions, POST .../reauthorize) through the one
// Graph client. Responses are validated; 404 becomes null/false because "gone" is a normal state the keeper
// acts on. Other errors (400 validation failed, 403 quota, 5xx) propagate.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { GraphSubscription, GraphSubscriptionsPort, NewGraphSubscription } from '../../ports/graph-subscriptions.js';

const subscriptionSchema = z.looseObject({
  id: z.string().min(1),
  resource: z.string(),
  changeType: z.string(),
  notificationUrl: z.string(),
  lifecycleNotificationUrl: z.string().nullish(),
  expirationDateTime: z.string(),
});

const pageSchema = z.looseObject({
  value: z.array(subscriptionSchema),
  '@odata.nextLink': z.string().optional(),
});

function toSubscription(raw: unknown): GraphSubscription {
  const s = subscriptionSchema.parse(raw);
  return {
    id: s.id,
    resource: s.resource,
    changeType: s.changeType,
    notificationUrl: s.notificationUrl,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
    expirationDateTime: s.expirationDateTime,
  };
}

export function graphStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

async function unlessGone<T>(call: () => Promise<T>, gone: T): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (graphStatus(err) === 404) return gone;
    throw err;
  }
}

const MAX_LIST_PAGES = 50;

export function createGraphSubscriptions(client: Client): GraphSubscriptionsPort {
  const path = (id: string): string => `/subscriptions/${encodeURIComponent(id)}`;
  return {
    async create(req: NewGraphSubscription) {
      const raw: unknown = await client.api('/subscriptions').post({
        changeType: req.changeType,
        resource: req.resource,
        notificationUrl: req.notificationUrl,
        lifecycleNotificationUrl: req.lifecycleNotificationUrl,
        clientState: req.clientState,
        expirationDateTime: req.expirationDateTime.toISOString(),
        latestSupportedTlsVersion: 'v1_2',
      });
      return toSubscription(raw);
    },
    get: (id) => unlessGone(async () => toSubscription(await client.api(path(id)).get()), null),
    async list() {
      const all: GraphSubscription[] = [];
      let next: string | undefined = '/subscriptions';
      for (let page = 0; next !== undefined && page < MAX_LIST_PAGES; page++) {
        const parsed = pageSchema.parse(await client.api(next).get());
        all.push(...parsed.value.map(toSubscription));
        next = parsed['@odata.nextLink'];
      }
      return all;
    },
    renew: (id, expirationDateTime) =>
      unlessGone(
        async () => toSubscription(await client.api(path(id)).patch({ expirationDateTime: expirationDateTime.toISOString() })),
        null,
      ),
    reauthorize: (id) =>
      unlessGone(async () => {
        await client.api(`${path(id)}/reauthorize`).post({});
        return true;
      }, false),
    remove: (id) =>
      unlessGone(async () => {
        await client.api(path(id)).delete();
        return true;
      }, false),
  };
}
