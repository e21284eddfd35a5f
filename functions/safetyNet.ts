// Timer: the safety net for lost notifications. Every 15 s it asks whether a round over the tenant started
// within the tenant's safetyNetSeconds and, when none did, enqueues a delta poke on graph-changes (logic in
// shared/app/round/safety-net.ts). Why 15 s: the tick adds to the bound (safetyNetSeconds + tick + one round),
// 5 % of the default 300 s, and equals the smallest safetyNetSeconds allowed; it costs 5,760 executions a day
// of a few table reads each, and a poke (one delta round) only when no round ran for safetyNetSeconds.
// Not `runOnStartup`: a restart must not add a round; the first tick comes within 15 s anyway.
import type { InvocationContext, Timer } from '@azure/functions';
import { runSafetyNet } from '../shared/app/round/safety-net.js';
import { invocationLog } from './http-helpers.js';
import type { TimerFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function safetyNet(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getCloudRuntime();
  const outcome = await runSafetyNet({
    tenantId: runtime.config.GRAPH_TENANT_ID,
    store: runtime.planner,
    pokes: runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE),
    now: runtime.now,
  });
  // Only a poke is worth a log line: a quiet tick every 15 s would fill the logs.
  if (outcome.poked) invocationLog(runtime.log, context).info(outcome, 'safety net: no round for safetyNetSeconds; delta poke sent');
}

export const safetyNetFunction: TimerFunctionDefinition = {
  name: 'safetyNet',
  trigger: { type: 'timer', schedule: '*/15 * * * * *' },
  handler: safetyNet,
};
