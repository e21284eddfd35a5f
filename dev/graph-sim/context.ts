// What route handlers share: the directory and the simulator's services.
import type { Logger } from 'pino';
import type { SimClock } from './clock.js';
import type { DeliveryQueue } from './deliveries.js';
import type { DeltaEngine } from './delta.js';
import type { FailureInjector } from './failures.js';
import type { GrantedPermissions } from './permissions.js';
import type { DirectoryStore } from './store.js';
import type { SubscriptionService } from './subscriptions.js';

export interface SimContext {
  store: DirectoryStore;
  delta: DeltaEngine;
  subscriptions: SubscriptionService;
  deliveries: DeliveryQueue;
  failures: FailureInjector;
  /** The application permissions the simulated app holds. */
  permissions: GrantedPermissions;
  clock: SimClock;
  tenantId: string;
  /** Verified domain for generated mail addresses and UPNs. */
  domain: string;
  baseUrl: () => string;
  log: Logger;
}
