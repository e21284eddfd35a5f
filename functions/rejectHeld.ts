// Admin HTTP API: anonymous to the Functions host; callers sign in with Entra ID and need an app role
// (functions/admin-auth.ts: Writeback.Admin).
//   POST /api/held/{groupId}/reject   drops the change set the deletion guard holds for the group: nothing is sent,
//   AD is left as it is, the status says `skipped` ("held change rejected by <upn>") until the cloud changes the
//   group again; then the guard decides anew (202 { groupId, rejectedAt }); 404 when nothing is held.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { rejectHeld as reject } from '../shared/app/held/held-admin.js';
import { isGuid } from '../shared/domain/ids.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function rejectHeld(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Admin', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  const groupId = request.params['groupId'] ?? '';
  if (!isGuid(groupId)) return textResponse(400, 'groupId must be a GUID');
  const deps = { store: runtime.planner, statuses: runtime.statuses, changes: () => runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), now: runtime.now };
  const by = auth.principal.upn ?? auth.principal.oid;
  const held = await reject(deps, runtime.config.GRAPH_TENANT_ID, groupId, by).catch((err: unknown) => {
    log.error({ err, groupId }, 'rejection not recorded');
    return 'failed' as const;
  });
  if (held === 'failed') return textResponse(503, 'not done; retry');
  if (held === null) return textResponse(404, 'nothing is held for this group');
  log.info({ groupId: held.groupId, kind: held.kind, deletions: held.deletions, memberRemovals: held.memberRemovals, by }, 'held change set rejected');
  return { status: 202, jsonBody: { groupId: held.groupId, rejectedAt: held.rejectedAt } };
}

export const rejectHeldFunction: HttpFunctionDefinition = {
  name: 'rejectHeld',
  trigger: { type: 'http', route: 'held/{groupId}/reject', methods: ['POST'], authLevel: 'anonymous' },
  handler: rejectHeld,
};
