// Keeps the ONE tenant-wide `groups` subscription alive (the subscriptions timer and the lifecycle webhook
// call this). Which subscription is ours is remembered in a record (subscription state table); Graph is
// asked for the truth each time. Decisions are in `decide()` (pure); the rest is I/O around it.
import type { Logger } from '../../logging.js';
import type { GraphSubscription, GraphSubscriptionsPort } from '../../ports/graph-subscriptions.js';
import type { QueueSender } from '../../ports/queue.js';
import { clientStateFingerprint, type ClientStateSecrets } from '../../security/client-state.js';
import { sendPoke } from '../intake/pokes.js';
import { SUBSCRIPTION_RESOURCE, type SubscriptionRecord, type SubscriptionRecordStore } from '../../state/subscription-table.js';

/** Graph's maximum lifetime for directory (user, group) subscriptions. Never ask past it. */
export const MAX_SUBSCRIPTION_MINUTES = 41_760;
/** What we ask for: one hour under the maximum, so a clock running ahead of Graph's is not refused. */
export const DEFAULT_SUBSCRIPTION_MINUTES = MAX_SUBSCRIPTION_MINUTES - 60;
/** changeType for groups: only updated and deleted exist ("updated" also fires on create and soft delete). */
export const SUBSCRIPTION_CHANGE_TYPE = 'updated,deleted';

export interface KeeperSettings {
  tenantId: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  secrets: ClientStateSecrets;
  /** Requested lifetime; clamped to MAX_SUBSCRIPTION_MINUTES. */
  lifetimeMinutes?: number;
}

export interface KeeperDeps {
  graph: GraphSubscriptionsPort;
  store: SubscriptionRecordStore;
  /** Sender on the graph-changes queue (resync pokes). */
  changes: QueueSender;
  log: Logger;
  now: () => Date;
}

export type KeeperAction = 'created' | 'recreated' | 'replaced' | 'renewed' | 'kept';

export interface KeeperOutcome {
  action: KeeperAction;
  subscriptionId: string;
  expirationDateTime: string;
}

export function lifetimeMinutes(settings: KeeperSettings): number {
  const wanted = settings.lifetimeMinutes ?? DEFAULT_SUBSCRIPTION_MINUTES;
  return Math.max(45, Math.min(wanted, MAX_SUBSCRIPTION_MINUTES));
}

export function expiryFrom(now: Date, settings: KeeperSettings): Date {
  return new Date(now.getTime() + lifetimeMinutes(settings) * 60_000);
}

export type Decision =
  | { do: 'create' }
  | { do: 'recreate' }
  | { do: 'replace'; why: 'settingsChanged' | 'secretRotated' }
  | { do: 'renew' }
  | { do: 'keep' };

/**
 * Pure decision. `remote` undefined = not looked up (no record); null = Graph says 404.
 * Renews when less than half the requested lifetime remains, so a few failed timer runs never let it lapse.
 */
export function decide(
  record: SubscriptionRecord | null,
  remote: GraphSubscription | null | undefined,
  now: Date,
  settings: KeeperSettings,
): Decision {
  if (record === null) return { do: 'create' };
  if (remote === null || remote === undefined) return { do: 'recreate' };
  const sameTarget =
    remote.resource.toLowerCase() === SUBSCRIPTION_RESOURCE &&
    remote.notificationUrl === settings.notificationUrl &&
    (remote.lifecycleNotificationUrl ?? '') === settings.lifecycleNotificationUrl;
  // lifecycleNotificationUrl cannot be PATCHed: a changed URL needs a new subscription.
  if (!sameTarget) return { do: 'replace', why: 'settingsChanged' };
  if (record.clientStateFingerprint !== clientStateFingerprint(settings.secrets.current)) {
    return { do: 'replace', why: 'secretRotated' };
  }
  const remainingMs = Date.parse(remote.expirationDateTime) - now.getTime();
  if (!Number.isFinite(remainingMs) || remainingMs < (lifetimeMinutes(settings) * 60_000) / 2) return { do: 'renew' };
  return { do: 'keep' };
}

function isOurs(s: GraphSubscription, settings: KeeperSettings): boolean {
  return s.resource.toLowerCase() === SUBSCRIPTION_RESOURCE && s.notificationUrl === settings.notificationUrl;
}

async function create(deps: KeeperDeps, settings: KeeperSettings, action: KeeperAction): Promise<KeeperOutcome> {
  const now = deps.now();
  const created = await deps.graph.create({
    resource: SUBSCRIPTION_RESOURCE,
    changeType: SUBSCRIPTION_CHANGE_TYPE,
    notificationUrl: settings.notificationUrl,
    lifecycleNotificationUrl: settings.lifecycleNotificationUrl,
    clientState: settings.secrets.current,
    expirationDateTime: expiryFrom(now, settings),
  });
  // Changes made while no subscription existed are only found by a delta round: resync before the record
  // is saved, so a failed enqueue makes the next run start over (and poke again).
  await sendPoke(deps.changes, settings.tenantId, 'resync', now);
  await deps.store.save(settings.tenantId, {
    subscriptionId: created.id,
    resource: SUBSCRIPTION_RESOURCE,
    notificationUrl: settings.notificationUrl,
    lifecycleNotificationUrl: settings.lifecycleNotificationUrl,
    expirationDateTime: created.expirationDateTime,
    clientStateFingerprint: clientStateFingerprint(settings.secrets.current),
    createdAt: now.toISOString(),
    renewedAt: null,
  });
  deps.log.info({ subscriptionId: created.id, action, expirationDateTime: created.expirationDateTime }, 'subscription created');
  return { action, subscriptionId: created.id, expirationDateTime: created.expirationDateTime };
}

/** Ensures our subscription exists and has enough life left. Idempotent; safe to run often. */
export async function keepSubscription(deps: KeeperDeps, settings: KeeperSettings): Promise<KeeperOutcome> {
  const record = await deps.store.load(settings.tenantId);
  const remote = record === null ? undefined : await deps.graph.get(record.subscriptionId);
  const decision = decide(record, remote, deps.now(), settings);
  switch (decision.do) {
    case 'create': {
      // No record (first run or lost state): subscriptions of ours left behind would double every
      // notification and eat quota, so they go before a fresh one is made.
      for (const stray of (await deps.graph.list()).filter((s) => isOurs(s, settings))) {
        await deps.graph.remove(stray.id);
        deps.log.info({ subscriptionId: stray.id }, 'removed a subscription not in the record');
      }
      return create(deps, settings, 'created');
    }
    case 'recreate':
      deps.log.warn({ subscriptionId: record?.subscriptionId }, 'subscription is gone; recreating');
      return create(deps, settings, 'recreated');
    case 'replace': {
      // New one first, then remove the old: no gap in notifications.
      const outcome = await create(deps, settings, 'replaced');
      await deps.graph.remove(record!.subscriptionId);
      deps.log.info({ old: record!.subscriptionId, subscriptionId: outcome.subscriptionId, why: decision.why }, 'subscription replaced');
      return outcome;
    }
    case 'renew': {
      const now = deps.now();
      const renewed = await deps.graph.renew(record!.subscriptionId, expiryFrom(now, settings));
      if (renewed === null) return create(deps, settings, 'recreated');
      await deps.store.save(settings.tenantId, {
        ...record!,
        expirationDateTime: renewed.expirationDateTime,
        renewedAt: now.toISOString(),
      });
      deps.log.info({ subscriptionId: renewed.id, expirationDateTime: renewed.expirationDateTime }, 'subscription renewed');
      return { action: 'renewed', subscriptionId: renewed.id, expirationDateTime: renewed.expirationDateTime };
    }
    case 'keep':
      return { action: 'kept', subscriptionId: record!.subscriptionId, expirationDateTime: remote!.expirationDateTime };
  }
}

/**
 * reauthorizationRequired: reauthorize our subscription (fallback: renew its expiry, which also
 * reauthorizes). Gone -> recreate. Not ours (a stray) -> ignored: it expires on its own.
 */
export async function reauthorizeSubscription(
  deps: KeeperDeps,
  settings: KeeperSettings,
  subscriptionId: string,
): Promise<'reauthorized' | 'renewed' | KeeperAction | 'notOurs'> {
  const record = await deps.store.load(settings.tenantId);
  if (record === null || record.subscriptionId !== subscriptionId) {
    deps.log.info({ subscriptionId }, 'reauthorization asked for a subscription that is not ours; ignored');
    return 'notOurs';
  }
  let reauthorized: boolean;
  try {
    reauthorized = await deps.graph.reauthorize(subscriptionId);
  } catch (err) {
    deps.log.warn({ err, subscriptionId }, 'reauthorize failed; renewing the expiry instead');
    const renewed = await deps.graph.renew(subscriptionId, expiryFrom(deps.now(), settings));
    if (renewed !== null) {
      await deps.store.save(settings.tenantId, { ...record, expirationDateTime: renewed.expirationDateTime, renewedAt: deps.now().toISOString() });
      return 'renewed';
    }
    reauthorized = false;
  }
  if (!reauthorized) return (await keepSubscription(deps, settings)).action;
  deps.log.info({ subscriptionId }, 'subscription reauthorized');
  return 'reauthorized';
}
