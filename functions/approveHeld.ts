// Admin HTTP API: anonymous to the Functions host; callers sign in with Entra ID and need an app role
// (functions/admin-auth.ts: Writeback.Read to look, Writeback.Admin to change).
//   POST /api/held/{groupId}/approve   releases the change set the deletion guard holds for the group: the
//   record is marked approved and a round is asked for, which sends it (202); 404 when nothing is held.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { approveHeld as approve } from '../shared/app/held/held-admin.js';
import { isGuid } from '../shared/domain/ids.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function approveHeld(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Admin', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  const groupId = request.params['groupId'] ?? '';
  if (!isGuid(groupId)) return textResponse(400, 'groupId must be a GUID');
  const deps = { store: runtime.planner, changes: () => runtime.sender(runtime.config.GRAPH_CHANGES_QUEUE), now: runtime.now };
  const held = await approve(deps, runtime.config.GRAPH_TENANT_ID, groupId).catch((err: unknown) => {
    log.error({ err, groupId }, 'approval not recorded or its round not requested');
    return 'failed' as const;
  });
  if (held === 'failed') return textResponse(503, 'not done; retry');
  if (held === null) return textResponse(404, 'nothing is held for this group');
  log.info({ groupId: held.groupId, kind: held.kind, deletions: held.deletions, memberRemovals: held.memberRemovals }, 'held change set approved');
  return { status: 202, jsonBody: held };
}

export const approveHeldFunction: HttpFunctionDefinition = {
  name: 'approveHeld',
  trigger: { type: 'http', route: 'held/{groupId}/approve', methods: ['POST'], authLevel: 'anonymous' },
  handler: approveHeld,
};
