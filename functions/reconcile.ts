// Timer: asks for a reconcile round (full resync with drift repair). It only enqueues a poke on
// graph-changes, so the round runs in planChanges and never overlaps a delta round of the same tenant.
import type { InvocationContext, Timer } from '@azure/functions';
import { requestReconcile } from '../shared/app/round/reconcile.js';
import { invocationLog } from './http-helpers.js';
import type { TimerFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function reconcile(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context);
  await requestReconcile(runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), runtime.config.GRAPH_TENANT_ID, runtime.now());
  log.info('reconcile requested');
}

export const reconcileFunction: TimerFunctionDefinition = {
  name: 'reconcile',
  trigger: { type: 'timer', schedule: '%RECONCILE_SCHEDULE%' },
  handler: reconcile,
};
