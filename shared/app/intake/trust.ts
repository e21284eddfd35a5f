// Whether one Graph notification (change or lifecycle) is ours: the subscription's clientState and, when the
// notification names one, our tenant. Drops are tallied and logged once per request: a batch has no upper
// length, and a forged one must not turn into one log line per notification.
import type { Logger } from '../../logging.js';
import { sameId } from '../../domain/ids.js';
import { matchClientState, type ClientStateSecrets } from '../../security/client-state.js';

export type DropReason = 'clientStateMismatch' | 'tenantMismatch';

/** Why a notification is not trusted, or null when it is. */
export function untrustedReason(
  n: { clientState?: string | null | undefined; tenantId?: string | null | undefined },
  tenantId: string,
  secrets: ClientStateSecrets,
): DropReason | null {
  if (matchClientState(n.clientState, secrets) === 'none') return 'clientStateMismatch';
  if (n.tenantId != null && !sameId(n.tenantId, tenantId)) return 'tenantMismatch';
  return null;
}

/** Subscription ids named in the drop log line: enough to find the subscription, bounded for any batch. */
const LOGGED_SUBSCRIPTION_IDS = 5;

/** Counts dropped notifications by reason. Never holds or logs a clientState. */
export class DropTally {
  count = 0;
  private readonly byReason: Partial<Record<DropReason, number>> = {};
  private readonly subscriptionIds = new Set<string>();

  add(reason: DropReason, subscriptionId: string): void {
    this.count++;
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    if (this.subscriptionIds.size < LOGGED_SUBSCRIPTION_IDS) this.subscriptionIds.add(subscriptionId);
  }

  /** One warning for the request when anything was dropped. */
  log(log: Logger, message: string): void {
    if (this.count === 0) return;
    log.warn({ dropped: this.count, reasons: this.byReason, subscriptionIds: [...this.subscriptionIds] }, message);
  }
}
