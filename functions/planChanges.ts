// Queue trigger on graph-changes (sessions: sessionId = tenant id, so one delta round at a time per tenant):
// a poke -> one delta round (shared/app/round/run-round.ts). An invalid poke throws PoisonMessageError; any other
// failure throws so the poke is retried (the round is safe to repeat: see shared/state/round-journal.ts).
import type { InvocationContext } from '@azure/functions';
import { GraphDirectoryReader } from '../shared/adapters/graph/directory.js';
import type { DeltaRoundDeps } from '../shared/app/round/round-deps.js';
import { handlePoke } from '../shared/app/round/poke-round.js';
import type { Logger } from '../shared/logging.js';
import { invocationLog } from './http-helpers.js';
import type { ServiceBusQueueFunctionDefinition } from './registry.js';
import { getCloudRuntime, type CloudRuntime } from './runtime.js';

export function deltaRoundDeps(runtime: CloudRuntime, log: Logger): DeltaRoundDeps {
  return {
    tenantId: runtime.config.GRAPH_TENANT_ID,
    directory: new GraphDirectoryReader(runtime.graph, { baseUrl: runtime.config.GRAPH_BASE_URL, log }),
    store: runtime.planner,
    writeback: runtime.sender(runtime.config.WRITEBACK_QUEUE),
    pokes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE),
    statuses: runtime.statuses,
    log,
    now: runtime.now,
  };
}

export async function planChanges(message: unknown, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context).child({ messageId: context.triggerMetadata?.['messageId'] });
  try {
    await handlePoke(deltaRoundDeps(runtime, log), message);
  } catch (err) {
    log.error({ err }, 'delta round failed');
    throw err;
  }
}

export const planChangesFunction: ServiceBusQueueFunctionDefinition = {
  name: 'planChanges',
  trigger: { type: 'serviceBusQueue', queueName: '%GRAPH_CHANGES_QUEUE%', connection: 'ServiceBusConnection', isSessionsEnabled: true },
  handler: planChanges,
};
