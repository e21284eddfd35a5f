// Queue trigger on graph-changes (sessions: sessionId = tenant id, so one delta round at a time per tenant):
// a poke -> at most one delta round (shared/app/round/poke-round.ts). A poke a round already served, or one that
// waits for the queued follow-up round, completes at once; a round that fails for a transient cause schedules a
// retry of the poke and completes (a round is safe to repeat: see shared/state/round-journal.ts). An invalid
// poke, or one whose retries are used up, throws PoisonMessageError; a permanent failure, or a retry that cannot
// be sent, throws so Service Bus delivers the poke again.
import type { InvocationContext } from '@azure/functions';
import { GraphDirectoryReader } from '../shared/adapters/graph/directory.js';
import type { DeltaRoundDeps } from '../shared/app/round/round-deps.js';
import { handlePoke, type PokeRoundDeps } from '../shared/app/round/poke-round.js';
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

function pokeRoundDeps(runtime: CloudRuntime, log: Logger): PokeRoundDeps {
  return {
    ...deltaRoundDeps(runtime, log),
    ...(runtime.pokeRounds ? { pokeRounds: runtime.pokeRounds } : {}),
  };
}

export async function planChanges(message: unknown, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context).child({ messageId: context.triggerMetadata?.['messageId'] });
  try {
    await handlePoke(pokeRoundDeps(runtime, log), message);
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
