// Timer: groups whose change set did not land get their full state sent again. It finds change sets pending
// without any result for PENDING_LIMIT_MINUTES (dead-lettered after MaxDeliveryCount, expired, lost) and repairs
// that failed again (retried with backoff), and pokes a targeted resync for them; recordResults already asks at
// once when a result says a change set failed (shared/app/status/repair-requests.ts).
import type { InvocationContext, Timer } from '@azure/functions';
import { requestDueRepairs } from '../shared/app/status/repair-requests.js';
import { invocationLog } from './http-helpers.js';
import type { TimerFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function repairGroups(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const log = invocationLog(runtime.log, context);
  const deps = { statuses: runtime.statuses, changes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), log, now: runtime.now };
  const requested = await requestDueRepairs(deps, runtime.config.GRAPH_TENANT_ID, runtime.config.PENDING_LIMIT_MINUTES * 60_000);
  log.info({ requested: requested.length }, 'repair check done');
}

export const repairGroupsFunction: TimerFunctionDefinition = {
  name: 'repairGroups',
  trigger: { type: 'timer', schedule: '%REPAIR_SCHEDULE%' },
  handler: repairGroups,
};
