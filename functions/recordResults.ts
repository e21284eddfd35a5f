// Queue trigger on writeback-results: one relay result -> the group's status row; a change set that did not land
// pokes a targeted resync of its group (shared/app/status/repair-requests.ts). A relay heartbeat -> its row in
// the relays table (shared/app/status/heartbeat-recorder.ts). An invalid message throws
// PoisonMessageError (see shared/contracts/poison.ts for how it ends in the dead-letter queue, locally and in Azure);
// a transient failure schedules a copy for later (shared/app/status/result-retry.ts) and completes.
import type { InvocationContext } from '@azure/functions';
import { classifyRoundFailure } from '../shared/app/round/round-failure.js';
import { mayRetryResult, resultAttempt, retryResult } from '../shared/app/status/result-retry.js';
import { recordResult } from '../shared/app/status/results-recorder.js';
import { RelayRepository } from '../shared/state/relays.js';
import { invocationLog } from './http-helpers.js';
import type { ServiceBusQueueFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function recordResults(message: unknown, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context).child({ messageId: context.triggerMetadata?.['messageId'] });
  try {
    const relays = new RelayRepository(runtime.tables);
    await recordResult({ statuses: runtime.statuses, relays, changes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), log, now: runtime.now }, message);
  } catch (err) {
    const failure = classifyRoundFailure(err);
    const attempt = resultAttempt(context.triggerMetadata?.['applicationProperties']);
    if (failure.kind !== 'transient' || !mayRetryResult(attempt)) {
      log.error({ err, attempt }, 'result not recorded');
      throw err;
    }
    const messageId = String(context.triggerMetadata?.['messageId'] ?? 'result');
    const { message: copy, delayMs } = retryResult(message, messageId, attempt, runtime.now(), Math.random());
    // If this send fails too, the throw hands the result back to Service Bus.
    await runtime.sender(runtime.config.WRITEBACK_RESULTS_QUEUE).send([copy]);
    log.warn({ err, cause: failure.cause, attempt, delayMs }, 'result not recorded; retry scheduled');
  }
}

export const recordResultsFunction: ServiceBusQueueFunctionDefinition = {
  name: 'recordResults',
  // Results are ordered by seq inside the message, so the queue needs no sessions.
  trigger: { type: 'serviceBusQueue', queueName: '%WRITEBACK_RESULTS_QUEUE%', connection: 'ServiceBusConnection', isSessionsEnabled: false },
  handler: recordResults,
};
