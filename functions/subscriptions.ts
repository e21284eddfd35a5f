// Timer: keeps the tenant-wide `groups` subscription alive (create, renew well before expiry, recreate when
// gone, replace after a secret rotation or URL change). Logic in shared/app/subscriptions/subscription-keeper.ts.
// Not `runOnStartup` (@azure/functions: "should rarely if ever be set", it runs on every scale-out and restart):
// the keeper asks Graph for the truth on every tick and is idempotent and cheap when all is well (one table
// read, one Graph GET), so SUBSCRIPTION_SCHEDULE runs it every 5 minutes. A missing subscription (a fresh
// deployment, one Graph removed) is therefore back within one period; Graph's `subscriptionRemoved` lifecycle
// event repairs at once (graphLifecycle), and the safety net's delta rounds cover the changes meanwhile.
import type { InvocationContext, Timer } from '@azure/functions';
import { createGraphSubscriptions } from '../shared/adapters/graph/subscriptions.js';
import { keepSubscription, type KeeperDeps, type KeeperSettings } from '../shared/app/subscriptions/subscription-keeper.js';
import type { Logger } from '../shared/logging.js';
import { invocationLog } from './http-helpers.js';
import type { TimerFunctionDefinition } from './registry.js';
import { getCloudRuntime, type CloudRuntime } from './runtime.js';

export function keeperSettings(runtime: CloudRuntime): KeeperSettings {
  return {
    tenantId: runtime.config.GRAPH_TENANT_ID,
    notificationUrl: runtime.config.NOTIFICATION_URL,
    lifecycleNotificationUrl: runtime.config.LIFECYCLE_NOTIFICATION_URL,
    secrets: runtime.secrets,
  };
}

export function keeperDeps(runtime: CloudRuntime, log: Logger): KeeperDeps {
  return {
    graph: createGraphSubscriptions(runtime.graph),
    store: runtime.subscriptions,
    changes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE),
    log,
    now: runtime.now,
  };
}

export async function subscriptions(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context);
  try {
    const outcome = await keepSubscription(keeperDeps(runtime, log), keeperSettings(runtime));
    log.info(outcome, 'subscription check done');
  } catch (err) {
    // An error line of this function raises the subscription alert (infra/modules/alerts.bicep).
    log.error({ err }, 'subscription check failed');
    throw err;
  }
}

export const subscriptionsFunction: TimerFunctionDefinition = {
  name: 'subscriptions',
  trigger: { type: 'timer', schedule: '%SUBSCRIPTION_SCHEDULE%' },
  handler: subscriptions,
};
