// Queue trigger on writeback-results: one relay result -> the group's status row; a change set that did not land
// pokes a targeted resync of its group (shared/app/status/repair-requests.ts). An invalid message throws
// PoisonMessageError (see shared/contracts/poison.ts for how it ends in the dead-letter queue, locally and in Azure).
import type { InvocationContext } from '@azure/functions';
import { recordResult } from '../shared/app/status/results-recorder.js';
import { invocationLog } from './http-helpers.js';
import type { ServiceBusQueueFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function recordResults(message: unknown, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context).child({ messageId: context.triggerMetadata?.['messageId'] });
  try {
    await recordResult({ statuses: runtime.statuses, changes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), log, now: runtime.now }, message);
  } catch (err) {
    log.error({ err }, 'result not recorded');
    throw err;
  }
}

export const recordResultsFunction: ServiceBusQueueFunctionDefinition = {
  name: 'recordResults',
  // Results are ordered by seq inside the message, so the queue needs no sessions.
  trigger: { type: 'serviceBusQueue', queueName: '%WRITEBACK_RESULTS_QUEUE%', connection: 'ServiceBusConnection', isSessionsEnabled: false },
  handler: recordResults,
};
