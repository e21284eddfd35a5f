// Intake of Graph lifecycle notifications (the graphLifecycle function's logic). Same trust rules as change
// notifications (clientState per notification, tenant), then per event:
//   reauthorizationRequired -> reauthorize (fallback: renew) our subscription, then one delta round to catch
//                              up changes that may have been lost in the gap;
//   subscriptionRemoved     -> recreate it (keeper), resync;
//   missed                  -> resync.
// All pokes of one request collapse into one: a resync covers a delta round.
import { z } from 'zod';
import { parseJsonBody, untrustedReason, type IntakeOutcome } from './notification-intake.js';
import { sendPoke } from './pokes.js';
import { keepSubscription, reauthorizeSubscription, type KeeperDeps, type KeeperSettings } from '../subscriptions/subscription-keeper.js';

export const lifecycleNotificationSchema = z.looseObject({
  subscriptionId: z.string().min(1).max(128),
  clientState: z.string().max(1024).nullish(),
  lifecycleEvent: z.string().min(1).max(64),
  tenantId: z.string().max(64).nullish(),
  subscriptionExpirationDateTime: z.string().nullish(),
});

export const lifecycleCollectionSchema = z.looseObject({
  value: z.array(lifecycleNotificationSchema).min(1).max(1000),
});

export async function acceptLifecycleNotifications(
  deps: KeeperDeps,
  settings: KeeperSettings,
  body: Uint8Array | 'tooLarge',
): Promise<IntakeOutcome> {
  const json = parseJsonBody(body);
  if (!json.ok) return { status: json.status, reason: json.reason };
  const shape = lifecycleCollectionSchema.safeParse(json.value);
  if (!shape.success) {
    deps.log.warn('lifecycle notification body has the wrong shape');
    return { status: 400, reason: 'not a Graph lifecycle notification collection' };
  }

  let accepted = 0;
  let dropped = 0;
  const wanted = new Set<'resync' | 'notification'>();
  const want = (p: 'resync' | 'notification'): void => {
    wanted.add(p);
  };
  try {
    for (const n of shape.data.value) {
      const untrusted = untrustedReason(n, settings.tenantId, settings.secrets);
      if (untrusted !== null) {
        dropped++;
        deps.log.warn({ subscriptionId: n.subscriptionId, reason: untrusted }, 'lifecycle notification dropped');
        continue;
      }
      accepted++;
      const log = deps.log.child({ subscriptionId: n.subscriptionId, lifecycleEvent: n.lifecycleEvent });
      switch (n.lifecycleEvent) {
        case 'reauthorizationRequired': {
          const result = await reauthorizeSubscription(deps, settings, n.subscriptionId);
          log.info({ result }, 'lifecycle: reauthorization handled');
          // A new subscription already enqueued its resync; otherwise catch up with one delta round.
          if (result === 'reauthorized' || result === 'renewed') want('notification');
          break;
        }
        case 'subscriptionRemoved': {
          const record = await deps.store.load(settings.tenantId);
          const wasOurs = record?.subscriptionId === n.subscriptionId;
          const outcome = await keepSubscription(deps, settings);
          log.info({ action: outcome.action, wasOurs }, 'lifecycle: subscription removal handled');
          const madeNew = outcome.action === 'created' || outcome.action === 'recreated' || outcome.action === 'replaced';
          if (wasOurs && !madeNew) want('resync');
          break;
        }
        case 'missed':
          log.warn('lifecycle: notifications were missed; resync');
          want('resync');
          break;
        default:
          log.warn('lifecycle: unknown event ignored');
      }
    }
    if (accepted === 0) return { status: 401, dropped };
    const poke = wanted.has('resync') ? 'resync' : wanted.has('notification') ? 'notification' : null;
    if (poke !== null) await sendPoke(deps.changes, settings.tenantId, poke, deps.now());
  } catch (err) {
    // Nothing here is lost by a retry: every step is idempotent, and the subscriptions timer repairs too.
    deps.log.error({ err }, 'lifecycle notification not fully handled; answering 5xx so Graph retries');
    return { status: 503, reason: 'lifecycle handling failed' };
  }
  return { status: 202, accepted, dropped };
}
