// Every function of the app, in one list: functions/index.ts registers it with Azure Functions and the
// local host (dev/host) serves it. A new function file adds its definition here.
import { approveHeldFunction } from './approveHeld.js';
import { graphLifecycleFunction } from './graphLifecycle.js';
import { graphWebhookFunction } from './graphWebhook.js';
import { heldChangesFunction } from './heldChanges.js';
import { planChangesFunction } from './planChanges.js';
import { reconcileFunction } from './reconcile.js';
import { recordResultsFunction } from './recordResults.js';
import { repairGroupsFunction } from './repairGroups.js';
import type { FunctionDefinition } from './registry.js';
import { safetyNetFunction } from './safetyNet.js';
import { resyncFunction, statusFunction } from './status.js';
import { statusPageFunction } from './statusPage.js';
import { subscriptionsFunction } from './subscriptions.js';

export const functionDefinitions: readonly FunctionDefinition[] = [
  graphWebhookFunction,
  graphLifecycleFunction,
  subscriptionsFunction,
  planChangesFunction,
  reconcileFunction,
  safetyNetFunction,
  recordResultsFunction,
  repairGroupsFunction,
  statusFunction,
  resyncFunction,
  heldChangesFunction,
  approveHeldFunction,
  statusPageFunction,
];
