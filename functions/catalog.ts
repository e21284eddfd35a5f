// Every function of the app, in one list: functions/index.ts registers it with Azure Functions and the
// local host (dev/host) serves it. A new function file adds its definition here. Each runs within its
// invocation's scope (invocation-scope.ts): the trace its messages and log lines carry.
import { approveHeldFunction } from './approveHeld.js';
import { deadLettersFunction } from './deadLetters.js';
import { graphLifecycleFunction } from './graphLifecycle.js';
import { groupDetailFunction } from './groupDetail.js';
import { graphWebhookFunction } from './graphWebhook.js';
import { groupPreviewFunction } from './groupPreview.js';
import { groupSyncFunction } from './groupSync.js';
import { heldChangesFunction } from './heldChanges.js';
import { planChangesFunction } from './planChanges.js';
import { reconcileFunction } from './reconcile.js';
import { recordResultsFunction } from './recordResults.js';
import { rejectHeldFunction } from './rejectHeld.js';
import { relaysFunction } from './relays.js';
import { repairGroupsFunction } from './repairGroups.js';
import { resubmitDeadLetterFunction } from './resubmitDeadLetter.js';
import { traced } from './invocation-scope.js';
import type { FunctionDefinition } from './registry.js';
import { safetyNetFunction } from './safetyNet.js';
import { settingsFunction } from './settings.js';
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
  groupDetailFunction,
  resyncFunction,
  heldChangesFunction,
  approveHeldFunction,
  relaysFunction,
  rejectHeldFunction,
  groupPreviewFunction,
  groupSyncFunction,
  settingsFunction,
  deadLettersFunction,
  resubmitDeadLetterFunction,
  statusPageFunction,
].map(traced);
