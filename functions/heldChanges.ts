// Admin HTTP API: anonymous to the Functions host; callers sign in with Entra ID and need an app role
// (functions/admin-auth.ts: Writeback.Read to look, Writeback.Admin to change).
//   GET /api/held   the change sets the deletion guard holds (reason, counts, approved or not) and what its
//                   window has released against the thresholds. Not under `admin/`: the Functions host
//                   reserves routes starting with `admin` for its own API and refuses to register them.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { listHeld } from '../shared/app/held/held-admin.js';
import { invocationLog } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function heldChanges(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const overview = await listHeld(
    { store: runtime.planner, changes: () => runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), now: runtime.now },
    runtime.config.GRAPH_TENANT_ID,
  );
  invocationLog(runtime.log, context).debug({ count: overview.held.length }, 'held change sets listed');
  return { status: 200, jsonBody: { count: overview.held.length, window: overview.window, value: overview.held } };
}

export const heldChangesFunction: HttpFunctionDefinition = {
  name: 'heldChanges',
  trigger: { type: 'http', route: 'held', methods: ['GET'], authLevel: 'anonymous' },
  handler: heldChanges,
};
