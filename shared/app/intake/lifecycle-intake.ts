// Intake of Graph lifecycle notifications (the graphLifecycle function's logic). Same trust rules as change
// notifications (clientState per notification, tenant), then per event:
//   reauthorizationRequired -> reauthorize (fallback: renew) our subscription, then one delta round to catch
//                              up changes that may have been lost in the gap;
//   subscriptionRemoved     -> recreate it (keeper), resync;
//   missed                  -> resync.
// All pokes of one request collapse into one: a resync covers a delta round.
import { z } from 'zod';
import { readNotifications, type NotificationBody } from './notification-body.js';
import { issueSummary, type IntakeOutcome } from './notification-intake.js';
import { sendPoke } from './pokes.js';
import { DropTally, untrustedReason } from './trust.js';
import { keepSubscription, reauthorizeSubscription, type KeeperDeps, type KeeperSettings } from '../subscriptions/subscription-keeper.js';

/** Only the fields the intake reads are checked and kept (unknown properties are stripped). */
export const lifecycleNotificationSchema = z.object({
  subscriptionId: z.string().min(1).max(128),
  clientState: z.string().max(1024).nullish(),
  lifecycleEvent: z.string().min(1).max(64),
  tenantId: z.string().max(64).nullish(),
});

interface LifecycleEvent {
  subscriptionId: string;
  lifecycleEvent: string;
}

export async function acceptLifecycleNotifications(deps: KeeperDeps, settings: KeeperSettings, body: NotificationBody): Promise<IntakeOutcome> {
  // Trusted events, each (event, subscription) once in arrival order: handling one is idempotent, so a
  // repeat in the same batch adds nothing, and a long batch is kept as its distinct events only.
  const events = new Map<string, LifecycleEvent>();
  const drops = new DropTally();
  let accepted = 0;
  let issues: string[] = [];
  const read = await readNotifications(body, (element) => {
    const n = lifecycleNotificationSchema.safeParse(element);
    if (!n.success) {
      issues = issueSummary(n.error);
      return false;
    }
    const untrusted = untrustedReason(n.data, settings.tenantId, settings.secrets);
    if (untrusted !== null) {
      drops.add(untrusted, n.data.subscriptionId);
      return true;
    }
    accepted++;
    const { subscriptionId, lifecycleEvent } = n.data;
    events.set(`${lifecycleEvent}\u0000${subscriptionId}`, { subscriptionId, lifecycleEvent });
    return true;
  });
  if (!read.ok) {
    deps.log.warn({ reason: read.reason, issues }, 'lifecycle notification body refused');
    return { status: read.status, reason: read.reason };
  }
  drops.log(deps.log, 'lifecycle notifications dropped');
  if (accepted === 0) return { status: 401, dropped: drops.count };

  const wanted = new Set<'resync' | 'notification'>();
  const want = (p: 'resync' | 'notification'): void => {
    wanted.add(p);
  };
  try {
    for (const n of events.values()) {
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
    const poke = wanted.has('resync') ? 'resync' : wanted.has('notification') ? 'notification' : null;
    if (poke !== null) await sendPoke(deps.changes, settings.tenantId, poke, deps.now());
  } catch (err) {
    // Nothing here is lost by a retry: every step is idempotent, and the subscriptions timer repairs too.
    deps.log.error({ err }, 'lifecycle notification not fully handled; answering 5xx so Graph retries');
    return { status: 503, reason: 'lifecycle handling failed' };
  }
  return { status: 202, accepted, dropped: drops.count };
}
