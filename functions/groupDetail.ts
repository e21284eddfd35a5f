// Admin HTTP API: anonymous to the Functions host; callers sign in with Entra ID and need an app role
// (functions/admin-auth.ts: Writeback.Read to look, Writeback.Admin to change).
//   GET /api/groups/{groupId}   one group: the cloud now (Graph), the policy's decision, what was last applied,
//   its status with member errors named, the held change set (shared/app/status/group-detail.ts). 404 when
//   neither Graph nor the product knows the group; 503 when Graph or the tables cannot be read now.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { GraphDirectoryReader } from '../shared/adapters/graph/directory.js';
import { groupDetail } from '../shared/app/status/group-detail.js';
import { isGuid } from '../shared/domain/ids.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

export async function groupDetailHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const log = invocationLog(runtime.log, context);
  const groupId = request.params['groupId'] ?? '';
  if (!isGuid(groupId)) return textResponse(400, 'groupId must be a GUID');
  const deps = {
    directory: new GraphDirectoryReader(runtime.graph, { baseUrl: runtime.config.GRAPH_BASE_URL, log }),
    store: runtime.planner,
    statuses: runtime.statuses,
  };
  const detail = await groupDetail(deps, runtime.config.GRAPH_TENANT_ID, groupId).catch((err: unknown) => {
    log.error({ err, groupId }, 'group detail not read');
    return 'failed' as const;
  });
  if (detail === 'failed') return textResponse(503, 'Graph or the state could not be read now; retry');
  if (detail === null) return textResponse(404, 'unknown group: not in Graph and never evaluated');
  return { status: 200, jsonBody: detail };
}

export const groupDetailFunction: HttpFunctionDefinition = {
  name: 'groupDetail',
  trigger: { type: 'http', route: 'groups/{groupId}', methods: ['GET'], authLevel: 'anonymous' },
  handler: groupDetailHandler,
};
