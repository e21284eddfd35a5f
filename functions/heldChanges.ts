// Admin HTTP API (function auth level: callers need a function key in Azure).
//   GET /api/held   the change sets the deletion guard holds (reason, counts, approved or not) and what its
//                   window has released against the thresholds. Not under `admin/`: the Functions host
//                   reserves routes starting with `admin` for its own API and refuses to register them.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { listHeld } from '../shared/app/held/held-admin.js';
import { invocationLog } from './http-helpers.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function heldChanges(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const overview = await listHeld(
    { store: runtime.planner, changes: () => runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), now: runtime.now },
    runtime.config.GRAPH_TENANT_ID,
  );
  invocationLog(runtime.log, context).debug({ count: overview.held.length }, 'held change sets listed');
  return { status: 200, jsonBody: { count: overview.held.length, window: overview.window, value: overview.held } };
}

export const heldChangesFunction: HttpFunctionDefinition = {
  name: 'heldChanges',
  trigger: { type: 'http', route: 'held', methods: ['GET'], authLevel: 'function' },
  handler: heldChanges,
};
